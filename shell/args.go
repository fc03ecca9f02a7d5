// Arguments as data: a command declares its positional arguments once (Args,
// or Forms for a command with several grammars), and its usage, arity check,
// Tab completion, help and reference all derive from that declaration.
package shell

import (
	"fmt"
	"strconv"
	"strings"
)

// Arg is one positional argument of a command.
type Arg struct {
	// Name is the argument as usage shows it: SOCK, HOST, PORT. For a
	// literal it is the word itself; empty for a choice kind, whose words
	// stand there (rd|wr|rdwr).
	Name     string
	Kind     *ArgKind // how it completes and parses; nil: any word, nothing to offer
	Optional bool     // may be left out: [NAME]
	Repeated bool     // takes every word from here on, one at least unless Optional: NAME...
	Literal  bool     // the word Name itself (close all)
	// Flag, when set, makes this no word at all: the option --Flag stands
	// here in this form's usage (send SOCK --file FILE).
	Flag string
	Nest Nest // how an optional argument's brackets nest with a neighbour's
}

// Nest says how an optional argument's brackets nest with a neighbour's.
type Nest int

const (
	// InNext: the argument is given only with the next one and written
	// inside its brackets: [[LEVEL] OPTION].
	InNext Nest = iota + 1
	// InPrev: the argument is given only after the previous one and written
	// inside its brackets: [NAME [VALUE]].
	InPrev
)

// Req is a required argument.
func Req(name string, k *ArgKind) Arg { return Arg{Name: name, Kind: k} }

// Opt is an optional argument.
func Opt(name string, k *ArgKind) Arg { return Arg{Name: name, Kind: k, Optional: true} }

// Many is a required argument that takes every word from here on.
func Many(name string, k *ArgKind) Arg { return Arg{Name: name, Kind: k, Repeated: true} }

// Lit is a literal word (close all).
func Lit(word string) Arg { return Arg{Name: word, Literal: true} }

// FlagHere places the option --name in a form's usage, where a word would
// otherwise stand (send SOCK --file FILE).
func FlagHere(name string) Arg { return Arg{Flag: name} }

// OptFlag places the option --name in a form's usage, in brackets (recv
// SOCK [BUFSIZE] [--hex]).
func OptFlag(name string) Arg { return Arg{Flag: name, Optional: true} }

// Nested returns the optional argument a with its brackets nested as n.
func (a Arg) Nested(n Nest) Arg { a.Optional, a.Nest = true, n; return a }

// words says whether the argument stands for words on the line (a FlagHere does not).
func (a Arg) words() bool { return a.Flag == "" }

// kind is the argument's kind; a literal is a kind of its own word.
func (a Arg) kind() *ArgKind {
	if a.Literal {
		w := a.Name
		return &ArgKind{Name: w, Words: []string{w},
			Complete: func(*Session, string) []string { return []string{w} },
			Match:    func(_ *Session, t string) bool { return t == w }}
	}
	return a.Kind
}

// forms is the command's grammars: Forms, or the one form Args.
func (c *Command) forms() [][]Arg {
	if len(c.Forms) > 0 {
		return c.Forms
	}
	return [][]Arg{c.Args}
}

// Usage is the command's synopsis, derived from its arguments: every form
// ("connect SOCK HOST PORT | connect HOST PORT"), with the options a form
// places (FlagHere; in brackets when Optional). Every option is in help's
// list of options all the same.
func (c *Command) Usage() string {
	var forms []string
	for _, f := range c.forms() {
		forms = append(forms, strings.Join(append([]string{c.Name}, c.usageArgs(f)...), " "))
	}
	return strings.Join(forms, " | ")
}

func (c *Command) usageArgs(f []Arg) []string {
	var out []string
	for i := 0; i < len(f); i++ {
		a := f[i]
		t := c.argWord(a)
		switch {
		case a.Nest == InNext && i+1 < len(f):
			i++
			t = "[[" + t + "] " + c.argWord(f[i]) + "]"
		case a.Optional && i+1 < len(f) && f[i+1].Nest == InPrev:
			i++
			t = "[" + t + " [" + c.argWord(f[i]) + "]]"
		case a.Optional:
			t = "[" + t + "]"
		}
		out = append(out, t)
	}
	return out
}

