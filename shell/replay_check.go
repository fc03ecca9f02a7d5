// replay --check: a recording run again, in a fresh session without the
// prompt, each step's printed results and errors compared with the
// recording's. Only what legitimately varies from run to run is tolerated,
// and it is parsed, not guessed at: a port from the kernel's ephemeral
// range inside an address (each recorded port must stand for one new port
// throughout, and the lines that typed it get the new one), a file
// descriptor number (fd=5, fd 5, the first argument of a system call, the
// fd column), a duration or time (0.084 ms, a table's time and took
// columns, JSON's duration and time fields), and the location before an
// error (-c:3:), which says where the line came from, not what it did.
// Table borders and padding follow from the cells, so tables are compared
// cell by cell.
package shell

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// replayCheck runs rec's steps in a fresh session and reports the steps
// that differ; AssertionError when one does.
func (s *Session) replayCheck(c *Call, rec *recording) (any, error) {
	var out, errs strings.Builder
	cs := NewSession(s.Table, &out, &errs)
	cs.Version = s.Version
	cs.SetEventWriter(io.Discard) // events vary in timing; results are compared
	cs.SetWidth(rec.header.Width)
	defer cs.CloseAll()
	for _, st := range s.Table.Settings() {
		want, ok := rec.header.Settings[st.Name]
		if !ok || st.Name == "color" || st.Name == "prompt" {
			continue
		}
		if now, _ := st.Get(cs); now == want {
			continue
		}
		if err := st.Set(cs, want); err != nil {
			c.Note("the recording's setting %s %s cannot be set here: %v", st.Name, want, Classify(err).Msg)
		}
	}
	if len(rec.header.Open) > 0 {
		c.Note("the recording began with %s open; this check begins without them", strings.Join(rec.header.Open, ", "))
	}
	nowLo, nowHi := ephemeralPorts()
	k := &tolerance{recLo: rec.header.EphemeralPorts[0], recHi: rec.header.EphemeralPorts[1],
		nowLo: nowLo, nowHi: nowHi, ports: map[int]int{}, back: map[int]int{}}
	if k.recLo == 0 && k.recHi == 0 {
		k.recLo, k.recHi = 32768, 60999
	}
	steps := playable(rec.steps())
	differ, ran := 0, 0
	for _, st := range steps {
		if c.Ctx.Err() != nil {
			return nil, &Error{Class: "KeyboardInterrupt", Msg: fmt.Sprintf("the check stopped at step %d of %d", st.Step, len(steps))}
		}
		cs.SetWidth(rec.header.Width)
		if st.Width != nil {
			cs.SetWidth(*st.Width)
		}
		line := k.rewrite(st.Line)
		// Under this command's context: Ctrl-C ends the step and the check.
		e := cs.execAt(c.Ctx, line, Location{})
		if c.Ctx.Err() != nil {
			return nil, &Error{Class: "KeyboardInterrupt", Msg: fmt.Sprintf("the check stopped at step %d of %d", st.Step, len(steps))}
		}
		ran++
		wantOut, wantErr := st.printed()
		gotOut, gotErr := out.String(), errs.String()
		out.Reset()
		errs.Reset()
		if why := k.stepDiffers(st, e, wantOut, wantErr, gotOut, gotErr); why != "" {
			differ++
			c.Note("step %d differs: %s", st.Step, st.Line)
			for _, l := range strings.Split(why, "\n") {
				c.Note("  %s", l)
			}
		}
		if cs.exit {
			break
		}
	}
	summary := fmt.Sprintf("%s, %d as recorded", plural(ran, "step"), ran-differ)
	if ran < len(steps) {
		summary += fmt.Sprintf(" (exit at step %d; %d not run)", ran, len(steps)-ran)
	}
	doc := map[string]any{"file": rec.name, "steps": ran, "as_recorded": ran - differ, "differ": differ}
	if differ > 0 {
		return nil, &Error{Class: "AssertionError", Msg: fmt.Sprintf("%s: %s; %d differ from the recording", displayName(rec.name), summary, differ)}
	}
	return Shown{summary, doc}, nil
}

// stepDiffers says how a step's run differs from its recording, "" when it
// does not.
func (k *tolerance) stepDiffers(st replayStep, e *Error, wantOut, wantErr, gotOut, gotErr string) string {
	gotClass := ""
	if e != nil {
		gotClass = e.Class
	}
	if st.Error != gotClass {
		return "recorded " + outcome(st.Error) + ", now " + outcome(gotClass) + "\n" + firstLines(wantOut+wantErr, gotOut+gotErr)
	}
	if d := k.differ(wantOut, gotOut); d != "" {
		return d
	}
	return k.differ(stripLocations(wantErr), stripLocations(gotErr))
}

