package shell

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The command log keeps every statement even when the event log's ring has
// long dropped them, and once full it keeps the last ones and counts the
// rest.
func TestCommandLogOutlivesTheEventRing(t *testing.T) {
	s, _, _ := testSession()
	s.KeepGoing = true
	// Fill the event ring with other events after two statements.
	s.Exec(context.Background(), "val a; set timeout 5", "")
	for i := 0; i < EventLogSize; i++ {
		s.Emit(Event{Kind: "noise", Quiet: true})
	}
	for _, e := range s.Events().Recent(0) {
		if e.Kind == EventCommand {
			t.Fatalf("the event ring still has a command event: %+v", e)
		}
	}
	got, dropped := s.Commands()
	if dropped != 0 || len(got) != 2 {
		t.Fatalf("Commands() = %d entries, %d dropped; want 2, 0", len(got), dropped)
	}
	if py, _ := got[0].Attr("python"); fmt.Sprint(py) != "[f('a')]" {
		t.Errorf("first entry's python = %v, want [f('a')]", py)
	}
	if got[0].DefaultTimeout != "socket.setdefaulttimeout(30.0)" || got[1].DefaultTimeout != "socket.setdefaulttimeout(5.0)" {
		t.Errorf("default timeouts %q, %q; want 30.0 then 5.0", got[0].DefaultTimeout, got[1].DefaultTimeout)
	}

	s.commands = commandLog{size: 3} // a small ring, to see it drop
	var lines []string
	for i := 0; i < 5; i++ {
		lines = append(lines, fmt.Sprintf("val x%d", i))
	}
	s.Exec(context.Background(), strings.Join(lines, "; "), "")
	got, dropped = s.Commands()
	if dropped != 2 || len(got) != 3 {
		t.Fatalf("Commands() = %d entries, %d dropped; want 3, 2", len(got), dropped)
	}
	for i, e := range got {
		if line, _ := e.Attr("line"); line != lines[i+2] {
			t.Errorf("entry %d is %v, want %q", i, line, lines[i+2])
		}
	}
}

// logResource is a resource for the command log's tests.
type logResource struct{}

func (logResource) Kind() string { return "thing" }
func (logResource) Close() error { return nil }

// The command log keeps a statement compactly and spells its event again:
// Commands() gives the same events the event log took (Seq, Time, message,
// every Attr in order), for results, errors with and without errno, usage
// errors, a resource made and used, Python lines and timing phases.
func TestCommandLogSpellsTheEvents(t *testing.T) {
	s, _, _ := testSession()
	s.Table.Add(
		&Command{Name: "make", Summary: "makes one", Group: "t",
			Run: func(c *Call) (any, error) {
				c.Python("t = thing()")
				return Repr{Text: "made " + c.Session.Register("t", logResource{})}, nil
			}},
		&Command{Name: "use", Summary: "uses one", Group: "t", Args: []Arg{Req("T", nil), Opt("X", nil)},
			Run: func(c *Call) (any, error) {
				c.Python("%s.use(%s)", c.Arg(0), StrRepr(c.Arg(1)))
				c.Python("# a second line, 'quoted' \\ and ünïcode")
				c.Timing("DNS", 400*time.Microsecond)
				c.Timing("handshake", 2*time.Millisecond+7)
				return "done", nil
			}},
	)
	s.KeepGoing = true
	for _, line := range []string{"val a", "make", "use t1 'x y'", "refused", "val a b c", "nosuch",
		"rows", "use t1", "boom", "val " + strings.Repeat("ü", 300), "set timeout 5"} {
		s.Exec(context.Background(), line, "")
	}
	var want []Event
	for _, e := range s.Events().Recent(0) {
		if e.Kind == EventCommand {
			want = append(want, e)
		}
	}
	got, dropped := s.Commands()
	if dropped != 0 || len(got) != len(want) || len(want) != 11 {
		t.Fatalf("Commands() = %d entries, %d dropped; the event log has %d command events (want 11)", len(got), dropped, len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].Event, want[i]) {
			t.Errorf("entry %d:\n got %#v\nwant %#v", i, got[i].Event, want[i])
		}
	}
	if _, ok := got[2].Attr("timing"); !ok {
		t.Errorf("use's entry has no timing: %+v", got[2].Event)
	}
	if got[len(got)-1].DefaultTimeout != "socket.setdefaulttimeout(5.0)" {
		t.Errorf("last default timeout %q", got[len(got)-1].DefaultTimeout)
	}
}

