package commands

import "strings"

// Reading the shell's Python lines as Python does, just enough for export: which line is an expression, where a comment starts.

// hasStatement reports whether the lines are more than comments.
func hasStatement(py []string) bool {
	for _, p := range py {
		for _, l := range strings.Split(p, "\n") {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
				return true
			}
		}
	}
	return false
}

// isExpression reports whether a Python statement of one line is an
// expression (its value is the command's result), not an assignment, a
// compound statement, an import or a comment.
func isExpression(p string) bool {
	t := strings.TrimSpace(p)
	if t == "" || strings.Contains(t, "\n") || strings.HasPrefix(t, "#") {
		return false
	}
	for _, kw := range []string{"import ", "from ", "with ", "while ", "for ", "if ", "try:", "def ", "class ", "raise ", "return ", "del ", "pass", "assert ", "global ", "print("} {
		if strings.HasPrefix(t, kw) {
			return false
		}
	}
	return !hasTopLevelAssign(t)
}

// splitComment splits a line of Python into its code and its trailing
// comment ("  # …", with the spaces before it), outside strings.
func splitComment(p string) (code, comment string) {
	if i := commentAt(p); i >= 0 {
		return strings.TrimRight(p[:i], " "), "  " + p[i:]
	}
	return p, ""
}

// commentAt is the index of the '#' that starts a line's comment, or -1.
func commentAt(t string) int {
	var quote byte
	for i := 0; i < len(t); i++ {
		ch := t[i]
		if quote != 0 {
			switch ch {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		}
		switch ch {
		case '\'', '"':
			quote = ch
		case '#':
			return i
		}
	}
	return -1
}

// hasTopLevelAssign reports whether a line assigns (x = …, a, b = …,
// x += …) outside brackets and strings; ==, <=, >=, != and := are not
// assignments of the statement.
func hasTopLevelAssign(t string) bool {
	depth := 0
	var quote byte
	for i := 0; i < len(t); i++ {
		ch := t[i]
		if quote != 0 {
			switch ch {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		}
		switch ch {
		case '\'', '"':
			quote = ch
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '#':
			return false
		case '=':
			if depth != 0 {
				continue
			}
			if i+1 < len(t) && t[i+1] == '=' {
				i++ // ==
				continue
			}
			if i > 0 && strings.IndexByte("=<>!:", t[i-1]) >= 0 {
				continue
			}
			return true
		}
	}
	return false
}
