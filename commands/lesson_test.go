package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/commands/lessons"
	"github.com/sockshell/sockshell/shell"
)

// TestLessonsSameStepsInEveryLanguage: each lesson exists in every
// language with the same steps, the same commands and the same checks;
// every check parses; every placeholder names a server or a socket an
// earlier step bound.
func TestLessonsSameStepsInEveryLanguage(t *testing.T) {
	en, err := lessons.All("en")
	if err != nil {
		t.Fatal(err)
	}
	if len(en) < 13 {
		t.Fatalf("%d lessons in English; the notes and beyond make 13", len(en))
	}
	for _, lang := range lessons.Langs[1:] {
		other, err := lessons.All(lang)
		if err != nil {
			t.Fatal(err)
		}
		if len(other) != len(en) {
			t.Fatalf("%d lessons in %s, %d in English", len(other), lang, len(en))
		}
		for i, l := range en {
			o := other[i]
			if o.N != l.N || o.Name != l.Name || len(o.Steps) != len(l.Steps) {
				t.Errorf("lesson %d %s: %s has lesson %d %s with %d steps, English %d", l.N, l.Name, lang, o.N, o.Name, len(o.Steps), len(l.Steps))
				continue
			}
			for j, st := range l.Steps {
				os := o.Steps[j]
				if strings.Join(os.Do, "\n") != strings.Join(st.Do, "\n") || strings.Join(os.Checks, "\n") != strings.Join(st.Checks, "\n") {
					t.Errorf("lesson %d step %d: %s has do %q check %q, English do %q check %q", l.N, j+1, lang, os.Do, os.Checks, st.Do, st.Checks)
				}
				if os.Title == "" || os.After == "" && st.After != "" {
					t.Errorf("lesson %d step %d: %s lacks a title or the explanation", l.N, j+1, lang)
				}
			}
		}
	}
	place := regexp.MustCompile(`\{([a-z-]+)(\.[a-z]+)?\}`)
	for _, lang := range lessons.Langs {
		ls, _ := lessons.All(lang)
		for _, l := range ls {
			bound := map[string]bool{}
			for j, st := range l.Steps {
				text := st.Why + "\n" + strings.Join(st.Do, "\n") + "\n" + strings.Join(st.Checks, "\n")
				for _, m := range place.FindAllStringSubmatch(text, -1) {
					if !contains(serverWords, m[1]) && !bound[m[1]] {
						t.Errorf("%s lesson %d step %d: {%s} is not a server and no earlier step binds it", lang, l.N, j+1, m[1])
					}
				}
				for _, ch := range st.Checks {
					pc, err := parseCheck(ch)
					if err != nil {
						t.Errorf("%s lesson %d step %d: %v", lang, l.N, j+1, err)
					}
					if pc.bind != "" {
						bound[pc.bind] = true
					}
				}
				for _, m := range place.FindAllStringSubmatch(st.After, -1) {
					if !contains(serverWords, m[1]) && !bound[m[1]] {
						t.Errorf("%s lesson %d step %d: the explanation's {%s} is not bound", lang, l.N, j+1, m[1])
					}
				}
			}
		}
	}
}

// lessonStep is the session's current lesson and step.
func lessonStep(tm *faketerm.Term) (lesson, step int, active bool) {
	lessonMu.Lock()
	defer lessonMu.Unlock()
	st := lessonsOf(tm.Session)
	return st.progress.Lesson, st.progress.Step, st.active
}

// currentDo is the current step's commands as the learner reads them,
// the session's names and ports filled in.
func currentDo(t *testing.T, tm *faketerm.Term) []string {
	t.Helper()
	lessonMu.Lock()
	defer lessonMu.Unlock()
	st := lessonsOf(tm.Session)
	l := findLesson(st.lessons(), st.progress.Lesson)
	var out []string
	for _, d := range l.Steps[st.progress.Step].Do {
		out = append(out, fill(tm.Session, st, d))
	}
	return out
}

