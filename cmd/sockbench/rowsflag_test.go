package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// parseRows takes rows and ranges, and refuses a row that does not exist.
func TestParseRows(t *testing.T) {
	ids := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}
	for _, c := range []struct {
		spec string
		want []string // nil: every row
		err  bool
	}{
		{"", nil, false},
		{"1,4", []string{"1", "4"}, false},
		{"1-5", []string{"1", "2", "3", "4", "5"}, false},
		{" 2, 6-8 ,10", []string{"10", "2", "6", "7", "8"}, false},
		{"x", nil, true},
		{"99", nil, true},
		{"9-11", nil, true},
		{"5-3", nil, true},
		{"1-", nil, true},
	} {
		got, err := parseRows(c.spec, ids)
		if (err != nil) != c.err {
			t.Errorf("%q: error %v, want error %v", c.spec, err, c.err)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "no row") {
				t.Errorf("%q: %v, want it to say which row does not exist", c.spec, err)
			}
			continue
		}
		keys := slices.Sorted(maps.Keys(got))
		if !slices.Equal(keys, c.want) {
			t.Errorf("%q: rows %v, want %v", c.spec, keys, c.want)
		}
	}
}
