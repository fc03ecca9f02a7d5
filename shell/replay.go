// Replay: a recording played back in front of an audience. At the prompt
// each step is typed out on the prompt's line and runs on Enter (the loop
// asks promptLine for its next line); with --auto the replay command types
// and runs every step itself, paced. replay --check is in replay_check.go.
package shell

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chzyer/readline"
)

// promptReplay is a replay waiting at the prompt: the steps and the next one.
type promptReplay struct {
	name  string
	steps []replayStep
	next  int
}

var replayState = NewStateKey("replay.prompt", func() *promptReplay { return nil })

// maxAuto bounds --auto's pause.
const maxAuto = 3600

func runReplay(c *Call) (any, error) {
	s := c.Session
	auto, hasAuto := c.Flag("auto")
	if c.Has("check") && hasAuto {
		return nil, c.UsageError("--check runs without pauses; --auto goes with replay FILE")
	}
	var pause time.Duration
	if hasAuto {
		f, err := strconv.ParseFloat(auto, 64)
		if err != nil || f < 0 || f > maxAuto || f != f {
			return nil, c.UsageError(fmt.Sprintf("--auto takes seconds between 0 and %d, not %s", maxAuto, StrRepr(auto)))
		}
		pause = time.Duration(f * float64(time.Second))
	}
	if !c.Has("check") && !hasAuto && (!s.AtPrompt() || s.depth > 1) {
		return nil, Usagef("replay FILE waits at the prompt for Enter before each step; here there is no prompt: use replay FILE --auto SECONDS, or replay --check FILE")
	}
	if replayState.Get(s) != nil {
		return nil, Usagef("a replay is under way at the prompt; Ctrl-C stops it")
	}
	rec, err := readRecording(c.Ctx, c.Arg(0))
	if err != nil {
		return nil, err
	}
	steps := playable(rec.steps())
	c.Python("# replay %s: the shell runs the recorded steps again (each shows its own Python)", StrRepr(rec.name))
	if c.Has("check") {
		return s.replayCheck(c, rec)
	}
	for _, st := range steps {
		if SafeText(st.Line) != st.Line {
			// Typed out, the line would reach the terminal raw.
			return nil, Errorf("ValueError", "step %d's line holds characters a terminal would obey: %s; replay --check runs it, replay at the prompt does not type it", st.Step, StrRepr(st.Line))
		}
	}
	if len(steps) == 0 {
		return Shown{"the recording " + StrRepr(rec.name) + " has no steps", map[string]any{"steps": 0}}, nil
	}
	if hasAuto {
		return s.replayAuto(c, rec, steps, pause)
	}
	replayState.With(s, func(p **promptReplay) { *p = &promptReplay{name: rec.name, steps: steps} })
	return Shown{fmt.Sprintf("replaying %s: %s; Enter runs each (edit it first if you like), Ctrl-C stops",
		StrRepr(rec.name), plural(len(steps), "step")), map[string]any{"file": rec.name, "steps": len(steps)}}, nil
}

// playable leaves out the steps a replay does not run: record and replay
// themselves, should a recording hold them (one that was edited), and
// exit, which ended the recorded session but must not end the one that
// replays it.
func playable(steps []replayStep) []replayStep {
	out := steps[:0:0]
	for _, st := range steps {
		switch firstWord(st.Line) {
		case "record", "replay", "exit", "quit":
			continue
		}
		out = append(out, st)
	}
	return out
}

func firstWord(line string) string {
	if f := strings.Fields(line); len(f) > 0 {
		return f[0]
	}
	return ""
}

