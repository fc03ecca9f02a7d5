// Tab completion from the command table: command names, options, option
// values and each argument by its kind (a file, a directory, a host, a
// socket, a word from a list). Nothing here touches the network.
package shell

import (
	"fmt"
	"sort"
	"strings"
)

type completer struct{ s *Session }

// Do implements readline.AutoCompleter.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	cands, partial := c.s.Complete(string(line[:pos]))
	out := make([][]rune, 0, len(cands))
	for _, cand := range cands {
		rest := cand[len(partial):]
		if !strings.HasSuffix(cand, "/") {
			rest += " " // a directory is completed further, not ended
		}
		out = append(out, []rune(rest))
	}
	return out, len([]rune(partial))
}

// ArgKind is what an argument or an option's value is: how to complete it,
// how to tell it, and how to parse it.
type ArgKind struct {
	Name string
	// Complete returns the words that could stand where partial (the word
	// typed so far, as typed) stands; a word ending in "/" is a directory.
	Complete func(s *Session, partial string) []string
	// CompleteAfter, when set, is Complete for a kind whose words depend on
	// the positional words before it (set NAME VALUE).
	CompleteAfter func(s *Session, before []string, partial string) []string
	// Words are a choice kind's words, shown in usage as a|b|c.
	Words []string
	// Match reports whether a word can be this kind; an optional argument
	// whose kind does not match a word is left out, and completion tells
	// forms apart by it. nil: any word.
	Match func(s *Session, text string) bool
	// Parse turns the word into the value Run reads with Call.Value; its
	// error is the command's. nil: the text is the value. name is the
	// argument's name in usage, for the message.
	Parse func(c *Call, name string, w Word) (any, error)
}

// Choices is a kind whose values are a fixed list of words, matched
// without regard to case and parsed to the word of the list; any other word
// is a usage error listing them.
func Choices(name string, words ...string) *ArgKind {
	find := func(t string) (string, bool) {
		for _, w := range words {
			if strings.EqualFold(t, w) {
				return w, true
			}
		}
		return "", false
	}
	return &ArgKind{Name: name, Words: words,
		Complete: func(*Session, string) []string { return words },
		Match:    func(_ *Session, t string) bool { _, ok := find(t); return ok },
		Parse: func(c *Call, _ string, w Word) (any, error) {
			if v, ok := find(w.Text); ok {
				return v, nil
			}
			return nil, c.UsageError(fmt.Sprintf("%q is not %s", w.Text, orList(words)))
		}}
}

// orList spells words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// The kinds the shell knows by itself; commands add their own (a socket's
// name, a host name).
var (
	FileArg = &ArgKind{Name: "file", Complete: func(_ *Session, p string) []string { return completePath(p, false) }}
	DirArg  = &ArgKind{Name: "dir", Complete: func(_ *Session, p string) []string { return completePath(p, true) }}
	// CommandArg is a command's name or alias.
	CommandArg = &ArgKind{Name: "command", Complete: func(s *Session, _ string) []string { return s.Table.Names() }}
)

// Complete returns the candidates for the last word of text and that word.
func (s *Session) Complete(text string) (cands []string, partial string) {
	words, partial := splitTyped(text)
	if len(words) == 0 {
		return filterPrefix(s.Table.Names(), partial), partial
	}
	cmd := s.Table.Lookup(words[0])
	if cmd == nil {
		return nil, partial
	}
	// The positional words so far, and whether the word being completed is
	// an option's value.
	var args []string
	var valueOf *Flag
	endOpts := false
	for i := 1; i < len(words); i++ {
		w := words[i]
		if w == "--" && !endOpts {
			endOpts = true // "--" ends the options, as parseArgs reads it
			continue
		}
		if endOpts || !strings.HasPrefix(w, "--") || len(w) < 3 || isNumber(w) {
			args = append(args, unescapeWord(w))
			continue
		}
		f := cmd.flag(w[2:])
		if f != nil && f.Value && !strings.Contains(w, "=") {
			if i+1 < len(words) {
				i++ // skip the option's value
			} else {
				valueOf = f
			}
		}
	}
	var optionNames []string
	for _, f := range cmd.Flags {
		optionNames = append(optionNames, "--"+f.Name)
	}
	switch {
	case valueOf != nil:
		return completeKind(s, valueOf.Kind, nil, partial), partial
	case endOpts:
		// After "--" every word is an argument, even one that starts with "-".
	case strings.HasPrefix(partial, "--"):
		if name, val, ok := strings.Cut(partial[2:], "="); ok {
			// --out=/tmp/x: complete the value, keeping the --out= before it.
			f := cmd.flag(name)
			if f == nil || !f.Value {
				return nil, partial
			}
			var out []string
			for _, c := range completeKind(s, f.Kind, nil, val) {
				out = append(out, "--"+name+"="+c)
			}
			return out, partial
		}
		return filterPrefix(optionNames, partial), partial
	case strings.HasPrefix(partial, "-") && !isNumber(partial):
		return filterPrefix(optionNames, partial), partial
	}
	var out []string
	for _, k := range cmd.kindsAfter(s, args) {
		out = append(out, completeKind(s, k, args, partial)...)
	}
	return filterPrefix(out, partial), partial
}

// splitTyped splits the statement being typed (the text after the last ';')
// into its words as typed, and the word under the cursor ("" after a space).
// A backslash-escaped character or a quoted stretch stays inside its word,
// as the lexer reads it.
func splitTyped(text string) (words []string, partial string) {
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == '\\' && i+1 < len(text) {
				i++
				cur.WriteByte(text[i])
			} else if c == quote {
				quote = 0
			}
		case c == '\\':
			inWord = true
			cur.WriteByte(c)
			if i+1 < len(text) {
				i++
				cur.WriteByte(text[i])
			}
		case c == '\'' || c == '"':
			inWord = true
			quote = c
			cur.WriteByte(c)
		case c == ';':
			words, inWord = nil, false
			cur.Reset()
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		partial = cur.String()
	}
	return words, partial
}

// completeKind completes partial as a value of kind k (nil: nothing to
// offer), after the positional words before.
func completeKind(s *Session, k *ArgKind, before []string, partial string) []string {
	switch {
	case k == nil:
		return nil
	case k.CompleteAfter != nil:
		return filterPrefix(k.CompleteAfter(s, before, partial), partial)
	case k.Complete != nil:
		return filterPrefix(k.Complete(s, partial), partial)
	}
	return nil
}

// filterPrefix keeps the words that start with prefix, sorted, once each.
func filterPrefix(all []string, prefix string) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range all {
		if strings.HasPrefix(a, prefix) && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// flag finds an option by name.
func (c *Command) flag(name string) *Flag {
	for i := range c.Flags {
		if c.Flags[i].Name == name {
			return &c.Flags[i]
		}
	}
	return nil
}
