package main

import "fmt"

// Floors: what tablewriter alone costs to draw the tables a row prints,
// by the cheapest path the shell has to it (shell's BenchmarkTableFloor*
// and BenchmarkDrawSmallTable: a kept table, stacked rows, the shell's
// renderer). A floor is printed under its row as a ratio against the
// row's reference, without a target: where the floor's own ratio is under
// the row's target, the row cannot be met while tablewriter (the design
// card's table library) draws those tables.

// tableFloors runs the floor benchmarks once for the rows that need them.
func tableFloors(c *config) (benchResult, error) {
	if c.floors != nil {
		return c.floors, nil
	}
	r, err := goBench("./shell", "^(BenchmarkTableFloorSockets|BenchmarkTableFloorAnswer|BenchmarkDrawSmallTable)$", c.count, c.benchtime)
	if err != nil {
		return nil, err
	}
	c.floors = benchResult(r)
	return c.floors, nil
}

// floorLine adds a floor under a row: floor and ref are seconds.
func floorLine(row, what string, floor, ref sample, note string) {
	compare(row, what, floor, ref, 1, seconds, note)
	f := &figures[len(figures)-1]
	f.target, f.meets, f.floor = "", false, true
}

// tablesFloor is n tables drawn by the benchmark name, in seconds (a
// sample of the benchmark's ns/op, each times n).
func tablesFloor(c *config, name string, n int) (sample, error) {
	r, err := tableFloors(c)
	if err != nil {
		return nil, err
	}
	s, err := r.get(name, "ns/op")
	if err != nil {
		return nil, err
	}
	out := make(sample, len(s))
	for i, v := range s {
		out[i] = v * 1e-9 * float64(n)
	}
	return out, nil
}

// addTablesFloor puts the floor of n tables under a row, against the
// row's reference (ref, named against).
func addTablesFloor(c *config, row, name string, n int, tables string, ref sample, against string) error {
	s, err := tablesFloor(c, name, n)
	if err != nil {
		return err
	}
	a, _ := c.floors.get(name, "allocs/op")
	floorLine(row, fmt.Sprintf("floor: %s, drawn by tablewriter alone, vs %s", tables, against), s, ref,
		fmt.Sprintf("%.0f allocations a table", a.median()))
	return nil
}
