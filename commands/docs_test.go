package commands

import (
	"os"
	"testing"
)

// TestCommandsDoc fails when docs/commands.md is not what the command table
// generates. Regenerate with: UPDATE_DOCS=1 go test ./commands -run TestCommandsDoc
func TestCommandsDoc(t *testing.T) {
	const path = "../docs/commands.md"
	want := Table().Markdown()
	if os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; generate it with: UPDATE_DOCS=1 go test ./commands -run TestCommandsDoc", err)
	}
	if string(got) != want {
		t.Fatalf("docs/commands.md is stale and needs to be regenerated; run: UPDATE_DOCS=1 go test ./commands -run TestCommandsDoc")
	}
}

// Every command has what help, completion and the reference need.
func TestCommandTableComplete(t *testing.T) {
	for _, c := range Table().Commands() {
		if c.Summary == "" || c.Group == "" || c.Run == nil {
			t.Errorf("%s: summary, group and Run are required", c.Name)
		}
		if lo, hi := c.Arity(); hi >= 0 && hi < lo {
			t.Errorf("%s: takes at most %d arguments and at least %d", c.Name, hi, lo)
		}
	}
}
