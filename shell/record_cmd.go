// The record and replay commands. They are the shell's own, not a family
// of commands/: a recording is the session's own data (what the terminal
// owner printed, the dispatcher's command events, the event log), and a
// replay drives the prompt and the dispatcher, which only the engine sees.
package shell

import (
	"strconv"
)

// RecordCommands returns record and replay.
func RecordCommands() []*Command {
	return []*Command{
		{
			Name: "record", Group: GroupShell,
			Summary: "Write the session to FILE as JSON Lines, until record off.",
			Help: "record FILE writes every command from here on to FILE, one JSON document a line: the line as typed, what it printed (results and errors as shown, without colour), its Python lines, how long it took and its timing phases, and the events of the session's log between and during commands (what the servers and sockets reported). The first line is a header (format, version, sockshell's version, when it began, the terminal's width, the settings).\n" +
				"record off ends it; so does the end of the session. The file is written beside FILE under a temporary name and becomes FILE when the recording ends; an existing FILE is never replaced unless --force is given. record alone says whether a recording is under way.\n" +
				"sockshell --record FILE records a whole run, -c, script and pipe runs too. replay FILE plays a recording back; replay --check FILE checks that it still gives the same results. (A file named off: record ./off.)",
			Examples: []string{"record demo.jsonl", "record off"},
			Args:     []Arg{Opt("FILE", recordFileArg)},
			Flags:    []Flag{{Name: "force", Help: "replace FILE if it exists, or a symbolic link there (never followed) (when the recording ends)"}},
			Run:      runRecord,
		},
		{
			Name: "replay", Group: GroupShell,
			Summary: "Play a recording back at the prompt, step by step, or check that it still gives the same results.",
			Help: "replay FILE types each recorded command out at the prompt; Enter runs it (you may edit it first; an emptied line skips it), and the next one is typed out. --auto SECONDS types and runs each step by itself, SECONDS after it is typed. Ctrl-C stops the replay and leaves the shell at its prompt. A recorded exit is not replayed: it ended the recorded session, not this one.\n" +
				"replay --check FILE runs the recording in a fresh session, without the prompt, and reports each step whose result or error differs from the recording; it fails (exit status 1 in a -c run) when one does. What legitimately varies from run to run is tolerated, and nothing else: ports from the kernel's ephemeral range (each recorded port must stand for the same new port throughout, and the new port is used in the lines that typed the old one), file descriptor numbers, durations and times, and the location before an error (-c:3:).\n" +
				"The whole file is read and checked before anything runs: a file that is not a recording, is cut off mid-line or is of a newer format version is refused with one error.",
			Examples: []string{"replay demo.jsonl", "replay demo.jsonl --auto 2", "replay --check demo.jsonl"},
			Forms: [][]Arg{
				{Req("FILE", FileArg), OptFlag("auto")},
				{FlagHere("check"), Req("FILE", FileArg)},
			},
			Flags: []Flag{
				{Name: "auto", Value: true, Meta: "SECONDS", Help: "type and run each step by itself, SECONDS after it is typed"},
				{Name: "check", Help: "run every step in a fresh session and report those whose results differ"},
			},
			Run: runReplay,
		},
	}
}

// recordFileArg is a file to record to, or off.
var recordFileArg = &ArgKind{Name: "file", Complete: func(_ *Session, p string) []string {
	out := completePath(p, false)
	if len(p) <= 3 && "off"[:len(p)] == p {
		out = append([]string{"off"}, out...)
	}
	return out
}}

func runRecord(c *Call) (any, error) {
	s := c.Session
	if c.NArg() == 0 {
		r := s.term.rec.Load()
		if r == nil {
			return Shown{"not recording", map[string]any{"recording": false}}, nil
		}
		r.mu.Lock()
		steps := r.steps
		r.mu.Unlock()
		return Shown{"recording to " + StrRepr(r.name) + " (" + plural(steps, "step") + " so far)",
			map[string]any{"recording": true, "file": r.name, "steps": steps}}, nil
	}
	if c.Arg(0) == "off" {
		if c.Has("force") {
			return nil, c.UsageError("--force goes with record FILE")
		}
		name, steps, err := s.stopRecording()
		if err != nil {
			return nil, err
		}
		c.Python("# record off: the shell ends its recording of this session")
		return Shown{"recorded " + plural(steps, "step") + " to " + StrRepr(name),
			map[string]any{"file": name, "steps": steps}}, nil
	}
	if err := s.startRecording(c.Ctx, c.Arg(0), c.Has("force")); err != nil {
		return nil, err
	}
	c.Python("# record %s: the shell writes this session to the file, as JSON Lines", StrRepr(c.Arg(0)))
	return Shown{"recording to " + StrRepr(c.Arg(0)) + "; record off ends it",
		map[string]any{"recording": true, "file": c.Arg(0)}}, nil
}

// plural spells a count with its unit: "1 step", "3 steps".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
