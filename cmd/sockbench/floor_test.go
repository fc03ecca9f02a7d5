package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// deps lists the packages a main package links (go list -deps).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// TestStartFloorLinksWhatSockshellMust: row 1's floor links cgo (through
// net: libc, runtime/cgo's start) and tablewriter, as sockshell must, and
// nothing sockshell does not link, so that it is a floor under sockshell's
// start and not a different program.
func TestStartFloorLinksWhatSockshellMust(t *testing.T) {
	floor := deps(t, "../../"+strings.TrimPrefix(floorPackage, "./"))
	ss := deps(t, "../../cmd/sockshell")
	// runtime/cgo is linked when cgo is on (glibc's resolver); a build
	// without cgo (CGO_ENABLED=0) has neither in sockshell nor the floor.
	for _, need := range []string{"runtime/cgo", "net", "github.com/olekukonko/tablewriter"} {
		if slices.Contains(ss, need) && !slices.Contains(floor, need) {
			t.Errorf("sockshell links %s and the floor does not", need)
		}
	}
	if !slices.Contains(ss, "github.com/olekukonko/tablewriter") {
		t.Errorf("sockshell does not link tablewriter: the floor's premise is wrong")
	}
	for _, p := range floor[:len(floor)-1] { // the last is the floor itself
		if !slices.Contains(ss, p) {
			t.Errorf("the floor links %s, which sockshell does not", p)
		}
	}
}

// TestStartFloorPrints80 builds the floor as sockbench does and runs it:
// it prints what `sockshell -c 'servport http tcp'` prints.
func TestStartFloorPrints80(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "floor")
	if out, err := exec.Command("go", "build", "-o", bin, "../../"+strings.TrimPrefix(floorPackage, "./")).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "80\n" {
		t.Errorf("the floor printed %q, want %q", out, "80\n")
	}
	cgo, _ := exec.Command("go", "env", "CGO_ENABLED").Output()
	if lib, err := exec.Command("ldd", bin).Output(); err == nil && strings.TrimSpace(string(cgo)) == "1" && !strings.Contains(string(lib), "libc.so") {
		t.Errorf("the floor is not linked against libc (cgo off?):\n%s", lib)
	}
}