// TestLessonsStepsMetByTheirCommands walks every lesson in a session of
// its own, running each step's suggested commands as the learner reads
// them (names and ports filled in): after them the step must be done
// and the next one shown; after the last, the lesson is done. Only
// loopback and the test's own DNS server are reached.
func TestLessonsStepsMetByTheirCommands(t *testing.T) {
	dns := startDNSMasq(t)
	ls, _ := lessons.All("en")
	for _, l := range ls {
		t.Run(strconv.Itoa(l.N)+"-"+l.Name, func(t *testing.T) {
			tm := newTerm(t)
			tm.Session.KeepGoing = true
			tm.MustExec("set dns 127.0.0.1:" + dns)
			tm.MustExec("set timeout 10")
			out := tm.MustExec("lesson " + strconv.Itoa(l.N))
			if !strings.Contains(out, l.Title) || !strings.Contains(out, "Step 1 of") {
				t.Fatalf("lesson %d shows:\n%s", l.N, out)
			}
			for i := range l.Steps {
				if n, step, _ := lessonStep(tm); n != l.N || step != i {
					t.Fatalf("before step %d: at lesson %d step %d", i+1, n, step+1)
				}
				var got strings.Builder
				for _, cmd := range currentDo(t, tm) {
					if strings.Contains(cmd, "SOCK") || strings.Contains(cmd, "PORT") || strings.Contains(cmd, " FD") {
						t.Fatalf("step %d: %q has a placeholder left", i+1, cmd)
					}
					o, e := tm.Exec(cmd)
					got.WriteString(o + e)
					if cmd == "fqdn 192.0.2.1" && !strings.Contains(o, "'192.0.2.1'") {
						// the lesson's claim: an address without a name comes back unchanged
						t.Fatalf("fqdn 192.0.2.1 = %s", o)
					}
				}
				want := "✓ step " + strconv.Itoa(i+1) + " done"
				if !strings.Contains(got.String(), want) {
					t.Fatalf("step %d (%s): %q after its commands %q; output:\n%s", i+1, l.Steps[i].Title, want, l.Steps[i].Do, got.String())
				}
				if i == len(l.Steps)-1 && !strings.Contains(got.String(), "Lesson "+strconv.Itoa(l.N)+" is done") {
					t.Fatalf("last step: no end of lesson in:\n%s", got.String())
				}
			}
			if _, _, active := lessonStep(tm); active {
				t.Fatalf("the lesson is still under way after its last step")
			}
		})
	}
}

// TestLessonWaitsForWhatTheStepAsks: a command that does something else
// leaves the step as it is; another command that does what it asks (not
// the one suggested) completes it.
func TestLessonWaitsForWhatTheStepAsks(t *testing.T) {
	tm := newTerm(t)
	tm.Session.KeepGoing = true
	tm.MustExec("lesson 2") // serve echo, socket tcp, connect
	tm.MustExec("servport http tcp")
	if _, step, _ := lessonStep(tm); step != 0 {
		t.Fatalf("servport completed 'a server to talk to'")
	}
	out := tm.MustExec("serve echo")
	if _, step, _ := lessonStep(tm); step != 1 || !strings.Contains(out, "✓ step 1 done") {
		t.Fatalf("serve echo did not complete step 1:\n%s", out)
	}
	tm.MustExec("socket udp")
	if _, step, _ := lessonStep(tm); step != 1 {
		t.Fatalf("a UDP socket completed 'a TCP socket'")
	}
	tm.MustExec("socket tcp")
	// connect HOST PORT (socket.create_connection) connects a socket to
	// the echo server too: it counts.
	port := serverPort(t, tm.Session, "echo1")
	out = tm.MustExec("connect 127.0.0.1 " + strconv.Itoa(port))
	if !strings.Contains(out, "✓ step 3 done") || !strings.Contains(out, "socket.create_connection") {
		t.Fatalf("create_connection did not complete the connect step, or its Python is not shown:\n%s", out)
	}
	if _, _, active := lessonStep(tm); active {
		t.Fatal("lesson 2 still under way after its last step")
	}
}

