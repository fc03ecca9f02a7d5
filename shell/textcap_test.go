package shell

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
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
