package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// parseRows reads -rows: rows and ranges of rows with commas between them
// ("1,4", "1-5", "2,6-8"), each one of ids; empty is every row (a nil
// set). A row that does not exist is an error, not a run of nothing.
func parseRows(spec string, ids []string) (map[string]bool, error) {
	want := map[string]bool{}
	bad := func(part string) error {
		return fmt.Errorf("-rows: no row %q (the rows are %s, or ranges such as 1-5)", part, strings.Join(ids, ", "))
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			if !slices.Contains(ids, part) {
				return nil, bad(part)
			}
			want[part] = true
			continue
		}
		a, errA := strconv.Atoi(strings.TrimSpace(lo))
		b, errB := strconv.Atoi(strings.TrimSpace(hi))
		if errA != nil || errB != nil || a > b {
			return nil, bad(part)
		}
		for n := a; n <= b; n++ {
			id := strconv.Itoa(n)
			if !slices.Contains(ids, id) {
				return nil, bad(part)
			}
			want[id] = true
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	return want, nil
}
