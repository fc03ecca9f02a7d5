// Renderers: a command's result printed as Python repr, as a table
// (olekukonko/tablewriter v1), or as one JSON document.
package shell

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Rows is a result with rows: a table by default.
type Rows struct {
	Header []string
	Rows   [][]any
	// Py is the Python value shown with `set format python` (nil: a list of tuples).
	Py any
	// JSON is the result in `set format json` (nil: an array of objects
	// keyed by the header), for a table that is one part of a richer answer.
	JSON any
}

// Lazy is a value built only when it is shown, as Rows' Py or JSON: the
// table format, which most lines print, needs neither, so a command that
// gives them as Lazy does not build them for nothing.
type Lazy func() any

// Append adds a row.
func (r *Rows) Append(cells ...any) { r.Rows = append(r.Rows, cells) }

// cell renders a table cell: strings as they are (escaped), other values as repr.
func cell(v any) string {
	switch x := v.(type) {
	case string:
		return SafeText(x)
	case Text:
		return SafeText(string(x))
	case Shown:
		return SafeText(x.Text)
	case nil, noneType:
		return ""
	case []string:
		return SafeText(strings.Join(x, " "))
	}
	return PyRepr(v)
}

// render prints a result in the session's format.
func (s *Session) render(c *Call, v any) error {
	format := s.Settings.Format
	if format == "json" {
		doc := map[string]any{"command": c.Line, "result": toJSON(v)}
		if len(c.python) > 0 {
			doc["python"] = c.python
		}
		if len(c.trace) > 0 {
			doc["syscalls"] = c.trace
		}
		if len(c.notes) > 0 {
			doc["notes"] = c.notes
		}
		b, err := marshalJSON(doc)
		if err != nil {
			return err
		}
		s.Print(string(b))
		return nil
	}
	buf := s.takeRenderBuf()
	defer s.keepRenderBuf(buf)
	if s.Settings.Explain {
		for _, p := range c.python {
			writePython(buf, s, p)
		}
		for _, t := range c.trace {
			buf.WriteString(s.paint(dim, "  # "+SafeText(t)) + "\n")
		}
		if len(c.timing) > 0 && !s.Settings.Timing {
			// With timing on the note under the result says it.
			buf.WriteString(s.paint(dim, "  # timing: "+phasesText(c.timing)) + "\n")
		}
	}
	if err := writeValue(buf, v, format, s.Width()); err != nil {
		return err
	}
	for _, n := range c.notes {
		// Every line of a note is a comment, so that no text a note
		// quotes (a peer's, a file's) can start a line of its own.
		for _, l := range strings.Split(SafeText(n), "\n") {
			buf.WriteString(s.paint(dim, "# "+l) + "\n")
		}
	}
	if s.Settings.Timing {
		buf.WriteString(s.paint(dim, "# "+timingNote(c.timing, time.Since(c.start))) + "\n")
	}
	s.term.writeBytes(s.term.out, buf.Bytes())
	return nil
}

