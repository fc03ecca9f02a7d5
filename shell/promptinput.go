// The prompt's input: readline reads the keys through it, and the
// terminal owner slips a wake rune into it when an event must be printed
// while a line is being typed. The rune reaches readline's own key loop,
// which hands it to the terminal owner (filterRune) between two keys: the
// event line is written above the prompt and the typed input is redrawn
// under it on the one goroutine that also handles the keys, so the two
// never interleave, whatever the timing.
package shell

import (
	"io"
	"sync"
)

// wakeRune is the rune the wake is carried by: a private-use character,
// never typed (the filter turns it into a key that does nothing).
const wakeRune = '\uF8FF'

var wakeBytes = []byte(string(wakeRune))

// promptInput wraps the prompt's standard input. It reads only when
// readline asks (as readline's own reader does), and a Read blocked on the
// keyboard returns the wake rune when wake is called.
type promptInput struct {
	r      io.Reader
	wakeC  chan struct{} // one wake waiting
	res    chan readResult
	closed chan struct{}
	once   sync.Once

	// Owned by the one goroutine that reads (readline's key reader).
	inflight bool   // a read of r runs into buf
	buf      []byte // r's bytes land here
	rest     []byte // bytes read but not yet returned
	err      error  // r's error, returned once rest is empty
}

type readResult struct {
	n   int
	err error
}

func newPromptInput(r io.Reader) *promptInput {
	return &promptInput{r: r, wakeC: make(chan struct{}, 1), res: make(chan readResult, 1),
		closed: make(chan struct{}), buf: make([]byte, 4096)}
}

// wake makes a Read return the wake rune: now, if one is blocked, or else
// the next. Many wakes before a Read are one.
func (p *promptInput) wake() {
	select {
	case p.wakeC <- struct{}{}:
	default:
	}
}

// unwake takes back a wake not yet read (the line ended first).
func (p *promptInput) unwake() {
	select {
	case <-p.wakeC:
	default:
	}
}

func (p *promptInput) Read(b []byte) (int, error) {
	if len(p.rest) > 0 {
		return p.give(b, nil), nil
	}
	if p.err != nil && !p.inflight {
		err := p.err
		p.err = nil
		return 0, err
	}
	select {
	case <-p.closed:
		return 0, io.EOF
	case <-p.wakeC:
		return p.give(b, wakeBytes), nil
	default:
	}
	if !p.inflight {
		p.inflight = true
		go func() {
			n, err := p.r.Read(p.buf)
			p.res <- readResult{n, err}
		}()
	}
	select {
	case <-p.closed:
		return 0, io.EOF
	case <-p.wakeC:
		return p.give(b, wakeBytes), nil
	case r := <-p.res:
		p.inflight = false
		p.err = r.err
		n := p.give(b, p.buf[:r.n])
		if len(p.rest) == 0 && p.err != nil && n == 0 {
			err := p.err
			p.err = nil
			return 0, err
		}
		return n, nil
	}
}

// give copies data (or what is left of earlier data, when data is nil)
// into b and keeps the rest, copied, for the next Read.
func (p *promptInput) give(b, data []byte) int {
	if data == nil {
		data, p.rest = p.rest, nil
	}
	n := copy(b, data)
	if n < len(data) {
		p.rest = append(p.rest[:0:0], data[n:]...)
	}
	return n
}

// Close makes Read return io.EOF, now and from then on.
func (p *promptInput) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}
