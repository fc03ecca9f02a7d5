package main

import (
	"bufio"
	"fmt"
	"io"
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
		{name: "python3", line: bufferedPython(py, pf)},
	})
	if err != nil {
		return err
	}
	n := c.lines / 4 * 4
	compare("2", fmt.Sprintf("%d name-service lines vs python3, the same output (-format python)", n),
		t["sockshell -format python"], t["python3"], 1, seconds, "output byte for byte python3's (checked); python3's block-buffered, as to a file")
	compare("2", fmt.Sprintf("%d name-service lines vs python3, addrinfo as tables (the default)", n),
		t["sockshell"], t["python3"], 1, seconds, "each addrinfo result drawn as a table by tablewriter; python3 prints a list")
	return addTablesFloor(c, "2", "BenchmarkDrawSmallTable", c.lines/4,
		fmt.Sprintf("the %d addrinfo tables", c.lines/4), t["python3"], "python3's whole loop")
}

// bufferedPython is the command line that runs python3 with args as a user
// runs a script whose output goes to a file: block-buffered. Some
// environments set PYTHONUNBUFFERED (this machine's does), which the
// timer would pass on, and then every print is two writes (40,000 for
// 20,000 lines, where buffered output takes 173): python3 is then timed
// doing work its usual run does not.
func bufferedPython(py string, args ...string) string {
	line := py
	for _, a := range args {
		line += " " + q(a)
	}
	if os.Getenv("PYTHONUNBUFFERED") == "" {
		return line
	}
	if env, ok := have("env"); ok {
		return env + " -u PYTHONUNBUFFERED " + line
	}
	return line
}

// sameOutput runs both commands at once and compares their standard
// outputs line by line as they come, and says where they first differ.
// Nothing is kept whole: the harness must stay small, because a child's
// peak RSS as wait4 reports it (peakRSS) counts the memory of the process
// it was started from, up to its exec.
func sameOutput(ours, ref *exec.Cmd) error {
	a, err := ours.StdoutPipe()
	if err != nil {
		return err
	}
	b, err := ref.StdoutPipe()
	if err != nil {
		return err
	}
	if err := ours.Start(); err != nil {
		return err
	}
	if err := ref.Start(); err != nil {
		ours.Process.Kill()
		ours.Wait()
		return err
	}
	diff := firstDifference(bufio.NewReader(a), bufio.NewReader(b))
	io.Copy(io.Discard, a)
	io.Copy(io.Discard, b)
	errA, errB := ours.Wait(), ref.Wait()
	switch {
	case errA != nil:
		return fmt.Errorf("%s: %v", ours.Path, errA)
	case errB != nil:
		return fmt.Errorf("%s: %v", ref.Path, errB)
	}
	return diff
}

// firstDifference reads two streams a line at a time and says where they
// first differ (nil when they are the same).
func firstDifference(a, b *bufio.Reader) error {
	for n := 1; ; n++ {
		la, errA := a.ReadString('\n')
		lb, errB := b.ReadString('\n')
		if la != lb {
			return fmt.Errorf("the outputs differ at line %d: sockshell %q, python3 %q", n, la, lb)
		}
		if errA != nil || errB != nil {
			if errA != errB {
				return fmt.Errorf("the outputs differ in length: one ends at line %d", n)
			}
			return nil
		}
	}
}
