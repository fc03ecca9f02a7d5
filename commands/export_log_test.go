package commands

// export and the command log: longer than the event ring, dropped
// commands, an interrupted one; the cost per command.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
)

// A session longer than the event log's ring (4096 events) exports whole:
// the command log keeps what the ring dropped.
func TestExportOutlivesTheEventRing(t *testing.T) {
	tm := newTerm(t)
	tm.MustExec("socket udp")
	tm.MustExec("bind s1 127.0.0.1 0")
	const n = shell.EventLogSize + 100
	for i := 0; i < n; i++ {
		tm.MustExec("sockname s1")
	}
	for _, e := range tm.Session.Events().Recent(0) {
		if line, _ := e.Attr("line"); line == "socket udp" {
			t.Fatal("the event ring still holds the first command: the test shows nothing")
		}
	}
	file := filepath.Join(t.TempDir(), "long.py")
	tm.MustExec("export python " + file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	if !strings.Contains(script, "# >>> socket udp\ns1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n") {
		t.Error("the script lost the session's first command")
	}
	if got := strings.Count(script, "print(repr(s1.getsockname()))\n"); got != n {
		t.Errorf("the script has %d of the %d sockname calls", got, n)
	}
	if strings.Contains(script, "NOTE") {
		t.Error("the script says commands were dropped; none were")
	}
}

// When the command log has dropped the session's first commands, the
// script says so at the top, with how many.
func TestExportSaysWhatWasDropped(t *testing.T) {
	sc := buildScript(nil, 7, nil, time.Now())
	if !strings.Contains(sc.text, "# NOTE: the session's first 7 commands are not here") {
		t.Errorf("the header does not say what was dropped:\n%s", sc.text)
	}
	if sc = buildScript(nil, 0, nil, time.Now()); strings.Contains(sc.text, "NOTE") {
		t.Errorf("a script that lost nothing says it did:\n%s", sc.text)
	}
}

// A command Ctrl-C interrupted is not run by the script (it would wait
// where the session's user stopped it): its Python stays, as a comment.
func TestExportInterruptedCommand(t *testing.T) {
	tm := newTerm(t)
	tm.MustExec("socket udp")
	tm.MustExec("bind s1 127.0.0.1 0")
	r := tm.Start("recvfrom s1")
	deadline := time.Now().Add(exportBound)
	for !tm.Session.Interrupt() {
		if time.Now().After(deadline) {
			t.Fatal("recvfrom never started")
		}
		time.Sleep(time.Millisecond)
	}
	if errs := <-r.Done(); !strings.Contains(errs, "KeyboardInterrupt") {
		t.Fatalf("recvfrom interrupted: %q", errs)
	}
	file := filepath.Join(t.TempDir(), "int.py")
	tm.MustExec("export python " + file)
	b, _ := os.ReadFile(file)
	want := "# >>> recvfrom s1\n# (Ctrl-C interrupted it in the session; not run here)\n# s1.recvfrom(4096)\n"
	if !strings.Contains(string(b), want) {
		t.Errorf("the script does not have\n%s\nit is:\n%s", want, b)
	}
}

// BenchmarkExport writes the script of a session of 10,000 commands (the
// command log holds up to 65,536): the time per command, and the bytes of
// script per command (script-bytes/cmd).
func BenchmarkExport(b *testing.B) {
	tm := faketerm.New(b, Table())
	tm.MustExec("serve echo")
	tm.MustExec("socket udp")
	tm.MustExec("bind s1 127.0.0.1 0")
	for i := 0; i < 10000; i++ {
		tm.MustExec([]string{"sockname s1", "getsockopt s1 SO_RCVBUF", "sendto s1 hello 127.0.0.1 9"}[i%3])
	}
	entries, dropped := tm.Session.Commands()
	servers := exportServers.Get(tm.Session)
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		size = len(buildScript(entries, dropped, servers, time.Now()).text)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(entries)), "ns/cmd")
	b.ReportMetric(float64(size)/float64(len(entries)), "script-bytes/cmd")
}