// TestLessonNextBackQuit: next skips a step, back returns, quit stops the
// checks, and a wrong word or number gets one usage error.
func TestLessonNextBackQuit(t *testing.T) {
	tm := newTerm(t)
	tm.AssertExecError("lesson next", "UsageError: no lesson is under way")
	tm.AssertExecError("lesson 99", "UsageError")
	tm.AssertExecError("lesson x", "UsageError")
	tm.MustExec("lesson 1")
	if out := tm.MustExec("lesson next"); !strings.Contains(out, "Step 2 of 3") {
		t.Fatalf("lesson next:\n%s", out)
	}
	if out := tm.MustExec("lesson back"); !strings.Contains(out, "Step 1 of 3") {
		t.Fatalf("lesson back:\n%s", out)
	}
	tm.MustExec("lesson quit")
	if out := tm.MustExec("socket tcp"); strings.Contains(out, "✓") {
		t.Fatalf("a quit lesson still checks:\n%s", out)
	}
	tm.AssertExecError("lesson quit", "UsageError")
	// lesson next goes on where it stopped.
	if out := tm.MustExec("lesson next"); !strings.Contains(out, "Step 1 of 3") {
		t.Fatalf("lesson next after quit:\n%s", out)
	}
}

// TestLessonProgressSurvivesRestart: the state file keeps the lesson and
// step; a new session started with it lists them and goes on there.
func TestLessonProgressSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state", "lessons.json")
	tm := newTerm(t)
	if err := SetupLessons(tm.Session, LessonOptions{StateFile: file}); err != nil {
		t.Fatal(err)
	}
	tm.MustExec("lesson 1")
	tm.MustExec("socket tcp")
	tm.MustExec("close all")

	again := newTerm(t)
	if err := SetupLessons(again.Session, LessonOptions{StateFile: file, Lang: "zh"}); err != nil {
		t.Fatal(err)
	}
	if list := again.MustExec("lesson"); !strings.Contains(list, "学到第 2 步") {
		t.Fatalf("the list after a restart:\n%s", list)
	}
	if out := again.MustExec("lesson 1"); !strings.Contains(out, "第 2 步(共 3 步)") {
		t.Fatalf("lesson 1 after a restart:\n%s", out)
	}
	if out := again.MustExec("socket udp"); !strings.Contains(out, "✓ 第 2 步完成") {
		t.Fatalf("step 2 in Chinese:\n%s", out)
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), `"step":2`) {
		t.Fatalf("state file: %s %v", b, err)
	}
	if err := SetupLessons(again.Session, LessonOptions{Lang: "fr"}); err == nil {
		t.Fatal("lang fr accepted")
	}
}

// TestSetLang: set lang switches the lessons' language; a wrong one is
// one usage error.
func TestSetLang(t *testing.T) {
	tm := newTerm(t)
	tm.AssertExecError("set lang fr", "UsageError: lang is en or zh")
	tm.MustExec("set lang zh")
	if out := tm.MustExec("lesson 1"); !strings.Contains(out, "套接字") {
		t.Fatalf("lesson 1 in Chinese:\n%s", out)
	}
	tm.MustExec("set lang en")
	if out := tm.MustExec("lesson"); !strings.Contains(out, "Creating a socket") {
		t.Fatalf("the list in English:\n%s", out)
	}
}

