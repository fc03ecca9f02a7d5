package netdb

import (
	"io/fs"

	"golang.org/x/sys/unix"
)

// readFile reads a whole file, as os.ReadFile does (the same errors: a
// *fs.PathError naming the call and the file), with plain system calls.
// os.Open makes every file it opens a candidate for the runtime's network
// poller: the first one starts it (epoll_create1, an eventfd, epoll_ctl,
// four fcntl calls, and a thread that then waits in epoll_pwait), at every
// start whose first command reads the services file (issue 13, row 1). A
// regular file's reads never wait, so they need no poller.
func readFile(name string) ([]byte, error) {
	fd, err := retryEINTR(func() (int, error) { return unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	size := 512
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Size > 0 && st.Size < 1<<30 {
		size = int(st.Size) + 1 // one byte more: the read that sees the end
	}
	data := make([]byte, 0, size)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // room to grow
		}
		n, err := retryEINTR(func() (int, error) { return unix.Read(fd, data[len(data):cap(data)]) })
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
	}
}

// retryEINTR calls f again while a signal interrupts it, as package os does.
func retryEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}
