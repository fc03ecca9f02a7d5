package commands

// Data through TLS: files, a pass-through's stream, export python.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell/testenv"
)

// sendall --file, sendfile and recv --out go through TLS (sendfile(2)
// would bypass it): a TLS echo returns the file's bytes.
func TestTLSFiles(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("serve echo --tls")
	port := serverPort(t, ss.Session, "echo1")
	dir := t.TempDir()
	data := []byte(strings.Repeat("0123456789abcdef", 6000)) // 96000 bytes: several records
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ss.MustExec(fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port))
	ss.AssertExec("sendall s1 --file "+in, "96000\n")
	out := filepath.Join(dir, "out.bin")
	ss.MustExec(fmt.Sprintf("recv s1 --out %s --max 96000", out))
	testenv.WantFile(t, out, string(data))
	if got := ss.MustExec("sendfile s1 " + in); !strings.HasPrefix(got, "96000\n") || !strings.Contains(got, "falls back to send") {
		t.Errorf("sendfile: %q", got)
	}
	out2 := filepath.Join(dir, "out2.bin")
	ss.MustExec(fmt.Sprintf("recv s1 --out %s --max 96000", out2))
	testenv.WantFile(t, out2, string(data))
}

// streamOf, the data path a pass-through takes, goes through TLS on a TLS
// socket, and a read and a write may run at once on it.
func TestTLSStreamConcurrent(t *testing.T) {
	ss := newSockSession(t)
	ss.MustExec("serve echo --tls")
	port := serverPort(t, ss.Session, "echo1")
	ss.MustExec(fmt.Sprintf("connect --tls 127.0.0.1 %d --insecure", port))
	st := streamOf(ss.sock("s1"))
	if _, plain := st.(*bsd.Socket); plain {
		t.Fatal("streamOf of a TLS socket is the raw socket")
	}
	ctx, cancel := context.WithTimeout(context.Background(), sockPeerTimeout)
	defer cancel()
	const chunks, size = 20, 1000
	got := make(chan int, 1)
	go func() {
		n := 0
		for n < chunks*size {
			p, err := st.Recv(ctx, 4096)
			if err != nil || len(p) == 0 {
				break
			}
			n += len(p)
		}
		got <- n
	}()
	chunk := []byte(strings.Repeat("x", size))
	for range chunks {
		if _, err := st.SendAll(ctx, chunk); err != nil {
			t.Fatal(err)
		}
	}
	if n := sockWait(t, got, "the echo"); n != chunks*size {
		t.Errorf("echoed %d bytes, want %d", n, chunks*size)
	}
	ss.MustExec("socket tcp")
	if _, plain := streamOf(ss.sock("s2")).(*bsd.Socket); !plain {
		t.Error("streamOf of a plain socket is not the socket")
	}
}

// export python of a TLS session imports ssl, and the script does what
// the session did against the same server.
func TestTLSExportPython(t *testing.T) {
	py := testenv.NeedPeer(t, "python3", "python3")
	f := makeTLSFiles(t)
	port := sServer(t, "-cert", f.leaf, "-key", f.leafKey, "-cert_chain", f.ca)
	ss := newSockSession(t)
	ss.MustExec(fmt.Sprintf("connect --tls localhost %d --ca %s", port, f.ca))
	ss.MustExec(`sendall s1 "abc\n"`)
	ss.AssertExec("recv s1", "b'cba\\n'\n")
	ss.MustExec("close s1") // s_server serves one connection at a time
	script := filepath.Join(t.TempDir(), "session.py")
	ss.MustExec("export python " + script)
	out, err := exec.Command(py, script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "b'cba\\n'") {
		t.Errorf("python3 %s: %v\n%s", script, err, out)
	}
}
