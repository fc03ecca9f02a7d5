package shell

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

// TestAppendBytesRepr: AppendBytesRepr keeps what dst holds and appends the
// plain repr after it, whatever room dst has: none, just the worst case's,
// plenty; short input and input past reprChunk (500 here), which is
// measured first when dst lacks the worst case's room.
func TestAppendBytesRepr(t *testing.T) {
	defer func(b int) { reprChunk = b }(reprChunk)
	for _, chunk := range []int{reprScratchFor, 500} {
		reprChunk = chunk
		for _, c := range reprCases(rand.New(rand.NewPCG(7, 8))) {
			want := "head:" + bytesReprRef(c)
			for _, spare := range []int{0, 1, 4*len(c) + reprRoom - 1, 4*len(c) + reprRoom, 5*len(c) + 64} {
				dst := append(make([]byte, 0, 5+spare), "head:"...)
				got := AppendBytesRepr(dst, c)
				if string(got) != want {
					t.Fatalf("AppendBytesRepr(%d bytes of room, %d bytes) = %.80q…, want %.80q…", spare, len(c), got, want)
				}
				if spare >= 4*len(c)+reprRoom && &got[0] != &dst[0] {
					t.Fatalf("AppendBytesRepr grew a dst that had the room (%d spare for %d bytes)", spare, len(c))
				}
			}
		}
	}
	if got := AppendBytesRepr(nil, nil); string(got) != "b''" {
		t.Fatalf("AppendBytesRepr(nil, nil) = %q", got)
	}
}

// TestAppendPyReprMatchesPyRepr: the render path's appending repr gives
// PyRepr's text for every kind of value a result holds, bytes alone and
// inside tuples and lists, as recvfrom returns them.
func TestAppendPyReprMatchesPyRepr(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var vals []any
	for _, c := range reprCases(r)[:20] {
		vals = append(vals, c, Tuple{c, Tuple{"127.0.0.1", 5353}}, List{c, c})
	}
	vals = append(vals, []byte{}, []byte("it's"), []byte(`it's "x"`), Tuple{}, Tuple{1}, Tuple{[]byte("a")},
		List{}, List{"a'b", "é\u202e", "x\\y", -3, nil, true, 1.5, None},
		Tuple{"::1", 80, 0, 0}, Repr{Text: "<socket fd=3>"}, Text("line\n"), []string{"a", "b"}, "plain", "it's", 0, int64(7))
	for _, v := range vals {
		if got, want := string(appendPyRepr([]byte("x"), v)), "x"+reprJoined(v); got != want {
			t.Fatalf("appendPyRepr(%.60q…) = %.80q…, want %.80q…", PyRepr(v), got, want)
		}
		if got, want := PyRepr(v), reprJoined(v); got != want {
			t.Fatalf("PyRepr = %.80q…, want %.80q…", got, want)
		}
	}
}

// reprJoined is Python's repr of a tuple or a list written the plain way,
// each element's repr joined as strings (PyRepr for anything else): what
// appendPyRepr, which PyRepr's tuples and lists use too, must give.
func reprJoined(v any) string {
	var parts []string
	var l, r string
	switch x := v.(type) {
	case Tuple:
		for _, e := range x {
			parts = append(parts, reprJoined(e))
		}
		if len(x) == 1 {
			return "(" + parts[0] + ",)"
		}
		l, r = "(", ")"
	case List:
		for _, e := range x {
			parts = append(parts, reprJoined(e))
		}
		l, r = "[", "]"
	case []byte:
		return bytesReprRef(x)
	case string:
		return StrRepr(x)
	default:
		return PyRepr(v)
	}
	return l + strings.Join(parts, ", ") + r
}

