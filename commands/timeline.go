// The timeline: the session's event log as a table. Every command (the
// shell's command events), every socket's life (sock_events.go) and every
// server's connections (serve_events.go) is one row, in the order the log
// took them.
package commands

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/sockshell/sockshell/shell"
)

// timelineResourceArg is a socket or server of the session, open or closed
// since: completed from the registry, checked against the log by the run.
var timelineResourceArg = &shell.ArgKind{Name: "resource", Complete: func(s *shell.Session, _ string) []string {
	return s.ResourceNames(func(r shell.Resource) bool { return isSocket(r) || isServer(r) })
}}

func timelineCommands() []*shell.Command {
	return []*shell.Command{{
		Name: "timeline", Group: shell.GroupShell,
		Summary: "Show what happened in the session, in order: commands, sockets' and servers' events.",
		HelpFunc: func() string {
			return wrapText("One row an event, oldest first: its time in seconds since the session started, the "+
				"socket or server it happened to, its kind and what happened (a command with its result's type or "+
				"its error's class, and how long it took). SOCK or SERVER keeps that resource's rows, open or closed "+
				"since; --last N the last N rows; --since SECONDS the rows from that time on (the time column's "+
				"clock). The log keeps the last 4096 events. With set format json the result is one document: a "+
				"list with one object an event, its fields as the log keeps them (durations in milliseconds).", 80)
		},
		Examples: []string{"timeline", "timeline s1", "timeline --last 10", "timeline echo1 --since 5"},
		Args:     []shell.Arg{shell.Opt("SOCK|SERVER", timelineResourceArg), shell.OptFlag("last"), shell.OptFlag("since")},
		Flags: []shell.Flag{
			{Name: "last", Value: true, Meta: "N", Help: "only the last N rows"},
			{Name: "since", Value: true, Meta: "SECONDS", Help: "only the rows from SECONDS after the session started on"},
		},
		Run: runTimeline,
	}}
}

func runTimeline(c *shell.Call) (any, error) {
	last := 0
	if v, ok := c.Flag("last"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, c.UsageError(fmt.Sprintf("--last is a count of rows, 1 or more, not %s", shell.StrRepr(v)))
		}
		last = n
	}
	since := time.Duration(-1)
	if v, ok := c.Flag("since"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, c.UsageError(fmt.Sprintf("--since is a number of seconds since the session started, 0 or more, not %s", shell.StrRepr(v)))
		}
		since = time.Duration(f * float64(time.Second))
	}
	s := c.Session
	name := c.Arg(0)
	var evs []shell.Event
	if name == "" && since < 0 && last > 0 {
		// The last rows only: the log sorts no more than it must.
		evs = s.Events().LastByTime(last)
	} else {
		evs = s.Events().Recent(0)
		// In the order things happened: the log's order is the order events
		// reached it, and a server's goroutine may hand in an event it timed
		// a few microseconds before one a command emitted meanwhile.
		slices.SortStableFunc(evs, func(a, b shell.Event) int { return a.Time.Compare(b.Time) })
	}
	if name != "" {
		_, open := s.Resource(name)
		kept := evs[:0:0]
		for _, e := range evs {
			if e.Resource == name {
				kept = append(kept, e)
			}
		}
		if !open && len(kept) == 0 {
			return nil, shell.Errorf("NameError", "%s is no socket or server of this session (none open by that name, and none in the timeline)", shell.StrRepr(name))
		}
		evs = kept
	}
	start := s.Started()
	if since >= 0 {
		kept := evs[:0:0]
		for _, e := range evs {
			if e.Time.Sub(start) >= since {
				kept = append(kept, e)
			}
		}
		evs = kept
	}
	if last > 0 && len(evs) > last {
		evs = evs[len(evs)-last:]
	}
	if s.Settings.Format == "json" {
		out := make(shell.List, len(evs))
		for i, e := range evs {
			out[i] = eventJSON(e, start)
		}
		return out, nil
	}
	rows := &shell.Rows{Header: []string{"time", "resource", "event", "what", "took"}}
	for _, e := range evs {
		took := ""
		if d, ok := e.Attr("duration"); ok {
			if d, ok := d.(time.Duration); ok {
				took = shell.Milliseconds(d)
			}
		}
		rows.Append(fmt.Sprintf("%.3f", e.Time.Sub(start).Seconds()), e.Resource, string(e.Kind), e.Message, took)
	}
	return rows, nil
}

// eventJSON is one event as a JSON object: seq, time (seconds since the
// session started), kind, resource, message and the event's fields.
func eventJSON(e shell.Event, start time.Time) map[string]any {
	obj := map[string]any{"seq": int64(e.Seq), "time": e.Time.Sub(start).Seconds(), "kind": string(e.Kind),
		"resource": e.Resource, "message": e.Message}
	for _, a := range e.Attrs {
		if _, taken := obj[a.Key]; !taken {
			obj[a.Key] = attrJSON(a.Value)
		}
	}
	return obj
}

// attrJSON is a field's value as JSON shows it: a duration in
// milliseconds, an address as text, a list of fields as an object.
func attrJSON(v any) any {
	switch x := v.(type) {
	case time.Duration:
		return float64(x) / float64(time.Millisecond)
	case netip.AddrPort:
		return x.String()
	case netip.Addr:
		return x.String()
	case []shell.Attr:
		obj := make(map[string]any, len(x))
		for _, a := range x {
			obj[a.Key] = attrJSON(a.Value)
		}
		return obj
	case error:
		return x.Error()
	}
	return v
}
