package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// Without CAP_NET_RAW (setpriv drops it from the bounding set, so the
// binary runs without it even as root), --wire says once what is missing
// and what to do, and the session goes on; wire on is one clear error.
func TestWireWithoutCapNetRaw(t *testing.T) {
	setpriv := testenv.NeedPeer(t, "util-linux", "setpriv")
	bin := sockshellBinary(t)
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(setpriv, append([]string{"--inh-caps=-all", "--bounding-set=-net_raw", bin}, args...)...)
		cmd.Env = filteredEnv()
		var out, errs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errs
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errs.String(), code
	}
	out, errs, code := run("--wire", "-c", "socket tcp; bind s1 127.0.0.1 0; wire")
	if code != 0 {
		t.Errorf("--wire without CAP_NET_RAW ended the session: exit %d\n%s", code, errs)
	}
	if n := strings.Count(errs, "CAP_NET_RAW"); n != 1 {
		t.Errorf("the missing capability was told %d times, want once:\n%s", n, errs)
	}
	if !strings.Contains(errs, "sudo setcap cap_net_raw+ep $(which sockshell)") {
		t.Errorf("no word of what to do:\n%s", errs)
	}
	if !strings.Contains(out, "<socket") || !strings.Contains(out, "wire is off") {
		t.Errorf("the session did not go on:\n%s", out)
	}
	_, errs, code = run("-c", "wire on")
	if code != 1 || !strings.Contains(errs, "PermissionError") || !strings.Contains(errs, "setcap cap_net_raw+ep") {
		t.Errorf("wire on without CAP_NET_RAW: exit %d, %s", code, errs)
	}
}
