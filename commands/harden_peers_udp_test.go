package commands

// Issue 14, a UDP flood at a registered socket: three senders on loopback
// send datagrams of varying sizes as fast as they can while the watcher
// looks at the socket. The watcher's notices, the event log and the heap
// stay bounded, the shell answers meanwhile, and every byte recvfrom
// returns is counted exactly once.

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestHostileUDPFlood(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("set notices on")
	ss.MustExec("socket udp")
	ss.MustExec("bind s1 127.0.0.1 0")
	local, err := ss.sock("s1").SockName()
	if err != nil {
		t.Fatal(err)
	}
	port := local.Port()
	stopFlood := make(chan struct{})
	var sent atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			buf := make([]byte, 1200)
			for n := 1; ; n++ {
				select {
				case <-stopFlood:
					return
				default:
				}
				if _, err := c.Write(buf[:1+n%len(buf)]); err == nil {
					sent.Add(1)
				}
			}
		}()
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(stopFlood)
			wg.Wait()
		}
	}
	defer stop()

	boundHeap(t, "the watcher under a UDP flood", 16<<20, func() {
		watch := watchSockets(ss.Session)
		if watch == nil {
			t.Fatal("no watcher for a registered socket")
		}
		filesUntil(t, "300,000 datagrams sent", func() bool { return sent.Load() >= 300000 })
		watch()
	})
	notices := 0
	for _, ev := range ss.Session.Events().Recent(1 << 20) {
		if ev.Kind == "notice" && ev.Resource == "s1" {
			notices++
		}
	}
	// One "datagram waiting" notice, then at most one a second.
	if notices == 0 || notices > 30 {
		t.Errorf("%d notices for s1 under the flood", notices)
	}
	if n := len(ss.Session.Events().Recent(1 << 20)); n > 4096 {
		t.Errorf("the event log holds %d events", n)
	}
	// The shell answers while the flood goes on, and recvfrom takes one
	// datagram from one of the senders.
	responsive(t, ss)
	ss.MustExec("set format json")
	out := ss.MustExec("recvfrom s1")
	if !strings.Contains(out, `"127.0.0.1"`) {
		t.Errorf("recvfrom under the flood: %.300s", out)
	}
	got := datagramLen(t, out)
	stop()
	ss.MustExec("settimeout s1 0")
	datagrams := 0
	for {
		out, errs := ss.Exec("recvfrom s1 2048")
		if errs != "" {
			if !strings.Contains(errs, "BlockingIOError") {
				t.Fatalf("draining: %s", errs)
			}
			break
		}
		got += datagramLen(t, out)
		datagrams++
		if datagrams > 1<<20 {
			t.Fatal("the queue never drained")
		}
	}
	ss.MustExec("set format auto")
	// The table counts every byte recvfrom returned, exactly.
	if row := ss.sockRow("s1"); row["received"] != strconv.FormatInt(got, 10) {
		t.Errorf("received %s, recvfrom returned %d bytes", row["received"], got)
	}
	if datagrams == 0 {
		t.Error("nothing was queued after the flood")
	}
	t.Logf("%d datagrams sent, %d drained after the flood, %d notices", sent.Load(), datagrams, notices)
}

// datagramLen is the length of the bytes in recvfrom's JSON result.
func datagramLen(t *testing.T, out string) int64 {
	t.Helper()
	var doc struct {
		Result []json.RawMessage `json:"result"`
	}
	var b struct {
		Len int64 `json:"len"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Result) != 2 || json.Unmarshal(doc.Result[0], &b) != nil {
		t.Fatalf("recvfrom: %q", out)
	}
	return b.Len
}
