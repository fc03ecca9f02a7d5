package main

import (
	"strings"
	"testing"
)

// roundName names the rounds as the testing package does when a
// sub-test or sub-benchmark runs again under the same name (the same
// matcher gives both their names): rowWire pairs round i's off with
// round i's on by these names.
func TestRoundName(t *testing.T) {
	for i := 0; i < 12; i++ {
		t.Run("off", func(t *testing.T) {
			got := strings.TrimPrefix(t.Name(), "TestRoundName/")
			if want := roundName("off", i); got != want {
				t.Errorf("round %d is %q to the testing package, %q to rowWire", i, got, want)
			}
		})
	}
}
