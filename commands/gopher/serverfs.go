// What the server answers: selectors mapped onto the directory tree,
// directory listings, gophermaps, files and name searches.

package gopher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
)

// GophermapName is the file that, in a directory, replaces the generated
// listing.
const GophermapName = "gophermap"

const (
	maxListing       = 10000 // entries in a generated listing
	maxSearchResults = 200
)

// request is one parsed request with the address menus point back at.
type request struct {
	selector, search string
	host             string
	port             int
}

// item returns a menu item pointing at this server.
func (r request) item(typ byte, display, selector string) Item {
	return Item{Type: typ, Display: display, Selector: selector, Host: r.host, Port: r.port}
}

func infoItem(text string) Item {
	return Item{Type: 'i', Display: text, Host: "null.host", Port: 1}
}

// errRefused is a selector the server will not serve; its text goes to the
// client in an error item.
type errRefused string

func (e errRefused) Error() string { return string(e) }

// relPath maps a selector onto a path relative to the root ("." for the
// root itself). Selectors are taken relative to the root whether or not
// they start with '/'.
func relPath(selector string) (string, error) {
	if strings.IndexByte(selector, 0) >= 0 {
		return "", errRefused("bad selector: NUL byte")
	}
	for _, part := range strings.Split(selector, "/") {
		if part == ".." {
			return "", errRefused("access denied: '..' in selector")
		}
		if strings.HasPrefix(part, ".") && part != "." {
			return "", errRefused("access denied: hidden file")
		}
	}
	rel := strings.TrimPrefix(path.Clean("/"+selector), "/")
	if rel == "" {
		rel = "."
	}
	return rel, nil
}

// selectorFor returns the selector of a path relative to the root.
func selectorFor(rel string) string {
	if rel == "." || rel == "" {
		return "/"
	}
	return "/" + rel
}

// errNotServable is what openServed says of anything but a regular file
// or a directory.
var errNotServable = errors.New("not a regular file")

// openServed opens rel under the root for reading without ever waiting in
// open(2), and checks the type of what it opened, not of what a Stat saw a
// moment before: O_NONBLOCK makes opening a FIFO (or a device) return at
// once, O_NOCTTY keeps a terminal from becoming ours, and fstat on the new
// descriptor refuses anything but a regular file or a directory. So a FIFO
// swapped in after a Stat cannot hold a handler, nor `stop` waiting for
// it. (For regular files and directories O_NONBLOCK changes nothing.)
func (s *Server) openServed(rel string) (*os.File, fs.FileInfo, error) {
	f, err := s.root.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", rel, errNotServable)
	}
	return f, fi, nil
}

// answer writes the reply to one request.
func (s *Server) answer(w io.Writer, req request) error {
	rel, err := relPath(req.selector)
	if err != nil {
		writeError(w, err.Error())
		return nil
	}
	f, fi, err := s.openServed(rel)
	if err != nil {
		writeError(w, refusal(req.selector, err))
		return nil
	}
	defer f.Close()
	switch {
	case fi.IsDir() && req.search != "":
		return s.writeSearch(w, req, rel)
	case fi.IsDir():
		return s.writeDir(w, req, rel, f)
	default:
		_, err = io.Copy(w, f)
		return err
	}
}

// refusal words a failed lookup for the client without leaking paths:
// what does not exist is "not found" (also a path through a file), what
// may not be served is "access denied", and a failure of the server's own
// (out of descriptors, an I/O error) says which, by its errno alone.
func refusal(selector string, err error) string {
	var errno syscall.Errno
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return "not found: " + selector
	case errors.Is(err, errNotServable):
		return "access denied: not a regular file: " + selector
	case errors.As(err, &errno) && errno != syscall.EACCES && errno != syscall.EPERM && errno != syscall.ELOOP:
		return "server error: " + errno.Error() + ": " + selector
	}
	return "access denied: " + selector
}

// writeDir writes a directory's menu: its gophermap, or a listing.
func (s *Server) writeDir(w io.Writer, req request, rel string, dir *os.File) error {
	items, err := s.gophermap(req, rel, dir)
	if errors.Is(err, fs.ErrNotExist) {
		items, err = s.listing(req, rel, dir)
	}
	if err != nil {
		writeError(w, refusal(req.selector, err))
		return nil
	}
	return writeMenu(w, items)
}

func writeMenu(w io.Writer, items []Item) error {
	for _, it := range items {
		if _, err := io.WriteString(w, it.Line()); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, ".\r\n")
	return err
}

