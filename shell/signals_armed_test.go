package shell

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/fileio"
)

// armedChildEnv makes TestSignalsArmedByWhatWaits, run again as a child
// process (whose signals nothing has subscribed yet), be that child.
const armedChildEnv = "SOCKSHELL_TEST_ARMED_CHILD"

// armedChild is the child's side: each step runs a -c string and says
// whether the process is then subscribed to the signals. It prints one
// "step=armed" word a step.
func armedChild(dir string) {
	quick := &Command{Name: "quick", Run: func(c *Call) (any, error) { return None, nil }}
	waits := &Command{Name: "waits", Run: func(c *Call) (any, error) {
		select { // what a command that can wait does: asks whether it is cancelled
		case <-c.Ctx.Done():
			return nil, c.Ctx.Err()
		default:
			return None, nil
		}
	}}
	writes := &Command{Name: "writes", Run: func(c *Call) (any, error) {
		f, err := fileio.Create(context.Background(), filepath.Join(dir, "out"), fileio.Options{Policy: fileio.Force})
		if err != nil {
			return nil, err
		}
		_, err = f.Commit()
		return None, err
	}}
	var out []string
	step := func(name, cmds string, keepGoing bool) {
		s := NewSession(NewTable(quick, waits, writes), io.Discard, io.Discard)
		if rc := s.RunString(cmds, keepGoing); rc != 0 {
			out = append(out, name+"=failed")
			return
		}
		out = append(out, fmt.Sprintf("%s=%v", name, procSignals.armed.Load()))
	}
	step("quick", "quick; quick", false)
	switch os.Getenv(armedChildEnv) {
	case "write":
		step("writes", "writes", false)
	case "record":
		s := NewSession(NewTable(quick), io.Discard, io.Discard)
		if err := s.StartRecording(filepath.Join(dir, "rec.jsonl"), false); err != nil {
			out = append(out, "record=failed")
		} else {
			out = append(out, fmt.Sprintf("record=%v", procSignals.armed.Load()))
			s.EndRecording()
		}
	default:
		step("waits", "waits", false)
	}
	fmt.Println(strings.Join(out, " "))
	os.Exit(0)
}

// TestSignalsArmedByWhatWaits: a -c run whose commands never wait does not
// subscribe the process to the signals (a one-shot lookup's start pays no
// round trips to os/signal's thread); a command that asks its context
// whether it is cancelled, a write's temporary file and a recording each
// do, so that Ctrl-C, SIGTERM and SIGHUP stop or save them as before. Each
// case in a fresh child process, where nothing has subscribed yet.
func TestSignalsArmedByWhatWaits(t *testing.T) {
	if mode := os.Getenv(armedChildEnv); mode != "" {
		armedChild(os.Getenv(armedChildEnv + "_DIR"))
		return
	}
	for mode, want := range map[string]string{
		"wait":   "quick=false waits=true",
		"write":  "quick=false writes=true",
		"record": "quick=false record=true",
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSignalsArmedByWhatWaits$", "-test.count=1")
		cmd.Env = append(os.Environ(), armedChildEnv+"="+mode, armedChildEnv+"_DIR="+t.TempDir())
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: the child failed: %v\n%s", mode, err, b)
		}
		if got := strings.TrimSpace(string(b)); got != want {
			t.Errorf("%s: the child said %q, want %q", mode, got, want)
		}
	}
}
