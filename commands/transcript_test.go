package commands

import (
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell"
)

// Transcript files (testdata/transcripts/*.txt) read like a session: a line
// of input, then what it prints, each output line indented by a tab; error
// lines (standard error) start with "\t! "; asynchronous lines are a
// stream of their own (see faketerm.RunTranscript). Lines starting with
// '#' are comments. A transcript whose first line is "#requires: NAME"
// needs that peer, started by the test that owns it; plain transcripts run
// here. UPDATE_TRANSCRIPTS=1 rewrites the expected output from what the
// shell prints.
func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/transcripts/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runTranscript(t, f, nil) })
	}
}

// runTranscript runs a transcript through a session of this package's
// commands; vars replace $NAME in input lines (for ports chosen at run
// time).
func runTranscript(t *testing.T, path string, vars map[string]string) {
	t.Helper()
	faketerm.RunTranscript(t, Table(), path, vars, faketerm.Hooks{After: learnServerPorts})
}

// learnServerPorts names the port of each of the session's servers
// $PORT_<name> ($PORT_echo1), so a transcript can start one on port 0 (the
// kernel picks a free port) and use the port it got.
func learnServerPorts(s *shell.Session, vars map[string]string) {
	for _, r := range s.Resources() {
		if srv, ok := r.Resource.(*server); ok {
			if ap, err := netip.ParseAddrPort(srv.addr); err == nil {
				vars["PORT_"+r.Name] = strconv.Itoa(int(ap.Port()))
			}
		}
	}
}

// newTerm is a session of this package's commands driven by the test.
func newTerm(t *testing.T) *faketerm.Term { return faketerm.New(t, Table()) }

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
