// The tablewriter tables the shell draws with, kept for reuse: making a
// tablewriter.Table allocates several maps, one of them a 10,240-entry
// cache, which cost more than drawing a small table (the addrinfo table
// of a script of name lookups, the sockets table at every call).
package shell

import (
	"bytes"
	"reflect"
	"sync"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// keptTable is a table and the buffer it renders into.
type keptTable struct {
	t   *tablewriter.Table
	out *bytes.Buffer
}

// maxKeptOutput is the largest buffer kept for reuse; a table that drew
// more (thousands of rows) gives its buffer back to the collector.
const maxKeptOutput = 2 << 20

// tablePool holds idle tables, one list for each style. A table is used
// by one drawing at a time.
type tablePool struct {
	mu   sync.Mutex
	idle [tableStyles][]keptTable
}

var tables tablePool

// get returns an idle table of the style, reset, or a new one.
func (p *tablePool) get(st tableStyle) keptTable {
	p.mu.Lock()
	if n := len(p.idle[st]); n > 0 {
		k := p.idle[st][n-1]
		p.idle[st] = p.idle[st][:n-1]
		p.mu.Unlock()
		return k
	}
	p.mu.Unlock()
	out := &bytes.Buffer{}
	return keptTable{t: newStyledTable(out, st), out: out}
}

// put resets a table after its drawing and keeps it (a few of each style).
func (p *tablePool) put(st tableStyle, k keptTable) {
	if k.out.Cap() > maxKeptOutput {
		return
	}
	k.t.Reset()
	k.out.Reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle[st]) < 4 {
		p.idle[st] = append(p.idle[st], k)
	}
}

// noStringerCache is a stringer cache that keeps nothing (the shell's
// cells are strings; tablewriter's stringer is not used).
type noStringerCache struct{}

func (noStringerCache) Add(reflect.Type, reflect.Value) bool        { return false }
func (noStringerCache) Get(reflect.Type) (v reflect.Value, ok bool) { return v, false }
func (noStringerCache) Purge()                                      {}

// tablewriter keeps the display width of every string it measured in an
// 8,192-entry LRU behind a lock (twwidth's cache). The shell's tables are
// mostly new strings (ports, addresses, counts): each measure was a miss,
// an eviction and a new entry, dearer than counting the runes again.
// With the cache off, twwidth.Width counts them every time.
func init() { twwidth.SetCacheCapacity(0) }
