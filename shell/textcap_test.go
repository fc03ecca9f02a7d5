package shell

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTextCapBoundsWhatIsShown: whatever the text, what SafeText and the
// JSON encoder make of what a TextCap kept stays within its bound, and
// writing the text in pieces (characters split between writes) keeps the
// same bytes as writing it whole.
func TestTextCapBoundsWhatIsShown(t *testing.T) {
	texts := []string{
		strings.Repeat("\x1b", 5000),
		strings.Repeat("é\u0085\u202e\U0001F600\xff\r\n\"\\a", 300),
		strings.Repeat("plain text line\n", 400),
		"\xe2\x82", // a character cut at the end
	}
	for _, text := range texts {
		for _, max := range []int{0, 1, 7, 100, 4096} {
			whole := NewTextCap(max)
			whole.Write([]byte(text))
			want := whole.Bytes()
			for _, step := range []int{1, 2, 3, 5} {
				tc := NewTextCap(max)
				for i := 0; i < len(text); i += step {
					tc.Write([]byte(text[i:min(i+step, len(text))]))
				}
				if got := tc.Bytes(); !bytes.Equal(got, want) {
					t.Errorf("max %d, writes of %d: kept %q, whole write kept %q", max, step, got, want)
				}
			}
			shown := SafeText(string(want))
			js, _ := json.Marshal(string(want))
			if len(shown) > max || len(js)-2 > max {
				t.Errorf("max %d: shown %d bytes, JSON %d", max, len(shown), len(js)-2)
			}
			if whole.Cut() != (len(want) < len(text)) {
				t.Errorf("max %d: Cut() %v with %d of %d bytes kept", max, whole.Cut(), len(want), len(text))
			}
			if whole.Kept() != int64(len(want)) {
				t.Errorf("Kept() %d, %d bytes kept", whole.Kept(), len(want))
			}
		}
	}
}

// TestTextCapAllocatesLittleOverItsCap: filling the cap allocates at most
// about twice what is kept (the buffer doubles, up to the most it can
// hold); append's 1.25x growth for large slices allocated five times.
func TestTextCapAllocatesLittleOverItsCap(t *testing.T) {
	const max = 16 << 20
	chunk := bytes.Repeat([]byte("A"), 64<<10)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	tc := NewTextCap(max)
	for i := 0; i < max/len(chunk)+1; i++ {
		tc.Write(chunk)
	}
	runtime.ReadMemStats(&after)
	if got := len(tc.Bytes()); got != max || !tc.Cut() {
		t.Fatalf("kept %d bytes, cut %v; want %d, cut", got, tc.Cut(), max)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 5*max/2 {
		t.Errorf("filling a %d-byte cap allocated %d bytes", max, alloc)
	}
	if c := cap(tc.Bytes()); c > max+utf8.UTFMax {
		t.Errorf("the buffer's capacity is %d, over the cap %d", c, max)
	}
}
