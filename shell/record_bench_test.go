package shell

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkRecordedCommand: one command with and without a recording
// under way (the recording's cost: its records encoded and written, one
// write a record).
func BenchmarkRecordedCommand(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run("record="+name, func(b *testing.B) {
			s, out, errs := recordSession(b)
			if on {
				if err := s.StartRecording(filepath.Join(b.TempDir(), "r.jsonl"), false); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				out.Reset()
				errs.Reset()
				s.Exec(context.Background(), "say hello world", "")
			}
		})
	}
}
