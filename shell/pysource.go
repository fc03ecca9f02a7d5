// Python source for explain lines: values written so that python3 reads
// them back (PyRepr gives what Python prints, which is not always source).
package shell

import "math"

// PyFloat is a float as Python source: 2.5, 30.0, float('inf').
func PyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "float('inf')"
	case math.IsInf(f, -1):
		return "float('-inf')"
	case math.IsNaN(f):
		return "float('nan')"
	}
	return PyRepr(f)
}
