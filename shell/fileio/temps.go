// The temporary files of the writes under way in this process, so that an
// exit that does not wait for the commands to end (SIGTERM, SIGHUP, a
// second Ctrl-C) removes them instead of leaving them beside their targets.
package fileio

import (
	"os"
	"sync"
)

var live = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

// OnTemp, when set, is called as a write makes its temporary file (the
// shell starts its signal handling then, so that SIGTERM removes it).
var OnTemp func()

func track(name string) {
	if OnTemp != nil {
		OnTemp()
	}
	live.Lock()
	live.names[name] = true
	live.Unlock()
}

func untrack(name string) {
	live.Lock()
	delete(live.names, name)
	live.Unlock()
}

// RemoveTemps removes the temporary file of every write still under way
// and returns how many it removed. The writes themselves fail from then
// on; it is for a process about to exit.
func RemoveTemps() int {
	live.Lock()
	defer live.Unlock()
	n := 0
	for name := range live.names {
		if os.Remove(name) == nil {
			n++
		}
		delete(live.names, name)
	}
	return n
}