func outcome(class string) string {
	if class == "" {
		return "no error"
	}
	return class
}

func firstLines(want, got string) string {
	first := func(t string) string {
		l, _, _ := strings.Cut(strings.TrimSpace(t), "\n")
		if l == "" {
			return "(nothing)"
		}
		return l
	}
	return "recorded: " + first(stripLocations(want)) + "\nnow:      " + first(stripLocations(got))
}

// location is where an error's line came from, before its message: the
// file and line (and column) of a script, -c or standard input. The
// patterns of this file compile on first use: only a replay check needs
// them, and compiling at start-up cost every run.
var location = lazyRegexp(`(?m)^[^\s:]+:\d+:(?:\d+:)? `)

func stripLocations(t string) string { return location().ReplaceAllString(t, "") }

// lazyRegexp compiles pattern once, when it is first used.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// tolerance holds what a check learnt: which recorded ephemeral port
// stands for which port now.
type tolerance struct {
	recLo, recHi int // the ephemeral range where the recording was made
	nowLo, nowHi int // and here
	ports        map[int]int
	back         map[int]int
}

// varying is one thing that may differ: a kind and where its value is.
type varying struct {
	kind string // "port", "fd", "time", "any"
	re   *regexp.Regexp
}

// The patterns of what varies; the first group of each is the value.
var varyingPatterns = sync.OnceValue(func() []varying {
	return []varying{
		// Addresses: Python's ('127.0.0.1', 41234) and ('::1', 41234, 0, 0),
		// JSON's ["127.0.0.1",41234], and text's 127.0.0.1:41234, [::1]:41234.
		{"port", regexp.MustCompile(`\('(?:[^'\\]|\\.)*', (\d+)`)},
		{"port", regexp.MustCompile(`\["[^"]*",\s*(\d+)\]`)},
		{"port", regexp.MustCompile(`(?:\b\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.%]+\]|\blocalhost):(\d+)\b`)},
		// Descriptors: a socket's repr, the words of events and notes, JSON,
		// and a system call's first argument in explain's trace.
		{"fd", regexp.MustCompile(`\bfd[= ](\d+)\b`)},
		{"fd", regexp.MustCompile(`"fd":\s*(\d+)`)},
		{"fd", regexp.MustCompile(`(?m)^\s*# [a-z_0-9]+\((\d+)[,)]`)},
		// Durations and times.
		{"time", regexp.MustCompile(`\b(\d+(?:\.\d+)?(?:e-?\d+)?) ?(?:ms|µs|us|ns|s)\b`)},
		{"time", regexp.MustCompile(`"(?:duration|time|took|seconds|offset|rtt|started)":\s*("[^"]*"|-?[0-9.eE+-]+)`)},
		{"any", regexp.MustCompile(`"where":\s*("(?:[^"\\]|\\.)*")`)},
	}
})

// varyingColumns are table columns whose cells are times or descriptors.
var varyingColumns = map[string]bool{"fd": true, "time": true, "took": true, "duration": true, "rtt": true}

// token is one varying value found in a text.
type token struct {
	kind  string
	value string
}

// template is a text with its varying values taken out: the text with a
// mark where each was, and the values in order.
type template struct {
	lines  []string
	tokens [][]token // per line
	orig   []string  // the lines as printed
}

// line is the text's line i as printed ("" past its end).
func (t template) line(i int) string {
	if i < len(t.orig) {
		return t.orig[i]
	}
	return ""
}

const mark = "\x00"

// parse makes a text's template: tables become their cells (borders and
// padding dropped), varying columns a mark, then the varying patterns.
func parse(text string) template {
	var t template
	var header []string
	inTable := false
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		orig := line
		switch {
		case tableBorder().MatchString(line):
			inTable = true
			continue
		case inTable && strings.HasPrefix(line, "|") && strings.HasSuffix(line, "|") && len(line) > 1:
			cells := strings.Split(line[1:len(line)-1], "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			if header == nil {
				header = cells
			} else {
				for i := range cells {
					if i < len(header) && varyingColumns[strings.ToLower(header[i])] && cells[i] != "" {
						cells[i] = mark + "any" + mark
					}
				}
			}
			line = "|" + strings.Join(cells, "|") + "|"
		default:
			inTable, header = false, nil
		}
		l, toks := takeVarying(line)
		t.lines = append(t.lines, l)
		t.tokens = append(t.tokens, toks)
		t.orig = append(t.orig, orig)
	}
	return t
}

