package bsd

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Option values as setsockopt takes them in words: integers, flags, SO_LINGER's pair, seconds.

func parseInt(text string, flag bool) (int, error) {
	t := strings.ToLower(strings.TrimSpace(text))
	if flag {
		switch t {
		case "on", "true", "yes":
			return 1, nil
		case "off", "false", "no":
			return 0, nil
		}
	}
	n, err := strconv.ParseInt(t, 0, 32)
	if errors.Is(err, strconv.ErrRange) {
		// Python's setsockopt reads an int VALUE as a C int; one that does
		// not fit makes it try VALUE as a bytes buffer, and fail so.
		return 0, &classedError{class: "TypeError", msg: "a bytes-like object is required, not 'int'",
			why: fmt.Sprintf("%s does not fit in a C int (-2147483648 to 2147483647), so Python's setsockopt took it for a bytes buffer; nothing was set", text)}
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", text)
	}
	return int(n), nil
}

// classedError is a parse error with the Python class and message a
// Python program doing the same would get, and a hint.
type classedError struct{ class, msg, why string }

func (e *classedError) Error() string { return e.msg }

// cInt reads a number that Python passes to C as an int: out of range, it
// is Python's OverflowError, never cut to 32 bits.
func cInt(text string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 32)
	if errors.Is(err, strconv.ErrRange) {
		msg := "signed integer is greater than maximum"
		if strings.HasPrefix(strings.TrimSpace(text), "-") {
			msg = "signed integer is less than minimum"
		}
		return 0, &Error{Op: "getsockopt", Class: "OverflowError", Msg: msg, Why: text + " does not fit in a C int (-2147483648 to 2147483647)"}
	}
	return int(n), err
}

// parseLinger reads "off", "on,SECS", "1,5", "1 5" or "(1, 5)".
func parseLinger(text string) (on, secs int, err error) {
	t := strings.ToLower(strings.TrimSpace(text))
	t = strings.TrimSuffix(strings.TrimPrefix(t, "("), ")")
	if t == "off" || t == "0" {
		return 0, 0, nil
	}
	fields := strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == ' ' })
	if len(fields) == 2 {
		switch fields[0] {
		case "on":
			fields[0] = "1"
		case "off":
			fields[0] = "0"
		}
		a, err1 := strconv.ParseInt(fields[0], 10, 32)
		b, err2 := strconv.ParseInt(fields[1], 10, 32)
		if errors.Is(err1, strconv.ErrRange) || errors.Is(err2, strconv.ErrRange) {
			wide := fields[0]
			if errors.Is(err2, strconv.ErrRange) {
				wide = fields[1]
			}
			// struct.pack('ii', …) refuses it; the kernel's struct linger
			// holds two C ints, and a wider value would be cut.
			return 0, 0, &classedError{class: "struct.error", msg: "'i' format requires -2147483648 <= number <= 2147483647",
				why: fmt.Sprintf("struct linger holds two C ints, and %s does not fit in one (-2147483648 to 2147483647); nothing was set", wide)}
		}
		if err1 == nil && err2 == nil && b >= 0 {
			return int(a), int(b), nil
		}
		if err1 == nil && err2 == nil {
			// python3's struct.pack('ii', 1, -1) passes it, and Linux takes a
			// negative count as unbounded; sockshell refuses it, and says why.
			return 0, 0, fmt.Errorf("linger SECONDS is a count from 0, not %d (Linux would take a negative count as no time limit: close would wait for unsent data for ever)", b)
		}
	}
	return 0, 0, fmt.Errorf("linger is \"off\", \"on,SECONDS\" or two integers \"ONOFF,SECONDS\", not %q", text)
}

// parseSeconds reads a duration in seconds; "none" is 0.
func parseSeconds(text string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "none" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || math.IsNaN(f) || f > 1e9 {
		return 0, fmt.Errorf("%q is not a number of seconds", text)
	}
	return time.Duration(f * float64(time.Second)), nil
}
