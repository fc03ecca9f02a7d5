package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell/testenv"
)

// BenchmarkRecordingSize records a realistic session (the echo server,
// socat and nc, explain on for part of it, tables, the timeline) and
// reports the recording's size per command: the whole file over its
// steps, and the median and largest step with the events recorded before
// it (what one command adds to the file).
func BenchmarkRecordingSize(b *testing.B) {
	socatPath := testenv.NeedPeer(b, "socat", "socat")
	_, socatPort := testenv.ListeningPeer(b, "tcp", socatPath, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port), "SYSTEM:echo greeting from socat"}
	})
	closed := testenv.ClosedPort(b, "tcp")
	for b.Loop() {
		file := filepath.Join(b.TempDir(), "r.jsonl")
		tm := faketerm.New(b, Table())
		tm.Session.Version = "bench"
		tm.Exec("record " + file)
		m := regexp.MustCompile(`:(\d+)`).FindStringSubmatch(first(tm.Exec("serve echo 127.0.0.1:0")))
		for _, l := range []string{
			"servport http tcp", "resolve localhost", "socket tcp", "connect s1 127.0.0.1 " + m[1],
			"sockname s1", "peername s1", `send s1 'hello\r\n'`, "recv s1", "explain on",
			"getsockopt s1 TCP_NODELAY", "setsockopt s1 TCP_NODELAY 1", "getsockopt s1", "explain off",
			"connect 127.0.0.1 " + strconv.Itoa(socatPort), "recv s2", "recv s2", "set timing on",
			"connect 127.0.0.1 " + strconv.Itoa(closed), "socket udp", "sendto s3 ping 127.0.0.1 " + m[1],
			"sockets", "timeline --last 10", "servers", "close s1", "close all",
		} {
			tm.Exec(l)
		}
		tm.Exec("record off")
		tm.Session.CloseAll()
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		var per []int
		acc := 0
		for _, l := range strings.SplitAfter(string(data), "\n") {
			acc += len(l)
			if strings.HasPrefix(l, `{"type":"command"`) {
				per = append(per, acc)
				acc = 0
			}
		}
		sort.Ints(per)
		b.ReportMetric(float64(len(data))/float64(len(per)), "bytes/command")
		b.ReportMetric(float64(per[len(per)/2]), "median-bytes/command")
		b.ReportMetric(float64(per[len(per)-1]), "max-bytes/command")
		b.ReportMetric(float64(len(per)), "commands")
	}
}

func first(out, _ string) string { return out }