// takeRenderBuf is an empty buffer for a render, the one the last render
// used: printing a result allocates nothing for the text in a warm
// session. (A render on another goroutine meanwhile gets a new one.)
func (s *Session) takeRenderBuf() *bytes.Buffer {
	if b := s.term.renderBuf.Swap(nil); b != nil {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

// keepRenderBuf keeps buf for the next render, unless it grew past
// keepRender (a page of megabytes is not held for the rest of the session).
func (s *Session) keepRenderBuf(buf *bytes.Buffer) {
	if buf.Cap() <= keepRender {
		s.term.renderBuf.Store(buf)
	}
}

// keepRender bounds the render buffer kept between results: the repr of a
// 1 MiB recv at its worst (4 bytes a byte).
const keepRender = 4<<20 + 64<<10

// writePython prints one Python statement as the interactive interpreter
// shows it: ">>> " before its first line, "... " before the others, and a
// compound statement (more than one line) ended by a bare "...", so that the
// lines pasted into python3 run as they are.
func writePython(buf *bytes.Buffer, s *Session, src string) {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		prompt := "... "
		if i == 0 {
			prompt = ">>> "
		}
		buf.WriteString(s.paint(dim, prompt+SafeText(l)) + "\n")
	}
	if len(lines) > 1 {
		buf.WriteString(s.paint(dim, "...") + "\n")
	}
}

// writeValue writes a value in a format; width fits tables to a terminal
// (0: no limit).
func writeValue(buf *bytes.Buffer, v any, format string, width int) error {
	switch x := v.(type) {
	case nil, noneType:
		return nil
	case Text, Shown:
		var t string
		if sh, ok := x.(Shown); ok {
			t = SafeText(sh.Text)
		} else {
			t = SafeText(string(x.(Text)))
		}
		buf.Grow(len(t) + 1) // once: a 16 MiB page and its newline would double the buffer
		buf.WriteString(t)
		if t != "" && !strings.HasSuffix(t, "\n") {
			buf.WriteByte('\n')
		}
		return nil
	case *Rows:
		if format == "python" {
			py := x.Py
			if l, ok := py.(Lazy); ok {
				py = l()
			}
			if py == nil {
				l := make(List, len(x.Rows))
				for i, r := range x.Rows {
					t := make(Tuple, len(r))
					for j, c := range r {
						t[j] = unshown(c)
					}
					l[i] = t
				}
				py = l
			}
			buf.WriteString(PyRepr(py) + "\n")
			return nil
		}
		rows := make([][]string, len(x.Rows))
		for i, r := range x.Rows {
			row := make([]string, len(r))
			for j, c := range r {
				row[j] = cell(c)
			}
			rows[i] = row
		}
		header := make([]string, len(x.Header))
		for i, h := range x.Header {
			header[i] = SafeText(h) // a column may be named from data, as a cell is
		}
		return renderTable(buf, header, rows, width)
	}
	if format == "table" {
		return renderTable(buf, []string{"result"}, [][]string{{cell(v)}}, width)
	}
	// Appended to the buffer's own bytes (and the buffer made again over
	// them: no copy), so a bytes result is printed straight into it.
	*buf = *bytes.NewBuffer(append(appendPyRepr(buf.Bytes(), v), '\n'))
	return nil
}

// toJSON maps a result to plain JSON values: numbers to numbers, tuples
// and lists to arrays, None to null, bytes to {"len", "repr", "base64"},
// rows to an array of objects keyed by header, a Shown to its value.
func toJSON(v any) any {
	switch x := v.(type) {
	case nil, noneType:
		return nil
	case Shown:
		return toJSON(x.Value)
	case []byte:
		return map[string]any{"len": len(x), "repr": BytesRepr(x), "base64": base64.StdEncoding.EncodeToString(x)}
	case Tuple:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toJSON(e)
		}
		return out
	case List:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toJSON(e)
		}
		return out
	case Repr:
		if x.JSON != nil {
			return toJSON(x.JSON)
		}
		return x.Text
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toJSON(e)
		}
		return out
	case []string:
		if x == nil {
			return []string{} // a list, even when empty
		}
		return x
	case Text:
		return string(x)
	case Lazy:
		return toJSON(x())
	case *Rows:
		if x.JSON != nil {
			return toJSON(x.JSON)
		}
		out := make([]any, len(x.Rows))
		for i, r := range x.Rows {
			obj := map[string]any{}
			for j, c := range r {
				if j < len(x.Header) {
					obj[strings.ToLower(strings.ReplaceAll(x.Header[j], " ", "_"))] = toJSON(c)
				}
			}
			out[i] = obj
		}
		return out
	case string, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, bool:
		return x
	}
	return fmt.Sprint(v)
}

// printError prints an error as Python would name it, with its hint.
func (s *Session) printError(prefix string, e *Error) {
	if e.reported {
		return
	}
	if s.Settings.Format == "json" {
		doc := map[string]any{"error": map[string]any{"class": e.Class, "message": e.Msg}}
		if e.command != "" {
			doc["command"] = e.command
		}
		if len(e.notes) > 0 {
			doc["notes"] = e.notes
		}
		if len(e.python) > 0 {
			doc["python"] = e.python
		}
		if len(e.syscalls) > 0 {
			doc["syscalls"] = e.syscalls
		}
		if e.HasErrno {
			doc["error"].(map[string]any)["errno"] = e.Errno
		}
		if e.Hint != "" {
			doc["error"].(map[string]any)["hint"] = e.Hint
		}
		if where := strings.TrimSuffix(prefix, ": "); where != "" {
			doc["where"] = where
		}
		b, err := marshalJSON(doc)
		if err != nil {
			b = []byte(`{"error":{"class":"InternalError","message":"the error could not be encoded as JSON"}}` + "\n")
		}
		s.printErr(string(b))
		return
	}
	// An error and its hint are a line each, whatever text they quote.
	line := SafeText(prefix) + s.paint(red, OneLine(e.Error()))
	if e.Hint != "" {
		line += "\n" + s.paint(dim, "  hint: "+OneLine(e.Hint))
	}
	s.printErr(line + "\n")
}