// TestTutorialDoc fails when docs/tutorial.md or docs/tutorial.zh.md is not
// what the lessons generate. Regenerate with:
// UPDATE_DOCS=1 go test ./commands -run TestTutorialDoc
func TestTutorialDoc(t *testing.T) {
	for lang, path := range map[string]string{"en": "../docs/tutorial.md", "zh": "../docs/tutorial.zh.md"} {
		want := TutorialMarkdown(lang)
		if os.Getenv("UPDATE_DOCS") == "1" {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v; generate it with: UPDATE_DOCS=1 go test ./commands -run TestTutorialDoc", err)
		}
		if string(got) != want {
			t.Errorf("%s is stale and needs to be regenerated; run: UPDATE_DOCS=1 go test ./commands -run TestTutorialDoc", path)
		}
		ls, _ := lessons.All(lang)
		for _, l := range ls {
			if !strings.Contains(want, l.Title) || !strings.Contains(want, ">>> "+fill(nil, &lessonState{lang: lang}, l.Steps[0].Do[0])) {
				t.Errorf("%s lacks lesson %d or its first command", path, l.N)
			}
		}
	}
}

// TestLessonJSON: with set format json, the list is a JSON document and a
// finished step is one JSON document too, not text among them.
func TestLessonJSON(t *testing.T) {
	tm := newTerm(t)
	tm.MustExec("set format json")
	tm.MustExec("set lang zh")
	var list struct{ Result []map[string]any }
	if err := json.Unmarshal([]byte(tm.MustExec("lesson")), &list); err != nil || len(list.Result) < 13 || list.Result[0]["title"] != "建立套接字" {
		t.Fatalf("lesson in json: %v %v", list, err)
	}
	tm.MustExec("set lang en")
	tm.MustExec("lesson 1")
	out := tm.MustExec("socket tcp")
	var done struct {
		Step struct {
			Lesson, StepDone, NextStep int
			Do                         []string
			Python                     []string
		} `json:"lesson_step"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var first map[string]any
	if err := dec.Decode(&first); err != nil { // the socket's own result
		t.Fatalf("%v in %s", err, out)
	}
	if err := dec.Decode(&done); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if done.Step.Lesson != 1 || len(done.Step.Do) != 1 || done.Step.Do[0] != "socket udp" || len(done.Step.Python) == 0 {
		t.Fatalf("the step's document: %+v\n%s", done.Step, out)
	}
}

// TestLessonCompletes: Tab offers the lessons' numbers and the words.
func TestLessonCompletes(t *testing.T) {
	tm := newTerm(t)
	cands, _ := tm.Session.Complete("lesson ")
	for _, want := range []string{"1", "13", "next", "back", "quit"} {
		if !contains(cands, want) {
			t.Errorf("lesson <Tab>: %q lacks %s", cands, want)
		}
	}
	cands, _ = tm.Session.Complete("set lang ")
	if !contains(cands, "zh") || !contains(cands, "en") {
		t.Errorf("set lang <Tab>: %q", cands)
	}
}

// TestLessonPackets: the wire view's packet events (kind "packet", dir,
// flags, len) are spelled under a finished step as tcpdump's flags with
// their direction.
func TestLessonPackets(t *testing.T) {
	evs := []shell.Event{
		{Kind: eventPacket, Attrs: []shell.Attr{{Key: "dir", Value: "out"}, {Key: "flags", Value: "SYN"}, {Key: "len", Value: 0}}},
		{Kind: eventPacket, Attrs: []shell.Attr{{Key: "dir", Value: "in"}, {Key: "flags", Value: "SYN,ACK"}, {Key: "len", Value: 0}}},
		{Kind: eventSockSent},
		{Kind: eventPacket, Attrs: []shell.Attr{{Key: "dir", Value: "out"}, {Key: "flags", Value: "PSH,ACK"}, {Key: "len", Value: 7}}},
	}
	if got, want := packetsSince(evs), "→ SYN  ← SYN,ACK  → PSH,ACK (7 bytes)"; got != want {
		t.Fatalf("packets %q, want %q", got, want)
	}
	if got := packetsSince(evs[2:3]); got != "" {
		t.Fatalf("no packets: %q", got)
	}
}
