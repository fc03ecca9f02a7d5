// Menus: parsing the lines of a gopher menu into items, and formatting
// items back into menu lines.

package gopher

import (
	"io"
	"strconv"
	"strings"
)

// Default limits for ParseMenu.
const (
	DefaultMaxLineBytes = 64 << 10
	DefaultMaxItems     = 10000
	DefaultMaxMenuBytes = 8 << 20
)

// Limits bounds what ParseMenu keeps from a peer. Zero fields take the
// defaults.
type Limits struct {
	MaxLineBytes int // longer lines are cut and flagged Truncated
	MaxItems     int // ParseMenu stops reading after this many items
	MaxMenuBytes int // ... or once the lines kept add up to this many bytes
}

func (l Limits) withDefaults() Limits {
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = DefaultMaxLineBytes
	}
	if l.MaxItems <= 0 {
		l.MaxItems = DefaultMaxItems
	}
	if l.MaxMenuBytes <= 0 {
		l.MaxMenuBytes = DefaultMaxMenuBytes
	}
	return l
}

// Item is one line of a menu.
//
// Display and Raw are kept as the server sent them, which may include
// control characters and terminal escape sequences: the renderer must
// escape them before they reach a terminal.
type Item struct {
	Type     byte
	Display  string
	Selector string
	Host     string
	Port     int    // 0 when the port field is missing or not a port (see Invalid)
	PortText string // the port field as received
	Raw      string // the line as received, without its line ending

	Plus      bool // a fifth field "+": the server speaks gopher+
	Malformed bool // fewer than four fields, or a port field that is not a port number (1-65535)
	Truncated bool // the line was longer than the limit and was cut
}

// Menu is a parsed menu.
type Menu struct {
	Items      []Item
	Terminated bool // the lone "." line was seen (a menu ending at EOF is accepted too)
	Overflow   bool // parsing stopped at Limits.MaxItems or MaxMenuBytes; the rest was not read
}

// ParseMenuLine parses one menu line, with or without its line ending:
//
//	TYPE DISPLAY \t SELECTOR \t HOST \t PORT [\t +]
//
// It never fails. A line with missing tabs is kept, flagged Malformed, with
// what could be read; renderers usually show such a line as information
// text. An empty line becomes an info item. Unknown types are kept as they
// are.
func ParseMenuLine(line string) Item {
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	it := Item{Raw: line}
	if line == "" {
		it.Type = 'i'
		it.Malformed = true
		return it
	}
	it.Type = line[0]
	fields := strings.SplitN(line[1:], "\t", 5)
	it.Display = fields[0]
	if len(fields) > 1 {
		it.Selector = fields[1]
	}
	if len(fields) > 2 {
		it.Host = fields[2]
	}
	if len(fields) > 3 {
		it.PortText = fields[3]
		p := strings.TrimSpace(fields[3])
		n, err := strconv.Atoi(p)
		if err == nil && n >= 1 && n <= 65535 {
			it.Port = n
		} else if it.Type != 'i' && it.Type != '3' {
			it.Malformed = true
		}
	} else {
		it.Malformed = true
	}
	if len(fields) > 4 && strings.HasPrefix(fields[4], "+") {
		it.Plus = true
	}
	return it
}

// ParseMenu reads a menu up to the lone "." line or the end of r. Lines may
// end in CRLF or LF. It returns an error only when reading fails; what was
// parsed before the failure is returned with it. Memory is bounded by
// limits: a line longer than MaxLineBytes is cut (the rest is read and
// dropped) and flagged, and reading stops, with Overflow set, after
// MaxItems items or MaxMenuBytes bytes of kept lines.
func ParseMenu(r io.Reader, limits Limits) (Menu, error) {
	limits = limits.withDefaults()
	lr := newLineReader(r, limits.MaxLineBytes)
	var m Menu
	kept := 0
	for {
		line, long, err := lr.next()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return m, err
		}
		if len(line) == 1 && line[0] == '.' {
			m.Terminated = true
			return m, nil
		}
		if len(m.Items) >= limits.MaxItems || kept+len(line) > limits.MaxMenuBytes {
			m.Overflow = true
			return m, nil
		}
		kept += len(line)
		it := ParseMenuLine(string(line))
		it.Truncated = long
		m.Items = append(m.Items, it)
	}
}

// Invalid reports why an item that points somewhere (any type but info
// lines and error items) cannot be followed: field is the menu field at
// fault ("port", "host", or "line" for a line without all its fields),
// value is that field as received, and why says what is wrong with it
// ("is not a port number from 1 to 65535"). For an item that can be
// followed field is "".
func (it Item) Invalid() (field, value, why string) {
	if it.Type == 'i' || it.Type == '3' {
		return "", "", ""
	}
	if strings.Count(it.Raw, "\t") < 3 {
		return "line", it.Raw, "has fewer than the four tab-separated fields of a menu line"
	}
	p := strings.TrimSpace(it.PortText)
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || p[0] == '+' || p[0] == '-' {
		return "port", it.PortText, "is not a port number from 1 to 65535"
	}
	if it.Host == "" {
		return "host", it.Host, "is empty"
	}
	if !ValidHost(it.Host) {
		return "host", it.Host, "is neither a host name nor an IP address"
	}
	return "", "", ""
}

// Target returns what following the item fetches. Info and error items
// have no target, but the conversion still works field by field.
func (it Item) Target() Target {
	return Target{Host: it.Host, Port: it.Port, Type: it.Type, Selector: it.Selector}
}

// Line formats the item as a menu line ending in CRLF. Tabs, CR and LF in
// the fields are replaced by spaces so that the line stays one line.
func (it Item) Line() string {
	clean := strings.NewReplacer("\t", " ", "\r", " ", "\n", " ").Replace
	var b strings.Builder
	b.WriteByte(it.Type)
	b.WriteString(clean(it.Display))
	b.WriteByte('\t')
	b.WriteString(clean(it.Selector))
	b.WriteByte('\t')
	b.WriteString(clean(it.Host))
	b.WriteByte('\t')
	b.WriteString(strconv.Itoa(it.Port))
	if it.Plus {
		b.WriteString("\t+")
	}
	b.WriteString("\r\n")
	return b.String()
}
