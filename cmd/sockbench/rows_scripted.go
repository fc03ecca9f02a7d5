package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// rowScripted is row 2: many name-service lines through the whole path
// (lex, dispatch, the call, render), against a python3 loop making the
// same calls and printing each result's repr.
//
// It is timed two ways. With -format python, sockshell prints every
// result as Python's repr, as the loop does: the same calls and the same
// output, checked byte for byte before the timing. With the default
// format, addrinfo's rows are drawn as a table (tablewriter), work the
// loop does not do; that figure is shown too, with its own target.
func rowScripted(c *config) error {
	py, ok := have("python3")
	if !ok {
		skip("2", "scripted throughput", "python3 is not installed (Debian: python3)")
		return nil
	}
	var ss, pyb strings.Builder
	pyb.WriteString("import socket\n")
	for i := 0; i < c.lines/4; i++ {
		ss.WriteString("servport http tcp\nservname 80 tcp\nresolve localhost\naddrinfo localhost 80\n")
	}
	fmt.Fprintf(&pyb, "for i in range(%d):\n", c.lines/4)
	pyb.WriteString("    print(repr(socket.getservbyname('http', 'tcp')))\n" +
		"    print(repr(socket.getservbyport(80, 'tcp')))\n" +
		"    print(repr(socket.gethostbyname('localhost')))\n" +
		"    print(repr(socket.getaddrinfo('localhost', 80)))\n")
	sf := filepath.Join(c.tmp, "names.sock")
	pf := filepath.Join(c.tmp, "names.py")
	if err := os.WriteFile(sf, []byte(ss.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(pf, []byte(pyb.String()), 0o644); err != nil {
		return err
	}
	if err := sameOutput(exec.Command(c.ss, "-format", "python", sf), exec.Command(py, pf)); err != nil {
		return fmt.Errorf("row 2: %v", err)
	}
	t, err := c.timer.time([]proc{
		{name: "sockshell -format python", line: c.ss + " -format python " + q(sf)},
		{name: "sockshell", line: c.ss + " " + q(sf)},
		{name: "python3", line: py + " " + q(pf)},
	})
	if err != nil {
		return err
	}
	n := c.lines / 4 * 4
	compare("2", fmt.Sprintf("%d name-service lines vs python3, the same output (-format python)", n),
		t["sockshell -format python"], t["python3"], 1, seconds, "output byte for byte python3's (checked)")
	compare("2", fmt.Sprintf("%d name-service lines vs python3, addrinfo as tables (the default)", n),
		t["sockshell"], t["python3"], 1, seconds, "each addrinfo result drawn as a table by tablewriter; python3 prints a list")
	return addTablesFloor(c, "2", "BenchmarkDrawSmallTable", c.lines/4,
		fmt.Sprintf("the %d addrinfo tables", c.lines/4), t["python3"], "python3's whole loop")
}

// sameOutput runs both commands and says where their standard outputs
// first differ, if they do.
func sameOutput(ours, ref *exec.Cmd) error {
	a, err := ours.Output()
	if err != nil {
		return fmt.Errorf("%s: %v", ours.Path, err)
	}
	b, err := ref.Output()
	if err != nil {
		return fmt.Errorf("%s: %v", ref.Path, err)
	}
	if bytes.Equal(a, b) {
		return nil
	}
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < min(len(la), len(lb)); i++ {
		if la[i] != lb[i] {
			return fmt.Errorf("the outputs differ at line %d: sockshell %q, python3 %q", i+1, la[i], lb[i])
		}
	}
	return fmt.Errorf("the outputs differ in length: sockshell %d lines, python3 %d", len(la), len(lb))
}
