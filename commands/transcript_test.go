package commands

import (
	"path/filepath"
	"testing"
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
