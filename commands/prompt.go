package commands

import (
	"strconv"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// promptTokens are the words set prompt fills in from the sockets: each
// costs one system call a socket at most, when the prompt is drawn.
func promptTokens() []shell.PromptToken {
	return []shell.PromptToken{
		{Name: "sockets", Help: "how many sockets are open", Value: func(s *shell.Session) string {
			return strconv.Itoa(len(s.ResourceNames(isSocket)))
		}},
		{Name: "waiting", Help: "how many sockets have data waiting (SIOCINQ), or connections waiting to be accepted on a listener",
			Value: func(s *shell.Session) string {
				n := 0
				for _, name := range s.ResourceNames(isSocket) {
					if r, ok := s.Resource(name); ok && r.(*bsd.Socket).Waiting() > 0 {
						n++
					}
				}
				return strconv.Itoa(n)
			}},
	}
}
