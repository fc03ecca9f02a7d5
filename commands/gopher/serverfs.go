// What the server answers: selectors mapped onto the directory tree,
// directory listings, gophermaps, files and name searches.

package gopher

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
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

// answer writes the reply to one request.
func (s *Server) answer(w io.Writer, req request) error {
	rel, err := relPath(req.selector)
	if err != nil {
		writeError(w, err.Error())
		return nil
	}
	fi, err := s.root.Stat(rel)
	if err != nil {
		writeError(w, refusal(req.selector, err))
		return nil
	}
	switch {
	case fi.IsDir() && req.search != "":
		return s.writeSearch(w, req, rel)
	case fi.IsDir():
		return s.writeDir(w, req, rel)
	case fi.Mode().IsRegular():
		return s.writeFile(w, rel)
	default:
		writeError(w, "access denied: not a regular file: "+req.selector)
		return nil
	}
}

// refusal words a failed lookup for the client without leaking paths.
func refusal(selector string, err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "not found: " + selector
	}
	return "access denied: " + selector
}

func (s *Server) writeFile(w io.Writer, rel string) error {
	f, err := s.root.Open(rel)
	if err != nil {
		writeError(w, refusal(rel, err))
		return nil
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// writeDir writes a directory's menu: its gophermap, or a listing.
func (s *Server) writeDir(w io.Writer, req request, rel string) error {
	items, err := s.gophermap(req, rel)
	if errors.Is(err, fs.ErrNotExist) {
		items, err = s.listing(req, rel)
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

// listing generates the menu of a directory: every visible entry, sorted
// by name, directories as menus and files typed by extension or contents.
func (s *Server) listing(req request, rel string) ([]Item, error) {
	d, err := s.root.Open(rel)
	if err != nil {
		return nil, err
	}
	entries, err := d.ReadDir(maxListing)
	d.Close()
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
	f, err := s.root.Open(rel)
	if err != nil {
		return 0, false
	}
	defer f.Close()
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
func (s *Server) gophermap(req request, rel string) ([]Item, error) {
	f, err := s.root.Open(path.Join(rel, GophermapName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []Item
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), DefaultMaxLineBytes)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case line == ".":
			return items, nil
		case line == "*":
			more, err := s.listing(req, rel)
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
// case.
func (s *Server) writeSearch(w io.Writer, req request, rel string) error {
	needle := strings.ToLower(req.search)
	var items []Item
	err := fs.WalkDir(s.root.FS(), rel, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable: skip
		}
		name := d.Name()
		if p != rel && (strings.HasPrefix(name, ".") || name == GophermapName) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == rel || !strings.Contains(strings.ToLower(name), needle) {
			return nil
		}
		if typ, ok := s.typeOf(p); ok {
			items = append(items, req.item(typ, p, selectorFor(p)))
		}
		if len(items) >= maxSearchResults {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		writeError(w, refusal(req.selector, err))
		return nil
	}
	if len(items) == 0 {
		items = append(items, infoItem(fmt.Sprintf("No names match %q.", req.search)))
	}
	return writeMenu(w, items)
}
