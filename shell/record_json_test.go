package shell

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendStepIsEncoding: a step's record as appendStep writes it is
// byte for byte what the encoder (encoding/json, HTML unescaped, then
// escapeJSONText) writes, on random steps: strings plain and not (quotes,
// backslashes, control characters, DEL, non-ASCII, U+2028, invalid UTF-8),
// floats of every size (tiny, huge, negative, zero, negative zero), fields
// left out and not, empty and nil lists.
func TestAppendStepIsEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"", "a", "servport http tcp", `"`, `\`, "\n", "\r\n", "\t", "\x00", "\x1b[31m", "\x7f",
		"é", "日本", "\u2028", "\u2029", "\xff", "\xe2\x80", "<&>", "😀", " ", "80\n", "OSError: [Errno 111]"}
	str := func() string {
		var b bytes.Buffer
		for range rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	floats := []float64{0, math.Copysign(0, -1), 1e-7, 1e-6, 0.000123, 1.5, 3, 12345.678901, 1e20, 1e21, 1e22, -2.5, -1e-9, 5e-324, math.MaxFloat64}
	flt := func() float64 {
		switch rng.IntN(4) {
		case 0:
			return floats[rng.IntN(len(floats))]
		case 1: // an offset or a duration as a recording has them
			return roundSeconds(time.Duration(rng.Int64N(int64(1) << (10 + rng.IntN(45)))))
		}
		return rng.Float64() * math.Pow(10, float64(rng.IntN(30)-15))
	}
	e := newRecEncoder(time.Time{}, 0) // the writer's, without a file: what a step adds is read from e.buf
	for i := range 20000 {
		st := recordingStep{Type: recCommand, Depth: rng.IntN(3), Time: str(), Offset: flt(), Line: str(),
			Command: str(), Duration: flt(), Output: str(), Errors: str()}
		if rng.IntN(2) == 0 {
			st.Step = rng.IntN(100)
		}
		if rng.IntN(2) == 0 {
			st.Resource, st.Made, st.Result, st.Error = str(), str(), str(), str()
		}
		if rng.IntN(3) == 0 {
			n := rng.IntN(200) - 100
			st.Errno = &n
		}
		if rng.IntN(3) == 0 {
			w := rng.IntN(300)
			st.Width = &w
		}
		switch rng.IntN(3) {
		case 0:
			st.Python = []string{}
		case 1:
			for range rng.IntN(4) {
				st.Python = append(st.Python, str())
			}
		}
		switch rng.IntN(3) {
		case 0:
			st.Timing = []recordingPhase{}
		case 1:
			for range rng.IntN(4) {
				st.Timing = append(st.Timing, recordingPhase{Phase: str(), Seconds: flt()})
			}
		}
		// Half of them as the writer gives them: the time as a time, what
		// was printed as bytes.
		var at time.Time
		var out, errs []byte
		if rng.IntN(2) == 0 {
			at = time.Unix(rng.Int64N(1<<34), rng.Int64N(1e9))
			if rng.IntN(2) == 0 {
				at = at.UTC()
			}
			st.Time = at.Format(time.RFC3339Nano)
			out, errs = []byte(st.Output), []byte(st.Errors)
		}
		want, err := marshalJSON(st)
		if err != nil {
			t.Fatal(err)
		}
		// The record as the writer adds it to what it writes (appended in
		// place after what was there, escaped only when the encoder wrote a
		// part).
		e.buf = append(e.buf[:0], "{}\n"...)
		if at != (time.Time{}) {
			st.Time, st.Output, st.Errors = "", "", "" // taken from at, out and errs
		}
		e.writeStepRecord(&st, at, out, errs)
		if !bytes.HasPrefix(e.buf, []byte("{}\n")) {
			t.Fatalf("step %d: what was before the record changed: %q", i, e.buf)
		}
		got := e.buf[3:]
		if !bytes.Equal(got, want) {
			t.Fatalf("step %d:\nappendStep %s\nencoder    %s", i, got, want)
		}
		var back recordingStep
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("step %d: %v: %s", i, err, got)
		}
	}
	if e.err != nil {
		t.Fatal(e.err)
	}
}

// TestAppendFloatIsStrconv: a float written by appendFloat, whole
// microseconds (the direct decimal) or not, is what strconv's shortest
// form (encoding/json's, at these magnitudes) writes, over every number
// of digits before and after the point.
func TestAppendFloatIsStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := newRecEncoder(time.Time{}, 0)
	check := func(f float64) {
		t.Helper()
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.appendFloat(nil, f); !bytes.Equal(got, want) {
			t.Fatalf("%v (%b): appendFloat %s, encoder %s", f, math.Float64bits(f), got, want)
		}
	}
	for _, us := range []int64{0, 1, 9, 10, 100, 999999, 1000000, 1000001, 1500000, 999999999999999, 100000000000000} {
		check(roundSeconds(time.Duration(us) * time.Microsecond))
	}
	for range 100000 {
		us := rng.Int64N(int64(1) << (1 + rng.IntN(49)))
		f := roundSeconds(time.Duration(us) * time.Microsecond)
		check(f)
		check(math.Nextafter(f, 0)) // near whole microseconds, not one
		check(math.Nextafter(f, 10))
		check(f + 1e-7)
	}
	if got := string(r.appendFloat(nil, roundSeconds(375*time.Microsecond))); got != "0.000375" {
		t.Fatalf("375 µs: %s", got)
	}
	if _, ok := wholeMicroseconds(1.0000005); ok {
		t.Fatal("1.0000005 taken for whole microseconds")
	}
}
