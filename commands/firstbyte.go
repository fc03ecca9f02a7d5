package commands

import (
	"sync"
	"time"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// sentAt holds, for each socket whose last data call was a send, when that
// send finished; the next recv takes it out and records the time to the
// first byte of the answer. A socket closed after a send and no recv
// keeps its entry (a pointer and a time) until the process ends.
var sentAt sync.Map // *bsd.Socket → time.Time

// markSent notes that a send on s just finished.
func markSent(s *bsd.Socket) { sentAt.Store(s, time.Now()) }

// firstByte is called as a recv starts; the function it returns, called
// when the recv has data, records the time from the last send to the first
// byte. When data was already waiting as the recv began, the kernel got it
// some time before: the phase is then an upper bound, and named so.
func firstByte(c *shell.Call, s *bsd.Socket) func(got bool) {
	v, ok := sentAt.LoadAndDelete(s)
	if !ok {
		return func(bool) {}
	}
	sent := v.(time.Time)
	waiting, _ := s.InQueue()
	return func(got bool) {
		if !got {
			// No answer yet (a timeout, Ctrl-C): the next recv measures.
			sentAt.LoadOrStore(s, sent)
			return
		}
		if waiting > 0 {
			c.Timing("first byte at most", time.Since(sent))
		} else {
			c.Timing("first byte", time.Since(sent))
		}
	}
}
