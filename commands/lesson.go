// Lessons: `lesson` lists the guided lessons (commands/lessons), `lesson N`
// walks one step at a time. After every statement the session runs
// (shell.Table.AddAfterCommand) the current step's checks look at what
// the session did since the step began (its events: a socket created,
// connected, data received, a command that failed with a class) and at
// the registry (a server running), so any command that achieves the step
// counts. Progress is kept in a small state file (LessonOptions.StateFile)
// and survives a restart; the language is `set lang` (en, zh).
package commands

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/sockshell/sockshell/commands/lessons"
	"github.com/sockshell/sockshell/shell"
)

// LessonOptions is what cmd/sockshell hands the lessons from the
// environment: the language (from --lang, LC_ALL, LANG) and where progress
// is kept ("" keeps none).
type LessonOptions struct {
	Lang      string
	StateFile string
}

// lessonState is a session's lessons: the language, the current lesson
// and step, and what the step's checks bound.
type lessonState struct {
	lang      string
	stateFile string
	unsaved   bool // saving failed once: not tried again, not said again
	loaded    bool // the state file has been read (load, on the first lesson command)
	progress  lessonProgress
	active    bool   // a lesson is being walked: the checks run after each command
	start     uint64 // the Seq of the last event before the current step began
	bound     map[string]*lessonBinding
}

// lessonProgress is what the state file keeps.
type lessonProgress struct {
	Lesson int   `json:"lesson"`         // the current lesson, 0 for none
	Step   int   `json:"step"`           // its step, from 0
	Done   []int `json:"done,omitempty"` // the lessons finished
}

// lessonBinding is a name a check bound ("-> s1"): the registry name it
// matched, and its fd and port as last seen (a closed socket keeps them,
// for a later step that binds the same port).
type lessonBinding struct {
	name     string
	fd, port int
}

var lessonKey = shell.NewStateKey("lessons", func() *lessonState {
	return &lessonState{lang: "en", bound: map[string]*lessonBinding{}}
})

// lessonMu serializes the lessons' work on a session's state (the
// command and the after-command check run on the command goroutine; the
// lock keeps a test's reads safe).
var lessonMu sync.Mutex

func lessonsOf(s *shell.Session) *lessonState { return lessonKey.Get(s) }

// SetupLessons sets a session's lesson language and state file; the
// progress kept there is read by the first lesson command (load), not at
// every start.
func SetupLessons(s *shell.Session, o LessonOptions) error {
	st := lessonsOf(s)
	if o.Lang != "" {
		if err := checkLang(o.Lang); err != nil {
			return err
		}
		st.lang = o.Lang
	}
	st.stateFile, st.loaded = o.StateFile, false
	return nil
}

func checkLang(v string) error {
	for _, l := range lessons.Langs {
		if v == l {
			return nil
		}
	}
	return shell.Usagef("lang is %s, not %q", strings.Join(lessons.Langs, " or "), v)
}

// lessonSettings is the lessons' setting, lang.
func lessonSettings() []*shell.Setting {
	return []*shell.Setting{{
		Name:   "lang",
		Help:   "the lessons' language: en (English) or zh (中文)",
		Values: lessons.Langs,
		Get:    func(s *shell.Session) (string, any) { l := lessonsOf(s).lang; return l, l },
		Set: func(s *shell.Session, v string) error {
			if err := checkLang(v); err != nil {
				return err
			}
			lessonsOf(s).lang = v
			return nil
		},
	}}
}

// loadLessons reads the lessons in the session's language.
func (st *lessonState) lessons() []lessons.Lesson {
	ls, err := lessons.All(st.lang)
	if err != nil {
		panic(err) // the embedded files are checked by the tests
	}
	return ls
}

var lessonWords = []string{"next", "back", "quit"}

func lessonCommands() []*shell.Command {
	return []*shell.Command{{
		Name: "lesson", Group: groupClassroom,
		Summary: "Guided lessons from the notes, one step at a time: lesson lists them, lesson N starts one.",
		HelpFunc: func() string {
			return wrapText("Each step says what to type and why, waits until the session shows it done (any command "+
				"that does it counts, not only the one suggested), then explains what happened: the Python, the "+
				"system calls, the packets when wire is on. lesson next skips a step, lesson back goes back one, "+
				"lesson quit stops checking (progress is kept, across restarts too). set lang zh: the lessons in Chinese. "+
				"docs/tutorial.md is the same lessons as one page.", 80)
		},
		Python:   "# (no Python: the lessons guide the other commands)",
		Examples: []string{"lesson", "lesson 1", "lesson next", "set lang zh; lesson 2"},
		Args:     []shell.Arg{shell.Opt("N|next|back|quit", lessonArg)},
		Run:      runLesson,
	}}
}

