// The lessons' progress file ($XDG_STATE_HOME/sockshell/lessons.json):
// written private, atomically, through shell/fileio.
package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sockshell/sockshell/shell"
	"github.com/sockshell/sockshell/shell/fileio"
)

// load reads the progress kept in the state file, once: by the first
// lesson command, the one thing that shows or changes it (a lesson walked
// starts with one, so the checks after each command see it loaded). A
// missing or unreadable file leaves the progress as it is.
func (st *lessonState) load() {
	if st.loaded {
		return
	}
	st.loaded = true
	if st.stateFile == "" {
		return
	}
	if b, err := os.ReadFile(st.stateFile); err == nil {
		var p lessonProgress
		if json.Unmarshal(b, &p) == nil {
			st.progress = p
		}
	}
}

// save writes the progress to the state file (mode 0600) through
// shell/fileio: a temporary file renamed over the old one, so a crash
// leaves one or the other, and a link there is replaced, never followed. A
// state directory that cannot be written is said once a session, not at
// every step.
func (st *lessonState) save() error {
	if st.stateFile == "" || st.unsaved {
		return nil
	}
	b, _ := json.Marshal(st.progress)
	err := os.MkdirAll(filepath.Dir(st.stateFile), 0o700)
	var f *fileio.Output
	if err == nil {
		f, err = fileio.Create(context.Background(), st.stateFile, fileio.Options{Policy: fileio.Force, Perm: 0o600})
	}
	if err == nil {
		defer f.Abort()
		if _, err = f.Write(append(b, '\n')); err == nil {
			_, err = f.Commit()
		}
	}
	if err != nil {
		st.unsaved = true
		return fmt.Errorf("the lessons' progress is not saved in this session (%s)", shell.Classify(err))
	}
	return nil
}
