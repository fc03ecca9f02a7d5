package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOnlyMainTouchesTheProcess: outside this package no code (tests
// aside) writes to the process's standard output or standard error, or
// reads its environment: the terminal owner in shell prints everything,
// and main reads the environment once and hands the values in. (Before
// issue 8, shell read NO_COLOR and SOCKSHELL_DEBUG, netdb
// SOCKSHELL_SERVICES, and the gopher command looked at os.Stderr.)
func TestOnlyMainTouchesTheProcess(t *testing.T) {
	forbidden := regexp.MustCompile(`\bos\.(Stdout|Stderr|Getenv|LookupEnv|Environ|UserHomeDir)\b|\bfmt\.Print(f|ln)?\(|\blog\.(Print|Fatal|Panic)|\bprintln\(`)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	here, _ := os.Getwd()
	// The packages the binary is built from: those main imports, and what
	// they import in turn (test support, such as shell/testenv and the
	// harness, is not among them: it may read SOCKSHELL_REQUIRE_PEERS).
	imports := map[string][]string{}
	importRe := regexp.MustCompile(`"github\.com/sockshell/sockshell/([^"]+)"`)
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			b, _ := os.ReadFile(path)
			if regexp.MustCompile(`(?m)^package main$`).Match(b) && filepath.Dir(path) != here {
				return nil // a program of its own (a go:generate tool)
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			for _, m := range importRe.FindAllStringSubmatch(string(b), -1) {
				imports[filepath.ToSlash(rel)] = append(imports[filepath.ToSlash(rel)], m[1])
			}
		}
		return nil
	})
	imported := map[string]bool{}
	for todo := []string{"cmd/sockshell"}; len(todo) > 0; {
		pkg := todo[0]
		todo = todo[1:]
		for _, dep := range imports[pkg] {
			if !imported[dep] {
				imported[dep] = true
				todo = append(todo, dep)
			}
		}
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == here || strings.HasPrefix(d.Name(), ".") && path != root) {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if rel, _ := filepath.Rel(root, filepath.Dir(path)); !imported[filepath.ToSlash(rel)] {
			return nil // not part of the binary
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if regexp.MustCompile(`(?m)^package main$`).Match(b) {
			return nil // a program of its own (a go:generate tool): its own main
		}
		checked++
		for i, line := range strings.Split(string(b), "\n") {
			code, _, _ := strings.Cut(line, "//")
			if m := forbidden.FindString(code); m != "" {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d: %s outside main: %s", rel, i+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d Go files checked under %s", checked, root)
	}
}