// lessonArg is a lesson's number or one of the words.
var lessonArg = func() *shell.ArgKind {
	words := []string{}
	for _, n := range lessons.Numbers("en") {
		words = append(words, strconv.Itoa(n))
	}
	return shell.Choices("lesson", append(words, lessonWords...)...)
}()

func runLesson(c *shell.Call) (any, error) {
	lessonMu.Lock()
	defer lessonMu.Unlock()
	st := lessonsOf(c.Session)
	st.load()
	ls := st.lessons()
	msg := lessonMessages[st.lang]
	if c.NArg() == 0 {
		if c.Session.Settings.Format == "json" {
			// JSON's keys are the header's: the same in every language.
			return lessonList(st, ls, lessonMessages["en"]), nil
		}
		return lessonList(st, ls, msg), nil
	}
	arg := c.Arg(0)
	p := st.progress
	switch arg {
	case "quit":
		if !st.active {
			return nil, shell.Usagef("%s", msg.noLesson)
		}
		st.active = false
		return shell.Text(fmt.Sprintf(msg.quit, p.Lesson, p.Step+1)), nil
	case "next", "back":
		if p.Lesson == 0 {
			return nil, shell.Usagef("%s", msg.noLesson)
		}
		l := findLesson(ls, p.Lesson)
		if st.active {
			if arg == "next" {
				p.Step++
			} else {
				p.Step = max(p.Step-1, 0)
			}
		}
		if p.Step >= len(l.Steps) {
			if next := findLesson(ls, p.Lesson+1); next != nil {
				p = lessonProgress{Lesson: next.N, Done: p.Done}
			} else {
				p.Step = len(l.Steps) - 1
			}
		}
		return startStep(c, st, ls, p)
	}
	n, err := strconv.Atoi(arg)
	if err != nil || findLesson(ls, n) == nil {
		return nil, shell.Usagef(msg.badLesson, arg, len(ls))
	}
	if p.Lesson != n {
		p = lessonProgress{Lesson: n, Done: p.Done}
	}
	return startStep(c, st, ls, p)
}

// startStep makes p current, saves it, and shows its step.
func startStep(c *shell.Call, st *lessonState, ls []lessons.Lesson, p lessonProgress) (any, error) {
	l := findLesson(ls, p.Lesson)
	p.Step = min(max(p.Step, 0), len(l.Steps)-1)
	first := !st.active || st.progress.Lesson != p.Lesson
	st.progress, st.active = p, true
	if first && p.Step == 0 {
		st.bound = map[string]*lessonBinding{}
	}
	st.start = lastSeq(c.Session)
	if err := st.save(); err != nil {
		c.Note("%s", err)
	}
	var b strings.Builder
	if first {
		fmt.Fprintf(&b, lessonMessages[st.lang].lesson+"\n", l.N, l.Title)
		if p.Step == 0 {
			b.WriteString(l.Intro + "\n\n")
		}
	}
	b.WriteString(stepText(c.Session, st, l, p.Step))
	return shell.Text(strings.TrimRight(b.String(), "\n")), nil
}

func findLesson(ls []lessons.Lesson, n int) *lessons.Lesson {
	for i := range ls {
		if ls[i].N == n {
			return &ls[i]
		}
	}
	return nil
}

// lastSeq is the Seq of the session's last event (0 before any).
func lastSeq(s *shell.Session) uint64 {
	if r := s.Events().Recent(1); len(r) == 1 {
		return r[0].Seq
	}
	return 0
}

// lessonList is the table of lessons with the learner's progress.
func lessonList(st *lessonState, ls []lessons.Lesson, msg lessonText) *shell.Rows {
	rows := &shell.Rows{Header: []string{"n", msg.colTitle, msg.colSteps, msg.colStatus}}
	for _, l := range ls {
		status := ""
		for _, d := range st.progress.Done {
			if d == l.N {
				status = msg.done
			}
		}
		if st.progress.Lesson == l.N {
			status = fmt.Sprintf(msg.atStep, st.progress.Step+1)
		}
		rows.Append(l.N, l.Title, len(l.Steps), status)
	}
	return rows
}

