package gopher

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseMenuLine(t *testing.T) {
	tests := []struct {
		line string
		want Item
	}{
		{"0About\t/about.txt\texample.org\t70\r\n",
			Item{Type: '0', Display: "About", Selector: "/about.txt", Host: "example.org", Port: 70, PortText: "70", Raw: "0About\t/about.txt\texample.org\t70"}},
		{"1Docs\t/docs\th\t7070\t+",
			Item{Type: '1', Display: "Docs", Selector: "/docs", Host: "h", Port: 7070, PortText: "7070", Plus: true, Raw: "1Docs\t/docs\th\t7070\t+"}},
		{"iHello\t\terror.host\t1\n",
			Item{Type: 'i', Display: "Hello", Host: "error.host", Port: 1, PortText: "1", Raw: "iHello\t\terror.host\t1"}},
		{"3Oops\t\terror.host\tx",
			Item{Type: '3', Display: "Oops", Host: "error.host", PortText: "x", Raw: "3Oops\t\terror.host\tx"}},
		{"Just some text",
			Item{Type: 'J', Display: "ust some text", Raw: "Just some text", Malformed: true}},
		{"0Two\tfields",
			Item{Type: '0', Display: "Two", Selector: "fields", Raw: "0Two\tfields", Malformed: true}},
		{"0Bad port\t/x\th\tseventy",
			Item{Type: '0', Display: "Bad port", Selector: "/x", Host: "h", PortText: "seventy", Raw: "0Bad port\t/x\th\tseventy", Malformed: true}},
		{"", Item{Type: 'i', Malformed: true}},
		{"0Far\t/x\th\t70000",
			Item{Type: '0', Display: "Far", Selector: "/x", Host: "h", PortText: "70000", Raw: "0Far\t/x\th\t70000", Malformed: true}},
		{"0Zero\t/x\th\t0",
			Item{Type: '0', Display: "Zero", Selector: "/x", Host: "h", PortText: "0", Raw: "0Zero\t/x\th\t0", Malformed: true}},
		{"zUnknown\t/z\th\t70", Item{Type: 'z', Display: "Unknown", Selector: "/z", Host: "h", Port: 70, PortText: "70", Raw: "zUnknown\t/z\th\t70"}},
		{"iRed \x1b[31mtext\x1b[0m\t\th\t1",
			Item{Type: 'i', Display: "Red \x1b[31mtext\x1b[0m", Host: "h", Port: 1, PortText: "1", Raw: "iRed \x1b[31mtext\x1b[0m\t\th\t1"}},
	}
	for _, tt := range tests {
		if got := ParseMenuLine(tt.line); got != tt.want {
			t.Errorf("ParseMenuLine(%q) =\n %+v, want\n %+v", tt.line, got, tt.want)
		}
	}
}

// TestItemInvalid: an item whose port, host or fields cannot be followed
// says which field and why; info lines and error items are never invalid.
func TestItemInvalid(t *testing.T) {
	tests := []struct{ line, field, value string }{
		{"0Ok\t/x\texample.org\t70", "", ""},
		{"0Ok\t/x\t::1\t7070", "", ""},
		{"0Far\t/x\th\t70000", "port", "70000"},
		{"0Zero\t/x\th\t0", "port", "0"},
		{"0Neg\t/x\th\t-1", "port", "-1"},
		{"0Plus\t/x\th\t+70", "port", "+70"},
		{"0Word\t/x\th\tseventy", "port", "seventy"},
		{"0Empty port\t/x\th\t", "port", ""},
		{"0No host\t/x\t\t70", "host", ""},
		{"0Bad host\t/x\tev il\t70", "host", "ev il"},
		{"0Two\tfields", "line", "0Two\tfields"},
		{"iInfo\t\tnull.host\t70000", "", ""},
		{"3Error\t\terror.host\tx", "", ""},
	}
	for _, tt := range tests {
		field, value, why := ParseMenuLine(tt.line).Invalid()
		if field != tt.field || value != tt.value || (field == "") != (why == "") {
			t.Errorf("%q: Invalid() = %q, %q, %q; want field %q value %q", tt.line, field, value, why, tt.field, tt.value)
		}
	}
}

