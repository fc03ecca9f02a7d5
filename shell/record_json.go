// A step's record encoded without reflection: the same bytes as the
// encoder (encoding/json, HTML left unescaped) gives for recordingStep,
// which a recording writes once a command. Every value the direct path
// does not know to spell as encoding/json does (a string with a quote, a
// backslash, a control character but a newline, a carriage return and a
// tab, or any byte above ASCII; a float
// encoding/json writes with an exponent) is handed to the encoder itself,
// so the direct path never decides an escape. Offsets and durations, whole
// microseconds, are spelt from the integer (appendMicroseconds), the rest
// by strconv. TestAppendStepIsEncoding compares the two on random steps,
// TestAppendFloatIsStrconv the floats.
package shell

import (
	"bytes"
	"math"
	"strconv"
	"time"
)

// appendStep appends st's record and its newline, as e.enc.Encode(st)
// would write it. The writer gives the step's time as at (st.Time is its
// RFC 3339 form, printable ASCII, written without a string of its own)
// and what it printed as out and errs (st.Output, st.Errors); a zero at
// and nil out and errs take st's fields.
func (e *recEncoder) appendStep(b []byte, st *recordingStep, at time.Time, out, errs []byte) []byte {
	b = append(b, `{"type":`...)
	b = e.appendString(b, st.Type)
	if st.Step != 0 {
		b = append(b, `,"step":`...)
		b = strconv.AppendInt(b, int64(st.Step), 10)
	}
	b = append(b, `,"depth":`...)
	b = strconv.AppendInt(b, int64(st.Depth), 10)
	b = append(b, `,"time":`...)
	if at.IsZero() {
		b = e.appendString(b, st.Time)
	} else {
		b = append(b, '"')
		b = appendRFC3339Nano(b, at)
		b = append(b, '"')
	}
	b = append(b, `,"offset":`...)
	b = e.appendFloat(b, st.Offset)
	b = append(b, `,"line":`...)
	b = e.appendString(b, st.Line)
	b = append(b, `,"command":`...)
	b = e.appendString(b, st.Command)
	if st.Resource != "" {
		b = append(b, `,"resource":`...)
		b = e.appendString(b, st.Resource)
	}
	if st.Made != "" {
		b = append(b, `,"made":`...)
		b = e.appendString(b, st.Made)
	}
	b = append(b, `,"duration":`...)
	b = e.appendFloat(b, st.Duration)
	if st.Result != "" {
		b = append(b, `,"result":`...)
		b = e.appendString(b, st.Result)
	}
	if st.Error != "" {
		b = append(b, `,"error":`...)
		b = e.appendString(b, st.Error)
	}
	if st.Errno != nil {
		b = append(b, `,"errno":`...)
		b = strconv.AppendInt(b, int64(*st.Errno), 10)
	}
	if len(st.Python) > 0 {
		b = append(b, `,"python":[`...)
		for i, l := range st.Python {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendString(b, l)
		}
		b = append(b, ']')
	}
	if len(st.Timing) > 0 {
		b = append(b, `,"timing":[`...)
		for i, p := range st.Timing {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"phase":`...)
			b = e.appendString(b, p.Phase)
			b = append(b, `,"seconds":`...)
			b = e.appendFloat(b, p.Seconds)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if st.Width != nil {
		b = append(b, `,"width":`...)
		b = strconv.AppendInt(b, int64(*st.Width), 10)
	}
	b = append(b, `,"output":`...)
	if out != nil {
		b = appendJSONString(e, b, out)
	} else {
		b = e.appendString(b, st.Output)
	}
	b = append(b, `,"errors":`...)
	if errs != nil {
		b = appendJSONString(e, b, errs)
	} else {
		b = e.appendString(b, st.Errors)
	}
	return append(b, "}\n"...)
}

// appendString appends s as a JSON string. Printable ASCII but a quote
// and a backslash is written as it is, a newline, a carriage return and a
// tab as \n, \r and \t (as encoding/json spells them: nearly every output
// ends with a newline); a string with any other byte is handed whole to
// the encoder.
func (e *recEncoder) appendString(b []byte, s string) []byte {
	return appendJSONString(e, b, s)
}

// appendJSONString is appendString for a string or the bytes of one.
func appendJSONString[T string | []byte](e *recEncoder, b []byte, s T) []byte {
	mark := len(b)
	b = append(b, '"')
	from := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if jsonPlain[c] {
			continue
		}
		var esc string
		switch c {
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case '\t':
			esc = `\t`
		default:
			return e.appendEncoded(b[:mark], string(s))
		}
		b = append(b, s[from:i]...)
		b = append(b, esc...)
		from = i + 1
	}
	b = append(b, s[from:]...)
	return append(b, '"')
}

// jsonPlain marks the bytes a JSON string holds as they are: printable
// ASCII but a quote and a backslash.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendFloat appends f as encoding/json does where it writes plain
// decimals (0, and magnitudes from 1e-6 up to 1e21: the shortest 'f'
// form); else as the encoder writes it.
func (e *recEncoder) appendFloat(b []byte, f float64) []byte {
	if us, ok := wholeMicroseconds(f); ok {
		return appendMicroseconds(b, us)
	}
	if a := math.Abs(f); f == 0 && !math.Signbit(f) || a >= 1e-6 && a < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return e.appendEncoded(b, f)
}

// wholeMicroseconds reports whether f is the float64 nearest to a whole
// number of microseconds us, 0 <= us < 1e15 (what roundSeconds makes of
// every offset and duration). Such a number has at most 15 significant
// digits, and a decimal of at most 15 digits is the only one that short
// to round to its float64 (float64 keeps 15 decimal digits), so the
// shortest form strconv writes is that decimal itself.
func wholeMicroseconds(f float64) (int64, bool) {
	if !(f >= 0 && f < 1e9) || f == 0 && math.Signbit(f) {
		return 0, false
	}
	us := int64(math.Round(f * 1e6))
	return us, float64(us)/1e6 == f
}

// appendMicroseconds appends us microseconds as seconds, as strconv's
// shortest 'f' form spells them: no trailing zeros, no point for whole
// seconds.
func appendMicroseconds(b []byte, us int64) []byte {
	b = strconv.AppendInt(b, us/1e6, 10)
	frac := us % 1e6
	if frac == 0 {
		return b
	}
	digits := 6
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	b = append(b, '.')
	for n := frac; digits > 1 && n < pow10[digits-1]; digits-- {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, frac, 10)
}

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000}

// appendEncoded appends v as the recording's encoder writes it (without
// its newline).
func (e *recEncoder) appendEncoded(b []byte, v any) []byte {
	e.encoded = true
	e.scratch.Reset()
	if err := e.enc.Encode(v); err != nil && e.err == nil {
		e.err = err
	}
	return append(b, bytes.TrimSuffix(e.scratch.Bytes(), []byte("\n"))...)
}

// writeStepRecord appends st's record to buf, as json(st) would (at, out
// and errs as appendStep takes them). Only a
// record with a value the encoder wrote can hold a byte above ASCII, so
// only such a record is scanned by escapeJSONText (the direct path writes
// printable ASCII).
func (e *recEncoder) writeStepRecord(st *recordingStep, at time.Time, out, errs []byte) {
	if e.err != nil {
		return
	}
	e.encoded = false
	mark := len(e.buf)
	e.buf = e.appendStep(e.buf, st, at, out, errs)
	if e.err != nil || !e.encoded {
		return
	}
	esc := escapeJSONText(e.buf[mark:])
	e.buf = append(e.buf[:mark], esc...)
}
