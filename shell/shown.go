// Values shown one way to people and carried another way in data: a table
// cell or a result whose text ("30", "none", "127.0.0.1:7007") is for
// reading, while json and `set format python` get the typed value.
package shell

// Shown is a value with its own text for people. Tables and the prompt show
// Text (escaped); json shows Value, and `set format python` its repr.
// Value is a plain value: a number, a string, a bool, nil for none, a
// Tuple or a List.
type Shown struct {
	Text  string
	Value any
}

// unshown replaces a Shown by its value, for the python renderer.
func unshown(v any) any {
	if s, ok := v.(Shown); ok {
		return s.Value
	}
	return v
}