func TestParseMenu(t *testing.T) {
	in := "iWelcome\t\tnull.host\t1\r\n" +
		"0Text\t/t.txt\th\t70\n" +
		"no tabs at all\r\n" +
		".\r\n" +
		"0After the end\t/x\th\t70\r\n"
	m, err := ParseMenu(strings.NewReader(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Terminated || m.Overflow || len(m.Items) != 3 {
		t.Fatalf("got %+v", m)
	}
	if m.Items[2].Raw != "no tabs at all" || !m.Items[2].Malformed {
		t.Errorf("malformed line: %+v", m.Items[2])
	}

	// No terminator: accepted at EOF, last line without newline kept.
	m, err = ParseMenu(strings.NewReader("0A\t/a\th\t70\r\n0B\t/b\th\t70"), Limits{})
	if err != nil || m.Terminated || len(m.Items) != 2 || m.Items[1].Port != 70 {
		t.Fatalf("unterminated menu: %+v, %v", m, err)
	}

	// ".." and ". " are not terminators.
	m, _ = ParseMenu(strings.NewReader("..\r\n. \r\n"), Limits{})
	if m.Terminated || len(m.Items) != 2 {
		t.Fatalf("dots: %+v", m)
	}
}

func TestParseMenuLimits(t *testing.T) {
	long := "i" + strings.Repeat("x", 1<<20) + "\t\th\t1\r\n"
	m, err := ParseMenu(strings.NewReader(long+"0Next\t/n\th\t70\r\n.\r\n"), Limits{MaxLineBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Items) != 2 || !m.Items[0].Truncated || len(m.Items[0].Raw) != 1000 {
		t.Fatalf("long line: %d items, first truncated=%v len=%d", len(m.Items), m.Items[0].Truncated, len(m.Items[0].Raw))
	}
	if m.Items[1].Display != "Next" || m.Items[1].Truncated {
		t.Errorf("line after the long one: %+v", m.Items[1])
	}

	many := strings.Repeat("iline\t\th\t1\r\n", 100)
	m, _ = ParseMenu(strings.NewReader(many), Limits{MaxItems: 10})
	if len(m.Items) != 10 || !m.Overflow {
		t.Fatalf("MaxItems: %d items, overflow=%v", len(m.Items), m.Overflow)
	}
	m, _ = ParseMenu(strings.NewReader(many), Limits{MaxMenuBytes: 100})
	if len(m.Items) != 10 || !m.Overflow { // 10 lines of 10 bytes
		t.Fatalf("MaxMenuBytes: %d items, overflow=%v", len(m.Items), m.Overflow)
	}
}

func TestItemLine(t *testing.T) {
	it := Item{Type: '0', Display: "a\tb\r\nc", Selector: "/x", Host: "h", Port: 70}
	if got, want := it.Line(), "0a b  c\t/x\th\t70\r\n"; got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
	back := ParseMenuLine(it.Line())
	if back.Display != "a b  c" || back.Port != 70 || back.Malformed {
		t.Errorf("re-parsed: %+v", back)
	}
}

func TestTypeName(t *testing.T) {
	for typ, want := range map[byte]string{'0': "TXT", '1': "MENU", '7': "SEARCH", '+': "MIRROR", 'I': "IMG", 'i': "INFO", 'X': "XML", 'z': "z"} {
		if got := TypeName(typ); got != want {
			t.Errorf("TypeName(%q) = %q, want %q", typ, got, want)
		}
	}
	if !IsBinary('9') || !IsBinary('g') || !IsBinary('I') || IsBinary('0') || IsBinary('1') || IsBinary(0) {
		t.Error("IsBinary is wrong")
	}
}

func FuzzParseMenu(f *testing.F) {
	f.Add([]byte("iWelcome\t\tnull.host\t1\r\n0Text\t/t.txt\th\t70\r\n.\r\n"), 64, 10)
	f.Add([]byte("no tabs\n1Menu\t/m\th\t7070\t+\n"), 8, 1)
	f.Fuzz(func(t *testing.T, data []byte, maxLine, maxItems int) {
		maxLine = 1 + abs(maxLine)%4096
		maxItems = 1 + abs(maxItems)%1000
		lim := Limits{MaxLineBytes: maxLine, MaxItems: maxItems}
		m, err := ParseMenu(bytes.NewReader(data), lim)
		if err != nil {
			t.Fatalf("ParseMenu from memory failed: %v", err)
		}
		if len(m.Items) > maxItems {
			t.Fatalf("%d items, limit %d", len(m.Items), maxItems)
		}
		total := 0
		for _, it := range m.Items {
			if len(it.Raw) > maxLine {
				t.Fatalf("Raw has %d bytes, limit %d", len(it.Raw), maxLine)
			}
			if strings.ContainsAny(it.Raw, "\n") {
				t.Fatalf("Raw %q holds a line feed", it.Raw)
			}
			if len(it.Display) > len(it.Raw) || len(it.Selector) > len(it.Raw) || len(it.Host) > len(it.Raw) {
				t.Fatalf("fields longer than the line: %+v", it)
			}
			if it.Port < 0 || it.Port > 65535 {
				t.Fatalf("port %d", it.Port)
			}
			if !it.Malformed {
				// Formatting is stable: a formatted line re-parses to an
				// item that formats the same way, and keeps its target
				// when no field held a CR.
				line := it.Line()
				back := ParseMenuLine(line)
				if back.Line() != line {
					t.Fatalf("Line() %q re-parses and formats as %q", line, back.Line())
				}
				if !strings.Contains(it.Raw, "\r") && back.Target() != it.Target() {
					t.Fatalf("Line() %q does not re-parse to %+v", line, it.Target())
				}
			}
			total += len(it.Raw)
		}
		if total > len(data) {
			t.Fatalf("kept %d bytes from %d", total, len(data))
		}
		// Each line is its own item unless the limits stop parsing.
		if !m.Overflow && !m.Terminated && bytes.Count(data, []byte("\n"))+1 < len(m.Items) {
			t.Fatalf("%d items from %d lines", len(m.Items), bytes.Count(data, []byte("\n"))+1)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // the smallest int
			return 0
		}
		return -n
	}
	return n
}