// argWord is how usage spells one argument, without brackets.
func (c *Command) argWord(a Arg) string {
	if a.Flag != "" {
		if f := c.flag(a.Flag); f != nil {
			return f.Synopsis()
		}
		return "--" + a.Flag
	}
	t := a.Name
	if t == "" && a.Kind != nil {
		t = strings.Join(a.Kind.Words, "|")
	}
	if a.Repeated {
		t += "..."
	}
	return t
}

// arity is the number of words a form takes: at least min, at most max (-1: no limit).
func arity(f []Arg) (min, max int) {
	for _, a := range f {
		if !a.words() {
			continue
		}
		if !a.Optional {
			min++
		}
		if a.Repeated {
			max = -1
		} else if max >= 0 {
			max++
		}
	}
	return min, max
}

// Arity is the number of positional words the command takes over all its
// forms: at least min, at most max (-1: no limit).
func (c *Command) Arity() (min, max int) {
	for i, f := range c.forms() {
		lo, hi := arity(f)
		if i == 0 || lo < min {
			min = lo
		}
		if i == 0 || max >= 0 && (hi < 0 || hi > max) {
			max = hi
		}
	}
	return min, max
}

// fits reports whether n words fit a form's arity.
func fits(f []Arg, n int) bool {
	lo, hi := arity(f)
	return n >= lo && (hi < 0 || n <= hi)
}

// assign places words in a form: slots[i] is the index in f of the argument
// word i stands for. An optional argument whose kind can tell (Match) and
// does not take the word is left out (addrinfo HOST tcp: no PORT). strict
// also refuses a word a required argument's kind does not take, as
// completion does to tell forms apart (connect localhost: no SOCK).
func assign(s *Session, f []Arg, words []string, strict bool) ([]int, bool) {
	return assignInto(s, f, words, strict, make([]int, len(words)))
}

// assignInto is assign with the slots written into slots (len(words) of
// them), so that a caller can keep them on its stack.
func assignInto(s *Session, f []Arg, words []string, strict bool, slots []int) ([]int, bool) {
	j := 0
	for i, w := range words {
		for j < len(f) && (!f[j].words() || f[j].Optional && !takes(s, f[j], w) && leaves(s, f, j, words[i:])) {
			j++
		}
		if j >= len(f) {
			return slots, false
		}
		if (strict || f[j].Literal) && !takes(s, f[j], w) {
			return slots, false
		}
		slots[i] = j
		if !f[j].Repeated {
			j++
		}
	}
	return slots, true
}

// leaves reports whether optional argument j may be left out for the words
// rest: a later argument takes the first, and the later ones have room for
// them all (getsockopt SOCK 6 1: 6 is a LEVEL by number, not left out).
func leaves(s *Session, f []Arg, j int, rest []string) bool {
	room, later := 0, false
	for _, a := range f[j+1:] {
		if !a.words() {
			continue
		}
		if takes(s, a, rest[0]) {
			later = true
		}
		if a.Repeated {
			room = len(rest)
		} else if room < len(rest) {
			room++
		}
	}
	return later && room >= len(rest)
}

// takes reports whether the argument's kind takes the word; a kind without
// Match takes any.
func takes(s *Session, a Arg, w string) bool {
	k := a.kind()
	return k == nil || k.Match == nil || k.Match(s, w)
}

// hasLiteral reports whether the form has a literal word.
func hasLiteral(f []Arg) bool {
	for _, a := range f {
		if a.Literal {
			return true
		}
	}
	return false
}

