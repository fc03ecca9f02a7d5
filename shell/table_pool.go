// The tablewriter tables the shell draws with, kept for reuse: making a
// tablewriter.Table allocates several maps, one of them a 10,240-entry
// cache, which cost more than drawing a small table (the addrinfo table
// of a script of name lookups, the sockets table at every call).
package shell

import (
	"bytes"
	"reflect"
	"strconv"
	"sync"

	"github.com/olekukonko/tablewriter"
)

// keptTable is a table and the buffer it renders into.
type keptTable struct {
	t   *tablewriter.Table
	out *bytes.Buffer
}

// maxKeptOutput is the largest buffer kept for reuse; a table that drew
// more (thousands of rows) gives its buffer back to the collector.
const maxKeptOutput = 2 << 20

// tablePool holds idle tables, one list for each style (with and without
// lines between rows). A table is used by one drawing at a time.
type tablePool struct {
	mu   sync.Mutex
	idle [2][]keptTable
}

var tables tablePool

func style(linesBetweenRows bool) int {
	if linesBetweenRows {
		return 1
	}
	return 0
}

// get returns an idle table of the style, reset, or a new one.
func (p *tablePool) get(linesBetweenRows bool) keptTable {
	i := style(linesBetweenRows)
	p.mu.Lock()
	if n := len(p.idle[i]); n > 0 {
		k := p.idle[i][n-1]
		p.idle[i] = p.idle[i][:n-1]
		p.mu.Unlock()
		return k
	}
	p.mu.Unlock()
	out := &bytes.Buffer{}
	return keptTable{t: newTablewriter(out, linesBetweenRows), out: out}
}

// put resets a table after its drawing and keeps it (a few of each style).
func (p *tablePool) put(linesBetweenRows bool, k keptTable) {
	if k.out.Cap() > maxKeptOutput {
		return
	}
	k.t.Reset()
	k.out.Reset()
	i := style(linesBetweenRows)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle[i]) < 4 {
		p.idle[i] = append(p.idle[i], k)
	}
}

// noStringerCache is a stringer cache that keeps nothing (the shell's
// cells are strings; tablewriter's stringer is not used).
type noStringerCache struct{}

func (noStringerCache) Add(reflect.Type, reflect.Value) bool        { return false }
func (noStringerCache) Get(reflect.Type) (v reflect.Value, ok bool) { return v, false }
func (noStringerCache) Purge()                                      {}

// drawnTables remembers the text of the last tables drawn, by their
// content: the same header, rows and style always draw the same text, so
// a table asked for again (a script repeating a lookup, `sockets` when
// nothing changed) is not drawn again. tablewriter drew every text kept.
type drawnTables struct {
	mu    sync.Mutex
	text  map[string][]byte
	bytes int // of the keys and texts kept
}

var drawn drawnTables

// Limits of what is remembered: a table of up to a MiB of cells and a MiB
// of text (the sockets table of a few thousand sockets), 32 tables and
// 4 MiB in all.
const (
	maxDrawnKey   = 1 << 20
	maxDrawnText  = 1 << 20
	maxDrawnCount = 32
	maxDrawnBytes = 4 << 20
)

// drawnKey is a table's content as one string, each cell preceded by its
// length (so no two tables share a key); small is false for a table too
// big to remember.
func drawnKey(header []string, rows [][]string, linesBetweenRows bool) (key string, small bool) {
	n := 0
	for _, c := range header {
		n += len(c) + 4
	}
	for _, r := range rows {
		for _, c := range r {
			n += len(c) + 4
		}
		n += 2
	}
	if n > maxDrawnKey {
		return "", false
	}
	b := make([]byte, 0, n+8)
	b = append(b, byte('0'+style(linesBetweenRows)))
	cells := func(cs []string) {
		b = strconv.AppendInt(b, int64(len(cs)), 10)
		b = append(b, ';')
		for _, c := range cs {
			b = strconv.AppendInt(b, int64(len(c)), 10)
			b = append(b, ':')
			b = append(b, c...)
		}
	}
	cells(header)
	for _, r := range rows {
		cells(r)
	}
	return string(b), true
}

func (d *drawnTables) get(key string) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.text[key]
	return t, ok
}

// put keeps a copy of text; when full, it forgets them all and starts again.
func (d *drawnTables) put(key string, text []byte) {
	if len(text) > maxDrawnText {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.text == nil || len(d.text) >= maxDrawnCount || d.bytes+len(key)+len(text) > maxDrawnBytes {
		d.text, d.bytes = make(map[string][]byte, maxDrawnCount), 0
	}
	if _, ok := d.text[key]; !ok {
		d.bytes += len(key) + len(text)
	}
	d.text[key] = bytes.Clone(text)
}
