// Python's checks on a host name argument before any lookup: no NUL, and
// the idna codec's label lengths; and small helpers for the results.

package netdb

import "strings"

// checkHostArg applies Python's argument conversion for the gethostby* functions:
// no NUL characters, then the idna codec.
func checkHostArg(fn, host string) error {
	if strings.IndexByte(host, 0) >= 0 {
		return plainError(ClassType, fn+"() argument 1 must be encoded string without null bytes, not str", "")
	}
	return checkIDNA(host)
}

// checkIDNA applies the label-length checks of Python's idna codec to an ASCII
// name: every label but the last must have 1 to 63 characters, the last at most 63.
func checkIDNA(host string) error {
	if host == "" {
		return nil
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			return nil // non-ASCII names are passed on as UTF-8 (see the package notes)
		}
	}
	labels := strings.Split(host, ".")
	for _, l := range labels[:len(labels)-1] {
		if len(l) == 0 || len(l) >= 64 {
			return idnaError("label empty or too long")
		}
	}
	if len(labels[len(labels)-1]) >= 64 {
		return idnaError("label too long")
	}
	return nil
}

func idnaError(why string) *Error {
	return plainError(ClassUnicode, "encoding with 'idna' codec failed (UnicodeError: "+why+")",
		"a DNS name is made of labels of 1 to 63 characters separated by single dots")
}

// pyRepr quotes a string as Python's repr does for plain text.
func pyRepr(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