// listing generates the menu of the directory dir (rel under the root):
// every visible entry, sorted by name, directories as menus and files
// typed by extension or contents.
func (s *Server) listing(req request, rel string, dir *os.File) ([]Item, error) {
	entries, err := dir.ReadDir(maxListing)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	var items []Item
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || name == GophermapName {
			continue
		}
		child := path.Join(rel, name)
		typ, ok := s.typeOf(child)
		if !ok {
			continue
		}
		items = append(items, req.item(typ, name, selectorFor(child)))
	}
	return items, nil
}

// typeOf returns the item type of a path relative to the root, following
// symbolic links that stay inside it, and false for anything that cannot
// be served.
func (s *Server) typeOf(rel string) (byte, bool) {
	fi, err := s.root.Stat(rel)
	if err != nil {
		return 0, false
	}
	if fi.IsDir() {
		return '1', true
	}
	if !fi.Mode().IsRegular() {
		return 0, false
	}
	if t, ok := TypeForName(rel); ok {
		return t, true
	}
	f, fi, err := s.openServed(rel)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	if fi.IsDir() {
		return '1', true
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return SniffType(head[:n]), true
}

// gophermap reads the directory's gophermap, in the format gophernicus and
// pygopherd share:
//
//   - a line with a tab is an item: TYPE DISPLAY \t SELECTOR \t HOST \t PORT;
//     an empty selector means the display name, a selector not starting
//     with '/' is relative to the directory, and a missing host and port
//     are this server's;
//   - a line without a tab is an info line;
//   - a line starting with '#' is a comment;
//   - a lone "." ends the map, and a lone "*" ends it with the directory's
//     generated listing.
//
// dir is the directory, open; a gophermap that is not a regular file (a
// directory, a FIFO) is refused.
func (s *Server) gophermap(req request, rel string, dir *os.File) ([]Item, error) {
	f, fi, err := s.openServed(path.Join(rel, GophermapName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.IsDir() {
		return nil, fmt.Errorf("%s: %w", GophermapName, errNotServable)
	}
	var items []Item
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), DefaultMaxLineBytes)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case line == ".":
			return items, nil
		case line == "*":
			more, err := s.listing(req, rel, dir)
			return append(items, more...), err
		case strings.HasPrefix(line, "#"):
			continue
		case !strings.Contains(line, "\t"):
			items = append(items, infoItem(line))
		default:
			items = append(items, mapItem(req, rel, line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("gophermap: %w", err)
	}
	return items, nil
}

// mapItem turns a gophermap line with a tab into a menu item.
func mapItem(req request, rel, line string) Item {
	it := ParseMenuLine(line)
	it.Plus = false
	if it.Type == 'i' || it.Type == '3' {
		if it.Host == "" {
			it.Host, it.Port = "null.host", 1
		}
		return it
	}
	ownHost := it.Host == "" || it.Host == req.host
	if it.Host == "" {
		if it.Selector == "" {
			it.Selector = it.Display
		}
		if !strings.HasPrefix(it.Selector, "/") && !strings.HasPrefix(it.Selector, "URL:") {
			it.Selector = path.Clean("/" + rel + "/" + it.Selector)
		}
		it.Host = req.host
	}
	if it.Port == 0 {
		if ownHost {
			it.Port = req.port
		} else {
			it.Port = DefaultPort
		}
	}
	return it
}

// writeSearch answers a type-7 request on a directory: the files and
// directories below it whose names contain the search string, ignoring
// case. Every directory is opened with openServed, so one swapped for a
// FIFO during the walk is skipped, not waited on.
func (s *Server) writeSearch(w io.Writer, req request, rel string) error {
	needle := strings.ToLower(req.search)
	var items []Item
	var walk func(dir string) bool // false: enough results
	walk = func(dir string) bool {
		d, fi, err := s.openServed(dir)
		if err != nil {
			return true // unreadable: skip
		}
		if !fi.IsDir() {
			d.Close()
			return true
		}
		entries, _ := d.ReadDir(maxListing)
		d.Close()
		slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || name == GophermapName {
				continue
			}
			p := path.Join(dir, name)
			if strings.Contains(strings.ToLower(name), needle) {
				if typ, ok := s.typeOf(p); ok {
					items = append(items, req.item(typ, p, selectorFor(p)))
				}
				if len(items) >= maxSearchResults {
					return false
				}
			}
			if e.IsDir() && !walk(p) {
				return false
			}
		}
		return true
	}
	walk(rel)
	if len(items) == 0 {
		items = append(items, infoItem(fmt.Sprintf("No names match %q.", req.search)))
	}
	return writeMenu(w, items)
}