// replayAuto types and runs each step, pause after it is typed. Ctrl-C
// (which cancels this command) stops it between steps or in one.
func (s *Session) replayAuto(c *Call, rec *recording, steps []replayStep, pause time.Duration) (any, error) {
	s.replayNest++
	defer func() { s.replayNest-- }()
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	stopped := func(i int) error {
		return &Error{Class: "KeyboardInterrupt", Msg: fmt.Sprintf("the replay of %s stopped at step %d of %d", displayName(rec.name), i+1, len(steps))}
	}
	for i, st := range steps {
		if err := s.typeOut(c.Ctx, st.Line, pause); err != nil {
			return nil, stopped(i)
		}
		e := s.execAt(context.WithoutCancel(c.Ctx), st.Line, Location{})
		s.mu.Lock()
		s.cancel = cancel
		s.mu.Unlock()
		if e != nil && e.Class == "KeyboardInterrupt" || c.Ctx.Err() != nil {
			return nil, stopped(i)
		}
		if s.exit {
			return None, nil
		}
	}
	return Shown{"# the replay of " + StrRepr(rec.name) + " is over: " + plural(len(steps), "step"),
		map[string]any{"file": rec.name, "steps": len(steps)}}, nil
}

// typeOut shows the prompt and line as if typed (a key at a time on a
// terminal), waits pause, and ends the line as Enter would; in json format
// it only waits (each result's document names its command). It ends early
// with the context's error.
func (s *Session) typeOut(ctx context.Context, line string, pause time.Duration) error {
	prompt := SafeText(s.PromptText())
	if s.Settings.Format == "json" {
		// One JSON document a result, each naming its command.
		return sleepCtx(ctx, pause)
	}
	if !s.OnTerminal() {
		s.Print(prompt + SafeText(line))
	} else {
		s.Print(prompt)
		if err := typeKeys(ctx, line, func(k string) { s.Print(k) }); err != nil {
			s.Print("\n")
			return err
		}
	}
	if err := sleepCtx(ctx, pause); err != nil {
		s.Print("\n")
		return err
	}
	s.Print("\n")
	return nil
}

// typeKeys writes line a character at a time, as a person types: a line
// takes about a second, a key at most 40 ms.
func typeKeys(ctx context.Context, line string, write func(string)) error {
	keys := []rune(SafeText(line))
	if len(keys) == 0 {
		return nil
	}
	per := min(40*time.Millisecond, time.Second/time.Duration(len(keys)))
	for _, k := range keys {
		write(string(k))
		if err := sleepCtx(ctx, per); err != nil {
			return err
		}
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// promptLine reads the prompt's next line. During a replay it is the next
// step, typed out and left on the line for Enter; Ctrl-C stops the replay.
func (s *Session) promptLine(rl *readline.Instance) (string, error) {
	p := replayState.Get(s)
	if p == nil {
		return rl.Readline()
	}
	if p.next >= len(p.steps) {
		s.endPromptReplay()
		s.Print(fmt.Sprintf("# the replay of %s is over: %s\n", SafeText(StrRepr(p.name)), plural(len(p.steps), "step")))
		return rl.Readline()
	}
	st := p.steps[p.next]
	// The keys are typed out before readline takes the terminal: Ctrl-C
	// then is a signal, which cancels this as it would a command.
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	out := rl.Stdout()
	fmt.Fprint(out, SafeText(s.PromptText()))
	err := typeKeys(ctx, st.Line, func(k string) { fmt.Fprint(out, k) })
	s.mu.Lock()
	s.cancel, s.interrupted = nil, false
	s.mu.Unlock()
	cancel()
	fmt.Fprint(out, "\r\x1b[K") // readline draws the prompt and the line again
	if err != nil {
		s.stopPromptReplay(p)
		return "", readline.ErrInterrupt
	}
	line, err := rl.ReadlineWithDefault(st.Line)
	if err != nil {
		if errors.Is(err, readline.ErrInterrupt) {
			s.stopPromptReplay(p)
		}
		return line, err
	}
	p.next++
	return line, nil
}

func (s *Session) stopPromptReplay(p *promptReplay) {
	s.endPromptReplay()
	s.Print(fmt.Sprintf("# the replay of %s stopped at step %d of %d (Ctrl-C)\n", SafeText(StrRepr(p.name)), p.next+1, len(p.steps)))
}

func (s *Session) endPromptReplay() {
	replayState.With(s, func(p **promptReplay) { *p = nil })
}