var tableBorder = lazyRegexp(`^\+[-+]*\+$`)

// takeVarying replaces the varying values of one line by marks.
func takeVarying(line string) (string, []token) {
	type span struct {
		start, end int
		kind       string
	}
	var spans []span
	for _, v := range varyingPatterns() {
		for _, m := range v.re.FindAllStringSubmatchIndex(line, -1) {
			spans = append(spans, span{m[2], m[3], v.kind})
		}
	}
	// Marks already there (a varying column) stand for themselves.
	for i := 0; i < len(line); {
		j := strings.Index(line[i:], mark+"any"+mark)
		if j < 0 {
			break
		}
		spans = append(spans, span{i + j, i + j + len(mark+"any"+mark), "cell"})
		i += j + 1
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].start < spans[b].start })
	var b strings.Builder
	var toks []token
	at := 0
	for _, sp := range spans {
		if sp.start < at {
			continue // inside one taken already
		}
		b.WriteString(line[at:sp.start])
		if sp.kind == "cell" {
			b.WriteString(line[sp.start:sp.end])
		} else {
			b.WriteString(mark + sp.kind + mark)
			toks = append(toks, token{sp.kind, line[sp.start:sp.end]})
		}
		at = sp.end
	}
	b.WriteString(line[at:])
	return b.String(), toks
}

// differ compares a recorded text with one printed now; "" when they agree
// but for what varies, else the first line that differs, both ways.
func (k *tolerance) differ(want, got string) string {
	if want == got {
		return ""
	}
	w, g := parse(want), parse(got)
	n := max(len(w.lines), len(g.lines))
	for i := range n {
		var wl, gl string
		var wt, gt []token
		if i < len(w.lines) {
			wl, wt = w.lines[i], w.tokens[i]
		}
		if i < len(g.lines) {
			gl, gt = g.lines[i], g.tokens[i]
		}
		if wl != gl || len(wt) != len(gt) {
			return diffText(w.line(i), g.line(i), i < len(w.lines), i < len(g.lines))
		}
		for j := range wt {
			if why := k.sameValue(wt[j], gt[j]); why != "" {
				return diffText(w.orig[i], g.orig[i], true, true) + "\n(" + why + ")"
			}
		}
	}
	return ""
}

func diffText(want, got string, hasWant, hasGot bool) string {
	if !hasWant {
		want = "(no such line)"
	}
	if !hasGot {
		got = "(no such line)"
	}
	return "recorded: " + want + "\nnow:      " + got
}

// sameValue says why two values of a kind differ in a way that matters, ""
// when they may differ.
func (k *tolerance) sameValue(want, got token) string {
	if want.kind != "port" {
		return "" // descriptors and times vary
	}
	if want.value == got.value {
		return ""
	}
	wp, _ := strconv.Atoi(want.value)
	gp, _ := strconv.Atoi(got.value)
	if wp < k.recLo || wp > k.recHi {
		return fmt.Sprintf("port %d is not from the ephemeral range %d-%d: it was chosen, so it must stay", wp, k.recLo, k.recHi)
	}
	if gp < k.nowLo || gp > k.nowHi {
		return fmt.Sprintf("port %d is not from this machine's ephemeral range %d-%d", gp, k.nowLo, k.nowHi)
	}
	if p, ok := k.ports[wp]; ok && p != gp {
		return fmt.Sprintf("recorded port %d stood for %d before, not %d", wp, p, gp)
	}
	if p, ok := k.back[gp]; ok && p != wp {
		return fmt.Sprintf("port %d stands for recorded port %d already", gp, p)
	}
	k.ports[wp], k.back[gp] = gp, wp
	return ""
}

// rewrite puts the ports learnt so far into a recorded line: a word that is
// a recorded ephemeral port, or ends in :PORT, gets the port it stands for.
func (k *tolerance) rewrite(line string) string {
	if len(k.ports) == 0 {
		return line
	}
	stmts, err := Lex(line)
	if err != nil || len(stmts) != 1 {
		return line
	}
	words := stmts[0]
	changed := false
	for i, w := range words {
		if i == 0 || w.Bytes || w.Quoted {
			continue
		}
		head, port := "", w.Text
		if j := strings.LastIndexByte(w.Text, ':'); j >= 0 {
			head, port = w.Text[:j+1], w.Text[j+1:]
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			continue
		}
		if now, ok := k.ports[p]; ok {
			words[i].Text = head + strconv.Itoa(now)
			changed = true
		}
	}
	if !changed {
		return line
	}
	return joinWords(words)
}