// bind checks the call's words against the command's forms, picks the form
// they are (one whose literal words they match first, close all; then the
// first that fits) and parses each word by its kind. It returns the
// shell's usage error ("missing argument") when no form fits.
func (c *Call) bind() error {
	cmd := c.Cmd
	// The words and their slots, on the stack for a line of a few words
	// (every line pays for them).
	var wordBuf [8]string
	var slotBuf [8]int
	words, slotSpace := wordBuf[:0], slotBuf[:]
	if len(c.Args) > len(wordBuf) {
		words, slotSpace = make([]string, 0, len(c.Args)), make([]int, len(c.Args))
	}
	for _, w := range c.Args {
		words = append(words, w.Text)
	}
	form, slots := -1, []int(nil)
	for pass := 0; pass < 2 && form < 0; pass++ {
		for i, f := range cmd.forms() {
			if hasLiteral(f) != (pass == 0) || !fits(f, len(words)) {
				continue
			}
			if sl, ok := assignInto(c.Session, f, words, false, slotSpace[:len(words)]); ok {
				form, slots = i, sl
				break
			}
		}
	}
	if form < 0 {
		lo, hi := cmd.Arity()
		switch {
		case len(words) < lo:
			return c.UsageError("missing argument")
		case hi >= 0 && len(words) > hi:
			return c.UsageError("too many arguments")
		}
		return c.UsageError("")
	}
	c.form = form
	if len(words) <= len(c.valueBuf) {
		c.values = c.valueBuf[:len(words):len(words)]
	} else {
		c.values = make([]any, len(words))
	}
	f := cmd.forms()[form]
	for i, w := range c.Args {
		a := f[slots[i]]
		if k := a.kind(); k != nil && k.Parse != nil {
			v, err := k.Parse(c, a.Name, w)
			if err != nil {
				return err
			}
			c.values[i] = v
		} else {
			c.values[i] = w.Text
		}
	}
	return nil
}

// Form is the index of the form the call's words are (0 for a command
// with one).
func (c *Call) Form() int { return c.form }

// Value is positional word i as its kind parsed it (the text for a kind
// without a parser; nil if absent).
func (c *Call) Value(i int) any {
	if i < len(c.values) {
		return c.values[i]
	}
	return nil
}

// Int is positional word i parsed by an Int kind (0 if absent).
func (c *Call) Int(i int) int {
	n, _ := c.Value(i).(int)
	return n
}

// Texts returns the positional words from i on, as typed.
func (c *Call) Texts(from int) []string {
	var out []string
	for i := from; i < len(c.Args); i++ {
		out = append(out, c.Args[i].Text)
	}
	return out
}

// kindsAfter is what may stand after the positional words before: the kind
// of the next argument in every form those words can be, and, past an
// optional argument that may be left out, the kinds after it.
func (c *Command) kindsAfter(s *Session, before []string) []*ArgKind {
	var out []*ArgKind
	for _, f := range c.forms() {
		slots, ok := assign(s, f, before, true)
		if !ok {
			continue
		}
		j := 0
		if n := len(slots); n > 0 {
			j = slots[n-1]
			if !f[j].Repeated {
				j++
			}
		}
		for ; j < len(f); j++ {
			if !f[j].words() {
				continue
			}
			if k := f[j].kind(); k != nil {
				out = append(out, k)
			}
			if !f[j].Optional || f[j].kind() == nil || f[j].kind().Match == nil {
				break // a word here is this argument
			}
		}
	}
	return out
}

// Int is a kind for a whole number from min to max; a word that is not one
// is a usage error naming the argument: "STATUS is a number from 0 to 255,
// not 'nine'". It completes the given examples.
func Int(min, max int, examples ...string) *ArgKind {
	return &ArgKind{Name: "number", Complete: func(*Session, string) []string { return examples },
		Match: func(_ *Session, t string) bool { _, err := strconv.Atoi(t); return err == nil },
		Parse: func(c *Call, name string, w Word) (any, error) {
			n, err := strconv.Atoi(w.Text)
			if err != nil || n < min || n > max {
				return nil, c.UsageError(fmt.Sprintf("%s is a number from %d to %d, not %s", name, min, max, StrRepr(w.Text)))
			}
			return n, nil
		}}
}