// The command log is bounded by the bytes of its text as well as by count:
// past the bytes, the oldest statements go (and are counted), and the
// last one stays even when it alone is over the bound.
func TestCommandLogBoundedByBytes(t *testing.T) {
	s, _, _ := testSession()
	s.commands = commandLog{maxBytes: 1000}
	s.KeepGoing = true
	for i := 0; i < 40; i++ {
		s.Exec(context.Background(), fmt.Sprintf("val %03d%s", i, strings.Repeat("x", 40)), "")
	}
	got, dropped := s.Commands()
	if len(got) == 0 || len(got) >= 40 || dropped != uint64(40-len(got)) {
		t.Fatalf("kept %d, dropped %d of 40 statements; want some dropped and the rest kept", len(got), dropped)
	}
	if s.commands.bytes > 1000 {
		t.Errorf("the log keeps %d bytes of text, over its bound of 1000", s.commands.bytes)
	}
	for i, e := range got {
		if line, _ := e.Attr("line"); !strings.HasPrefix(fmt.Sprint(line), fmt.Sprintf("val %03d", 40-len(got)+i)) {
			t.Errorf("entry %d is %v", i, line)
		}
	}
	s.Exec(context.Background(), "val "+strings.Repeat("y", 2000), "")
	got, _ = s.Commands()
	if len(got) != 1 {
		t.Fatalf("after a statement over the bound alone the log keeps %d; want that one", len(got))
	}
	if line, _ := got[0].Attr("line"); fmt.Sprint(line) != "val "+strings.Repeat("y", 2000) {
		t.Errorf("the one kept is %.20v", line)
	}
}

// The log's chunks (cmdChunkSize records each): across their boundaries it
// keeps the last statements in order, drops the oldest a chunk at a time
// without losing one, and holds no more chunks than its records need.
func TestCommandLogChunks(t *testing.T) {
	s, _, _ := testSession()
	const size = cmdChunkSize + cmdChunkSize/2 // a bound inside a chunk
	s.commands = commandLog{size: size}
	total := 3*cmdChunkSize + 7
	for i := 0; i < total; i++ {
		s.Exec(context.Background(), fmt.Sprintf("val x%d", i), "")
		if want := min(i+1, size); s.commands.n != want {
			t.Fatalf("after %d statements the log keeps %d, want %d", i+1, s.commands.n, want)
		}
		if k, most := len(s.commands.chunks), (s.commands.n+cmdChunkSize-1)/cmdChunkSize+1; k > most {
			t.Fatalf("after %d statements: %d chunks for %d records", i+1, k, s.commands.n)
		}
	}
	got, dropped := s.Commands()
	if len(got) != size || dropped != uint64(total-size) {
		t.Fatalf("Commands() = %d entries, %d dropped; want %d, %d", len(got), dropped, size, total-size)
	}
	for i, e := range got {
		if line, _ := e.Attr("line"); line != fmt.Sprintf("val x%d", total-size+i) {
			t.Fatalf("entry %d is %v, want val x%d", i, line, total-size+i)
		}
	}
}

// A command log record holds no pointer (its text is in its chunk's
// buffer, its end time beside it), so the collector never scans the
// records: it fails when a field that is or holds a pointer is added.
func TestCommandRecordHoldsNoPointer(t *testing.T) {
	var walk func(reflect.Type) bool
	walk = func(ty reflect.Type) bool {
		switch ty.Kind() {
		case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Chan,
			reflect.Func, reflect.Interface, reflect.UnsafePointer:
			return true
		case reflect.Struct:
			for i := 0; i < ty.NumField(); i++ {
				if walk(ty.Field(i).Type) {
					t.Errorf("cmdRecord field %s (%s) holds a pointer", ty.Field(i).Name, ty.Field(i).Type)
				}
			}
		case reflect.Array:
			return walk(ty.Elem())
		}
		return false
	}
	walk(reflect.TypeOf(cmdRecord{}))
}
