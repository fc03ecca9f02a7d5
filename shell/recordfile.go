// The recording's format: JSON Lines, one record a line, each with a
// "type". The first line is the header, so a reader can refuse what it
// does not know (another format, a newer version); then, in the order they
// happened, "command" (a statement, what it printed, its Python lines and
// timing), "event" (what the session's log took between and during
// commands), "output" (text printed outside any command), "dropped" (events
// the recording missed); "end" last, when the recording ended cleanly.
package shell

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sockshell/sockshell/shell/fileio"
)

// RecordingFormat names the format in the header.
const RecordingFormat = "sockshell-recording"

// RecordingVersion is the format version this sockshell writes and the
// newest it reads.
const RecordingVersion = 1

// The records' types.
const (
	recHeader  = "header"
	recCommand = "command"
	recEvent   = "event"
	recOutput  = "output"
	recDropped = "dropped"
	recEnd     = "end"
)

// recordingHeader is the first line.
type recordingHeader struct {
	Type      string `json:"type"`
	Format    string `json:"format"`
	Version   int    `json:"version"`
	Sockshell string `json:"sockshell"` // the version of sockshell that wrote it
	Started   string `json:"started"`   // RFC 3339, to the nanosecond
	// Width is the terminal's width tables were fitted to; 0: no limit.
	Width int `json:"width"`
	// Settings are the settings when the recording began, as set shows them.
	Settings map[string]string `json:"settings"`
	// EphemeralPorts is the kernel's range of ephemeral ports where the
	// recording was made: a port in it was the kernel's pick.
	EphemeralPorts [2]int `json:"ephemeral_ports"`
	// Open names the resources the session held when the recording began.
	Open []string `json:"open"`
}

// recordingStep is one statement. Depth 0 is a statement typed (or read
// from -c, a script, a pipe): a step, numbered. Depth 1 and more ran
// inside another (source FILE), and come before it.
type recordingStep struct {
	Type     string           `json:"type"`
	Step     int              `json:"step,omitempty"`
	Depth    int              `json:"depth"`
	Time     string           `json:"time"`
	Offset   float64          `json:"offset"` // seconds since the recording began
	Line     string           `json:"line"`
	Command  string           `json:"command"`
	Resource string           `json:"resource,omitempty"`
	Made     string           `json:"made,omitempty"`
	Duration float64          `json:"duration"` // seconds
	Result   string           `json:"result,omitempty"`
	Error    string           `json:"error,omitempty"`
	Errno    *int             `json:"errno,omitempty"`
	Python   []string         `json:"python,omitempty"`
	Timing   []recordingPhase `json:"timing,omitempty"`
	Width    *int             `json:"width,omitempty"` // tables' width, when not the header's (a resized terminal)
	Output   string           `json:"output"`          // standard output as printed, without colour
	Errors   string           `json:"errors"`          // standard error as printed, without colour
}

// recordingPhase is one measured phase of a command.
type recordingPhase struct {
	Phase   string  `json:"phase"`
	Seconds float64 `json:"seconds"`
}

// recordingEvent is one event of the session's log, as EventJSON writes
// it; Shown is the line the terminal printed for it ("" for a quiet one).
type recordingEvent struct {
	Type   string          `json:"type"`
	Offset float64         `json:"offset"`
	Shown  string          `json:"shown,omitempty"`
	Event  json.RawMessage `json:"event"`
}

// recordingOutput is text printed outside any command (the banner, a line
// that did not lex).
type recordingOutput struct {
	Type   string  `json:"type"`
	Offset float64 `json:"offset"`
	Output string  `json:"output"`
	Errors string  `json:"errors"`
}

// recordingDropped counts events the recording missed.
type recordingDropped struct {
	Type  string `json:"type"`
	Count uint64 `json:"count"`
	Why   string `json:"why"`
}

// recordingEnd is the last line of a recording that ended cleanly.
type recordingEnd struct {
	Type     string  `json:"type"`
	Time     string  `json:"time"`
	Offset   float64 `json:"offset"`
	Steps    int     `json:"steps"`    // statements at depth 0
	Commands int     `json:"commands"` // every statement
	Events   int     `json:"events"`
}

// recording is a recording read back: its header and its statements.
type recording struct {
	name     string
	header   recordingHeader
	commands []recordingStep // every statement, in order
	ended    bool            // it has its end record
}