// stepText is a step as the learner reads it before doing it: its title,
// why, the command to type and what the shell waits for.
func stepText(s *shell.Session, st *lessonState, l *lessons.Lesson, i int) string {
	msg := lessonMessages[st.lang]
	step := l.Steps[i]
	var b strings.Builder
	fmt.Fprintf(&b, msg.stepOf+"\n", i+1, len(l.Steps), step.Title)
	if step.Why != "" {
		b.WriteString(fill(s, st, step.Why) + "\n")
	}
	unknown := false
	for _, d := range step.Do {
		line := fill(s, st, d)
		for _, w := range strings.Fields(line) {
			if w == "SOCK" || w == "PORT" || w == "FD" || w == "HOST" {
				unknown = true
			}
		}
		fmt.Fprintf(&b, "  %s %s\n", msg.typeIt, line)
	}
	if unknown {
		b.WriteString("  " + msg.placeholders + "\n")
	}
	for _, ch := range step.Checks {
		fmt.Fprintf(&b, "  %s %s\n", msg.waitsFor, describeCheck(st.lang, ch))
	}
	return b.String()
}

// lessonAfter is the lessons' AfterCommand: with a lesson being walked,
// it checks the current step after each statement (but lesson's own),
// and once the step is done explains it and shows the next.
func lessonAfter(s *shell.Session, ev shell.Event) {
	lessonMu.Lock()
	defer lessonMu.Unlock()
	st := lessonsOf(s)
	if !st.active {
		return // no lesson: the statement's event is not even spelled
	}
	if name, _ := ev.Attr("command"); name == "lesson" {
		return
	}
	refreshBindings(s, st)
	ls := st.lessons()
	l := findLesson(ls, st.progress.Lesson)
	if l == nil {
		st.active = false
		return
	}
	step := l.Steps[st.progress.Step]
	since := eventsSince(s, st.start)
	found := map[string]string{}
	for _, ch := range step.Checks {
		name, ok := runCheck(s, ch, since)
		if !ok {
			return
		}
		if _, bind, ok := strings.Cut(ch, " -> "); ok {
			found[strings.TrimSpace(bind)] = name
		}
	}
	for k, v := range found {
		st.bound[k] = &lessonBinding{name: v, fd: -1}
	}
	refreshBindings(s, st)
	msg := lessonMessages[st.lang]
	doneStep := st.progress.Step
	var b strings.Builder
	fmt.Fprintf(&b, msg.stepDone+"\n", st.progress.Step+1, step.Title)
	if py := pythonSince(since); len(py) > 0 {
		b.WriteString(msg.python + "\n")
		for _, line := range py {
			b.WriteString("    " + line + "\n")
		}
	}
	if pk := packetsSince(since); pk != "" {
		b.WriteString(msg.wire + " " + pk + "\n")
	}
	if step.After != "" {
		b.WriteString(fill(s, st, step.After) + "\n")
	}
	p := st.progress
	p.Step++
	if p.Step >= len(l.Steps) {
		p.Done = addDone(p.Done, l.N)
		b.WriteString("\n" + fmt.Sprintf(msg.lessonDone, l.N))
		if next := findLesson(ls, l.N+1); next != nil {
			b.WriteString(" " + fmt.Sprintf(msg.nextLesson, next.N, next.Title))
			p = lessonProgress{Lesson: next.N, Done: p.Done}
		} else {
			p = lessonProgress{Done: p.Done}
		}
		st.active = false
		b.WriteString("\n")
	} else {
		b.WriteString("\n" + stepText(s, st, l, p.Step))
	}
	st.progress = p
	st.start = lastSeq(s)
	saveErr := st.save()
	if saveErr != nil {
		b.WriteString("# " + saveErr.Error() + "\n")
	}
	if s.Settings.Format == "json" {
		// One JSON document, as every result is in this format.
		doc := map[string]any{"lesson": l.N, "step_done": doneStep + 1, "title": step.Title,
			"python": pythonSince(since), "explanation": fill(s, st, step.After)}
		if st.active {
			doc["next_step"] = p.Step + 1
			doc["do"] = fillAll(s, st, l.Steps[p.Step].Do)
		} else {
			doc["lesson_done"] = true
		}
		if saveErr != nil {
			doc["error"] = shell.Classify(saveErr).Error()
		}
		out, _ := json.Marshal(map[string]any{"lesson_step": doc})
		s.Print(string(out) + "\n")
		return
	}
	s.Print(shell.SafeText(b.String()))
}
