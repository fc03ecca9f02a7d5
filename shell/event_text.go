package shell

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// An event as the terminal writes it: one line of text, or one JSON document.

// EventText is an event as one line of text: "[echo 127.0.0.1:7007]
// connection from 127.0.0.1:5000", or for a note "s2: 12 bytes waiting
// (recv s2)". A newline in it is shown as \n.
func EventText(e Event) string {
	line := e.Message
	switch l := e.label(); {
	case l != "" && e.Note:
		line = l + ": " + line // a note: "s2: 12 bytes waiting (recv s2)"
	case l != "":
		line = "[" + l + "] " + line
	}
	return strings.ReplaceAll(line, "\n", `\n`)
}

// EventJSON is an event as one JSON document ending in a newline: its
// kind as "event", its time, resource and message, then its fields.
// Addresses are [host, port] pairs, as Python writes them; durations are
// seconds.
func EventJSON(e Event) []byte {
	var b bytes.Buffer
	add := func(k string, v any) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(jsonText(k))
		b.WriteByte(':')
		b.Write(jsonText(v))
	}
	b.WriteByte('{')
	add("event", string(e.Kind))
	add("time", e.Time.Format(time.RFC3339Nano))
	if e.Resource != "" {
		add("resource", e.Resource)
	}
	if e.Message != "" {
		add("message", e.Message)
	}
	for _, a := range e.Attrs {
		switch a.Key {
		case "event", "time", "resource", "message":
			continue // a field may not hide the event's own
		}
		add(a.Key, eventValueJSON(a.Value))
	}
	b.WriteString("}\n")
	return escapeJSONText(b.Bytes())
}

// jsonText encodes one value as JSON, HTML characters as they are.
func jsonText(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		enc.Encode(fmt.Sprint(v))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func eventValueJSON(v any) any {
	switch x := v.(type) {
	case netip.AddrPort:
		return []any{x.Addr().Unmap().String(), x.Port()}
	case netip.Addr:
		return x.String()
	case time.Duration:
		return x.Seconds()
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	}
	return toJSON(v)
}
