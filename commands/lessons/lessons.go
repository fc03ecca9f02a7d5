// Package lessons holds sockshell's guided lessons, one data file per
// lesson and language (data/NN-name.LANG.md), embedded in the binary, and
// reads them into steps. A lesson file is Markdown of a fixed shape:
//
//	# Title
//	What the lesson is about (paragraphs).
//
//	## A step's title
//	Why: what to do and why (paragraphs).
//	do: socket tcp
//	check: created tcp -> s1
//	What just happened, shown once the step is done (paragraphs).
//
// "do:" lines are the commands a step suggests, in order; "check:" lines
// are what the shell looks for in the session once a command has run
// (all must hold). Both are the same in every language; the text around
// them is the language's own. {NAME} in a do line or the text stands for
// a name or an address the session fills in (see the commands package).
package lessons

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed data/*.md
var data embed.FS

// Langs are the languages every lesson is written in, English first.
var Langs = []string{"en", "zh"}

// Lesson is one lesson in one language.
type Lesson struct {
	N     int    // 1, 2, … from the file name
	Name  string // "sockets", from the file name
	Lang  string
	Title string
	Intro string
	Steps []Step
}

// Step is one thing the learner does.
type Step struct {
	Title  string
	Why    string   // before: what to type and why
	Do     []string // the suggested commands
	Checks []string // what the session must show once it is done
	After  string   // after: what just happened
}

// Numbers are the lessons' numbers in lang, in order, read from the file
// names alone (NN-name.LANG.md): cheap enough for start-up, where All
// would parse every lesson.
func Numbers(lang string) []int {
	// The directory's names, not fs.Glob: no pattern matched at each start.
	ents, _ := data.ReadDir("data")
	var out []int
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), "."+lang+".md") // as data/*.LANG.md matches
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(name, "-")
		if n, err := strconv.Atoi(num); err == nil {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// All returns every lesson in lang, in order.
func All(lang string) ([]Lesson, error) {
	names, err := fs.Glob(data, "data/*."+lang+".md")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Lesson
	for _, name := range names {
		b, err := data.ReadFile(name)
		if err != nil {
			return nil, err
		}
		l, err := Parse(path.Base(name), string(b))
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Parse reads one lesson file named NN-name.LANG.md.
func Parse(file, text string) (Lesson, error) {
	base := strings.TrimSuffix(file, ".md")
	stem, lang, ok := strings.Cut(base, ".")
	num, name, ok2 := strings.Cut(stem, "-")
	n, err := strconv.Atoi(num)
	if !ok || !ok2 || err != nil {
		return Lesson{}, fmt.Errorf("%s: a lesson file is named NN-name.LANG.md", file)
	}
	l := Lesson{N: n, Name: name, Lang: lang}
	var st *Step
	var para []string // the text being read
	seenDo := false
	flush := func() string {
		t := strings.TrimSpace(strings.Join(para, "\n"))
		para = nil
		return t
	}
	endStep := func() error {
		if st == nil {
			l.Intro = flush()
			return nil
		}
		if len(st.Do) == 0 || len(st.Checks) == 0 {
			return fmt.Errorf("%s: step %q needs do: and check: lines", file, st.Title)
		}
		st.After = flush()
		l.Steps = append(l.Steps, *st)
		return nil
	}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \r")
		switch {
		case strings.HasPrefix(line, "# ") && l.Title == "":
			l.Title = strings.TrimSpace(line[2:])
		case strings.HasPrefix(line, "## "):
			if err := endStep(); err != nil {
				return Lesson{}, err
			}
			st, seenDo = &Step{Title: strings.TrimSpace(line[3:])}, false
		case strings.HasPrefix(line, "do: ") || strings.HasPrefix(line, "check: "):
			if st == nil {
				return Lesson{}, fmt.Errorf("%s:%d: do: and check: belong to a step (## title)", file, i+1)
			}
			if !seenDo {
				st.Why, seenDo = flush(), true
			} else if t := flush(); t != "" {
				return Lesson{}, fmt.Errorf("%s:%d: a step's do: and check: lines stand together", file, i+1)
			}
			key, v, _ := strings.Cut(line, ": ")
			if key == "do" {
				st.Do = append(st.Do, strings.TrimSpace(v))
			} else {
				st.Checks = append(st.Checks, strings.TrimSpace(v))
			}
		default:
			para = append(para, line)
		}
	}
	if err := endStep(); err != nil {
		return Lesson{}, err
	}
	if l.Title == "" || len(l.Steps) == 0 {
		return Lesson{}, fmt.Errorf("%s: a lesson has a # title and at least one ## step", file)
	}
	return l, nil
}
