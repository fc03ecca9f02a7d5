// Prompt tokens: set prompt may hold {NAME} words that the prompt fills in
// each time it is drawn ("[{sockets} open, {waiting} waiting] >>> "). The
// families that know the values declare the tokens (commands declares
// {sockets} and {waiting}); the shell knows none of them.
package shell

import "strings"

// PromptToken is one {Name} of the prompt. Value must be cheap: it runs
// each time the prompt is drawn.
type PromptToken struct {
	Name  string
	Help  string // for help set: what the token shows
	Value func(s *Session) string
}

// AddPromptTokens declares prompt tokens; it panics on a duplicate name, a
// programming error any test finds.
func (t *Table) AddPromptTokens(tokens ...PromptToken) {
	for _, tok := range tokens {
		for _, have := range t.tokens {
			if have.Name == tok.Name {
				panic("duplicate prompt token " + tok.Name)
			}
		}
		t.tokens = append(t.tokens, tok)
	}
}

// PromptTokens lists the declared tokens.
func (t *Table) PromptTokens() []PromptToken { return t.tokens }

// PromptText is the prompt as it is drawn now: set prompt's text with each
// declared {NAME} replaced by its value. Braces around anything else stay
// as they are.
func (s *Session) PromptText() string {
	p := s.Settings.Prompt
	if !strings.Contains(p, "{") || s.Table == nil {
		return p
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			break
		}
		name, found := p[i+1:i+j], false
		for _, tok := range s.Table.tokens {
			if tok.Name == name {
				b.WriteString(p[:i])
				b.WriteString(tok.Value(s))
				found = true
				break
			}
		}
		if !found {
			b.WriteString(p[:i+j+1])
		}
		p = p[i+j+1:]
	}
	b.WriteString(p)
	return b.String()
}