// TestPrintBytesAllocatesNothing: in a warm session, printing a 64 KiB
// bytes result (alone, or recvfrom's tuple) through Session.Exec, the
// python format and the terminal allocates no more than printing None:
// the repr goes into the render buffer the session keeps, and from there
// to the terminal's writer.
func TestPrintBytesAllocatesNothing(t *testing.T) {
	p := make([]byte, 64<<10)
	for i := range p {
		p[i] = byte(i * 7)
	}
	var result any
	tab := NewTable(&Command{Name: "data", Summary: "x", Group: "g",
		Run: func(c *Call) (any, error) { return result, nil }})
	var out bytes.Buffer
	s := NewSession(tab, &out, io.Discard)
	allocs := func(v any) float64 {
		result = v
		return testing.AllocsPerRun(50, func() {
			out.Reset()
			if e := s.Exec(context.Background(), "data", ""); e != nil {
				t.Fatal(e)
			}
		})
	}
	none := allocs(None)
	for _, v := range []any{p, Tuple{p, Tuple{"127.0.0.1", 40000}}} {
		if a := allocs(v); a > none {
			t.Errorf("printing %.20s… allocated %.0f times a call, printing None %.0f", PyRepr(v), a, none)
		}
		if want := PyRepr(v) + "\n"; out.String() != want {
			t.Fatalf("the terminal got %d bytes, not the repr (%d bytes)", out.Len(), len(want))
		}
	}
}

// TestBytesReprDenseEveryByteEveryPlace: after a block of escapes (32
// NULs, which put the fill in its dense way: no word tests), each byte
// value at each place of the next two blocks, of binary filler or of plain
// text (the block after the dense one is also filled the dense way), in
// both quotings, is escaped as the plain repr escapes it.
func TestBytesReprDenseEveryByteEveryPlace(t *testing.T) {
	const plain = "abcdefghijklmnopqrstuvwxyz012345"
	var binary [64]byte
	for i := range binary {
		binary[i] = byte(0x80 + i*5)
	}
	for _, filler := range []string{string(binary[:]), plain + plain} {
		for _, end := range []string{"tail" + plain, "tail\"\"" + plain} {
			for v := range 256 {
				for at := range 64 {
					p := []byte(string(make([]byte, 32)) + filler + end)
					p[32+at] = byte(v)
					if got, want := BytesRepr(p), bytesReprRef(p); got != want {
						t.Fatalf("BytesRepr(%q) = %s, byte by byte: %s", p, got, want)
					}
				}
			}
		}
	}
}

// TestBytesReprPortable: with the vector fill turned off (as on a
// processor without AVX-512, or another architecture), the portable fill
// gives the same repr on the same inputs as the tests above use.
func TestBytesReprPortable(t *testing.T) {
	if !reprVectorOn() {
		t.Skip("the portable fill is the only one here; the other tests use it")
	}
	reprVector = false
	defer func() { reprVector = true }()
	t.Run("EveryByteEveryPlace", TestBytesReprEveryByteEveryPlace)
	t.Run("DenseEveryByteEveryPlace", TestBytesReprDenseEveryByteEveryPlace)
	t.Run("Blocks", TestBytesReprBlocks)
	t.Run("Append", TestAppendBytesRepr)
	t.Run("Room", TestReprFillStaysInRoom)
	for _, c := range reprCases(rand.New(rand.NewPCG(11, 12))) {
		if got, want := BytesRepr(c), bytesReprRef(c); got != want {
			t.Fatalf("BytesRepr of %d bytes differs from the plain repr", len(c))
		}
	}
}

// TestReprFillStaysInRoom: the fill writes nothing past the room it is
// promised (4 bytes a byte of input, and 4 more), whatever the input: 64
// guard bytes after that room stay as they were.
func TestReprFillStaysInRoom(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 1000, 4097} {
		for _, kind := range []int{0, 1, 2} {
			p := make([]byte, n)
			for i := range p {
				switch kind {
				case 0:
					p[i] = byte(r.IntN(256))
				case 1:
					p[i] = 0 // every byte a 4-byte escape: the most room
				case 2:
					p[i] = "a\n'\\\x00"[r.IntN(5)]
				}
			}
			room := 4*n + 4
			buf := make([]byte, room+64)
			for i := range buf {
				buf[i] = 0xa5
			}
			_, tab := reprQuote(p)
			m := int(uintptr(reprFill(unsafe.Pointer(&buf[0]), p, tab)) - uintptr(unsafe.Pointer(&buf[0])))
			if want := bytesReprRef(p); "b"+want[1:2]+string(buf[:m])+want[1:2] != want {
				t.Fatalf("fill of %d bytes (kind %d) = %.60q…, want %.60q…", n, kind, buf[:m], want)
			}
			for i, c := range buf[room:] {
				if c != 0xa5 {
					t.Fatalf("fill of %d bytes (kind %d) wrote at %d, past its room of %d", n, kind, room+i, room)
				}
			}
		}
	}
}
