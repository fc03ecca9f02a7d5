// The errors a gopher reply can turn into, and how a reply is classified.

package gopher

import (
	"bytes"
	"fmt"
	"strings"
)

// ServerError is a reply in which the server reports an error: a reply
// whose first line is an error item (type '3', with its tab-separated
// fields).
// Message is the server's text, unescaped: escape it before showing it.
type ServerError struct {
	Selector string
	Message  string
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("gopher server error for %q: %s", e.Selector, e.Message)
}

// NotFoundError is a server error that says the selector does not exist,
// such as gophernicus's "Error: File or directory not found!".
type NotFoundError struct {
	Selector string
	Message  string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("gopher selector %q not found: %s", e.Selector, e.Message)
}

// UnsupportedTypeError is returned by Fetch for item types that cannot be
// fetched: info lines, error items, telnet sessions and CSO phone books.
type UnsupportedTypeError struct{ Type byte }

func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("gopher: items of type %q (%s) cannot be fetched", e.Type, TypeName(e.Type))
}

// notFoundPhrases are the wordings servers use for a missing selector,
// lower-cased: gophernicus ("Error: File or directory not found!"),
// pygopherd and Bucktooth-style ("… does not exist", "no such file"),
// and this package's own server ("not found").
var notFoundPhrases = []string{
	"not found", "does not exist", "doesn't exist", "no such file",
	"no such selector", "no such directory", "nonexistent",
}

func saysNotFound(msg string) bool {
	low := strings.ToLower(msg)
	for _, p := range notFoundPhrases {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

// serverError builds a NotFoundError or a ServerError for msg.
func serverError(selector, msg string) error {
	if saysNotFound(msg) {
		return &NotFoundError{Selector: selector, Message: msg}
	}
	return &ServerError{Selector: selector, Message: msg}
}

// classifyMenu returns the error a menu stands for, if any: a first item
// of type '3' with its tab-separated fields. A first line that only reads
// "Error…" is text, not an error item.
func classifyMenu(selector string, m Menu) error {
	if len(m.Items) == 0 {
		return nil
	}
	if first := m.Items[0]; isErrorItem(first) {
		return serverError(selector, first.Display)
	}
	return nil
}

// classifyHead looks at a whole short reply to a non-menu request and
// returns the error it stands for, if any: a first line that is an error
// item. A text that merely starts with "Error" is a text.
func classifyHead(selector string, whole []byte) error {
	line, _, _ := bytes.Cut(whole, []byte("\n"))
	if it := ParseMenuLine(string(line)); isErrorItem(it) {
		return serverError(selector, it.Display)
	}
	return nil
}

// isErrorItem reports whether it is an error item: type '3' and the four
// tab-separated fields of a menu line (display, selector, host, port).
func isErrorItem(it Item) bool {
	return it.Type == '3' && strings.Count(it.Raw, "\t") >= 3
}