// steps groups the statements by step: each step (depth 0) with the
// statements that ran inside it, which come before it.
func (r *recording) steps() []replayStep {
	var out []replayStep
	var inner []recordingStep
	for _, c := range r.commands {
		if c.Depth > 0 {
			inner = append(inner, c)
			continue
		}
		out = append(out, replayStep{recordingStep: c, inner: inner})
		inner = nil
	}
	return out
}

// replayStep is one step and what ran inside it.
type replayStep struct {
	recordingStep
	inner []recordingStep
}

// printed is everything the step printed, the statements inside it first.
func (s replayStep) printed() (out, errs string) {
	for _, c := range s.inner {
		out += c.Output
		errs += c.Errors
	}
	return out + s.Output, errs + s.Errors
}

// RecordingError is a file that cannot be replayed: not a recording, cut
// off, of a newer version. Python would raise ValueError on such data.
type RecordingError struct {
	Name string
	Line int // 0: the file as a whole
	Msg  string
	Hint string
}

func (e *RecordingError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", displayName(e.Name), e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", displayName(e.Name), e.Msg)
}

func (e *RecordingError) asError() *Error {
	return &Error{Class: "ValueError", Msg: e.Error(), Hint: e.Hint, Err: e}
}

// readRecording reads and checks a whole recording before anything of it
// runs: a file that is not one, is cut off or is of a newer version is
// refused with one error, and nothing runs.
func readRecording(ctx context.Context, name string) (*recording, error) {
	f, err := fileio.Open(ctx, name, fileio.Streams)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rec := &recording{name: name}
	br := bufio.NewReaderSize(f, 64*1024)
	lineNo := 0
	bad := func(msg, hint string) error {
		return (&RecordingError{Name: name, Line: lineNo, Msg: msg, Hint: hint}).asError()
	}
	notOne := "it is not a sockshell recording"
	for {
		line, err := readLine(br)
		if err == io.EOF && len(line) == 0 {
			break
		}
		lineNo++
		if err != nil && err != io.EOF {
			if errors.Is(err, errLineTooLong) {
				return nil, bad("a line longer than 16 MiB: "+notOne, "")
			}
			return nil, err
		}
		if err == io.EOF {
			// The last line has no newline: the writer stopped mid-line.
			if lineNo == 1 {
				return nil, bad(notOne+" (no complete first line)", "a recording begins with a header line written by record FILE")
			}
			return nil, bad("the recording is cut off in the middle of this line (no newline at its end)",
				"the session that wrote it may have been killed; the lines before it are whole")
		}
		var kind struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(line, &kind) != nil {
			if lineNo == 1 {
				return nil, bad(notOne+" (its first line is not JSON)", "a recording begins with a header line written by record FILE")
			}
			return nil, bad("this line is not JSON: the file was cut or changed", "")
		}
		if lineNo == 1 {
			if err := json.Unmarshal(line, &rec.header); err != nil || kind.Type != recHeader || rec.header.Format != RecordingFormat {
				return nil, bad(notOne+" (its first line is not a recording header)", "a recording begins with a header line written by record FILE")
			}
			if v := rec.header.Version; v > RecordingVersion || v < 1 {
				return nil, bad(fmt.Sprintf("the recording is of format version %d; this sockshell reads version %d", v, RecordingVersion),
					fmt.Sprintf("it was written by sockshell %s; replay it with that version or a newer one", SafeText(rec.header.Sockshell)))
			}
			continue
		}
		switch kind.Type {
		case recCommand:
			var st recordingStep
			if err := json.Unmarshal(line, &st); err != nil || st.Line == "" {
				return nil, bad("a command record without its line: the file was changed", "")
			}
			rec.commands = append(rec.commands, st)
		case recEnd:
			rec.ended = true
		case recEvent, recOutput, recDropped:
		default:
			// A record of a kind this version does not know: a newer
			// writer of the same version may add kinds; they are skipped.
		}
	}
	if lineNo == 0 {
		return nil, bad(notOne+" (the file is empty)", "a recording begins with a header line written by record FILE")
	}
	return rec, nil
}

// errLineTooLong: a line over the bound readLine keeps.
var errLineTooLong = errors.New("line too long")

// maxRecordLine bounds one record (a command's output can be large).
const maxRecordLine = 16 << 20

// readLine reads one line with its newline removed; io.EOF with the text
// when the input ends without a newline.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		part, err := br.ReadSlice('\n')
		buf = append(buf, part...)
		if len(buf) > maxRecordLine {
			return nil, errLineTooLong
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return buf, err
		}
		return bytes.TrimSuffix(buf, []byte("\n")), nil
	}
}
