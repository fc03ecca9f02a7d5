package classroom

// FuzzEventEncoder (issue 14): an event whose every text is any string,
// as the page's two encoders write it: the SSE messages of /events (the
// snapshot and a delta) and the state inside the HTML document. An SSE
// message stays one message (no line break inside its data, which a
// browser would read as the message's end or a new field), its data is
// JSON that reads back to the same texts, and the state in the page
// cannot end its <script> element or open a comment: no <, >, & or line
// separator is written raw. The page shows every text with textContent,
// never as markup (TestPageShowsTextOnly).

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzEventEncoder(f *testing.F) {
	f.Add("notice", "s1", "</script><script>alert(1)</script>", "line", "<!--\u2028\u2029\r\n\ndata: x\n\nevent: snapshot", uint64(1))
	f.Add("command", "\x1b]0;owned\x07", "\r>>> \u202e", "python", "{{STATE}}{{JS}}", uint64(7))
	f.Add("state", "s\x00", "\xff\xfe", "\x9b31m", "&lt;&#x3C;", uint64(0))
	f.Fuzz(func(t *testing.T, kind, resource, message, key, value string, seq uint64) {
		ev := Event{Seq: seq, Kind: kind, Resource: resource, Label: value, Message: message,
			Fields: map[string]any{key: value, "line": message, "local": []any{value, 1}}}
		h := NewHub(Options{Address: message, Poll: func() []Row {
			return []Row{{Name: resource, Kind: "socket", State: value, Notes: message, Detail: value}}
		}})
		c, first := h.follow(DefaultLimits.MaxFollowers)
		h.Add(ev)
		var delta []byte
		select {
		case delta = <-c.ch:
		default:
			t.Fatal("an event made no delta")
		}
		for _, msg := range [][]byte{first, delta} {
			data := sseData(t, msg)
			if bytes.ContainsAny(data, "<>&\u2028\u2029") {
				t.Errorf("SSE data holds a raw <, >, &, U+2028 or U+2029: %q", data)
			}
			var back map[string]any
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatalf("SSE data is no JSON: %v\n%q", err, data)
			}
		}
		var d Delta
		json.Unmarshal(sseData(t, delta), &d)
		if len(d.Events) != 1 {
			t.Fatalf("delta has %d events, want 1", len(d.Events))
		}
		got := d.Events[0]
		pairs := [][2]string{{got.Kind, kind}, {got.Resource, resource}, {got.Message, message}, {got.Label, value}}
		if utf8.ValidString(key) && key != "line" && key != "local" {
			pairs = append(pairs, [2]string{got.Field(key), value})
		}
		for _, p := range pairs {
			if utf8.ValidString(p[1]) && p[0] != p[1] {
				t.Errorf("a text read back as %q, was %q", p[0], p[1])
			}
		}
		page := Page(h.State(), true)
		state := pageState(t, page)
		if bytes.ContainsAny(state, "<>&\u2028\u2029") {
			t.Errorf("the page's state holds a raw <, >, &, U+2028 or U+2029: %q", state)
		}
		if n, want := bytes.Count(page, []byte("</script")), bytes.Count(Page(State{}, true), []byte("</script")); n != want {
			t.Errorf("the page has %d </script, an empty one %d", n, want)
		}
		var st State
		if err := json.Unmarshal(state, &st); err != nil || len(st.Events) != 1 {
			t.Errorf("the page's state does not read back (%v): %q", err, state)
		}
	})
}

// sseData checks msg is one SSE message, "event: E\nid: N\ndata: D\n\n",
// and returns D.
func sseData(t *testing.T, msg []byte) []byte {
	t.Helper()
	m := sseShape.FindSubmatch(msg)
	if m == nil {
		t.Fatalf("not one SSE message: %q", msg)
	}
	return m[1]
}

var sseShape = regexp.MustCompile(`\Aevent: (?:snapshot|delta)\nid: \d+\ndata: ([^\r\n]*)\n\n\z`)

// pageState is the text of the page's state element.
func pageState(t *testing.T, page []byte) []byte {
	t.Helper()
	const open = `<script type="application/json" id="state">`
	_, rest, ok := bytes.Cut(page, []byte(open))
	if !ok {
		t.Fatalf("no state element in the page")
	}
	state, _, ok := bytes.Cut(rest, []byte("</script>"))
	if !ok {
		t.Fatalf("the state element does not end")
	}
	return state
}

// TestPageShowsTextOnly: the page's script puts every text into the
// document with textContent (or an attribute), never parsed as HTML.
func TestPageShowsTextOnly(t *testing.T) {
	js, err := os.ReadFile("assets/page.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "srcdoc"} {
		if strings.Contains(string(js), sink) {
			t.Errorf("page.js uses %s: a peer's text could become markup or code", sink)
		}
	}
}
