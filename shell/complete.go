// Tab completion from the command table: command names, options, then each
// command's own argument completer. Nothing here touches the network.
package shell

import (
	"sort"
	"strings"
)

type completer struct{ s *Session }

// Do implements readline.AutoCompleter.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	cands, partial := c.s.Complete(string(line[:pos]))
	out := make([][]rune, 0, len(cands))
	for _, cand := range cands {
		out = append(out, []rune(cand[len(partial):]+" "))
	}
	return out, len([]rune(partial))
}

// Complete returns the candidates for the last word of text and that word.
func (s *Session) Complete(text string) (cands []string, partial string) {
	if i := strings.LastIndexByte(text, ';'); i >= 0 {
		text = text[i+1:]
	}
	words := strings.Fields(text)
	if len(words) > 0 && !strings.HasSuffix(text, " ") && !strings.HasSuffix(text, "\t") {
		partial = words[len(words)-1]
		words = words[:len(words)-1]
	}
	var all []string
	switch {
	case len(words) == 0:
		all = s.Table.Names()
	default:
		cmd := s.Table.Lookup(words[0])
		if cmd == nil {
			return nil, partial
		}
		if strings.HasPrefix(partial, "-") {
			for _, f := range cmd.Flags {
				all = append(all, "--"+f.Name)
			}
			break
		}
		var args []string
		for i := 1; i < len(words); i++ {
			w := words[i]
			if strings.HasPrefix(w, "--") {
				for _, f := range cmd.Flags {
					if "--"+f.Name == w && f.Value {
						i++ // skip the option's value
					}
				}
				continue
			}
			args = append(args, w)
		}
		if cmd.Complete != nil {
			all = cmd.Complete(s, args)
		}
	}
	seen := map[string]bool{}
	for _, a := range all {
		if strings.HasPrefix(a, partial) && !seen[a] {
			seen[a] = true
			cands = append(cands, a)
		}
	}
	sort.Strings(cands)
	return cands, partial
}

// CompleteChoices completes argument i from a fixed list per position.
func CompleteChoices(lists ...[]string) func(*Session, []string) []string {
	return func(_ *Session, args []string) []string {
		if len(args) < len(lists) {
			return lists[len(args)]
		}
		return nil
	}
}
