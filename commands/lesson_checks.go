// The lessons' checks and placeholders. A check line says what the
// session must show since the step began:
//
//	KIND [{x}] [SERVER] [tcp|udp|fromfd] [-> y]
//	    a socket event of KIND (created, bound, listening, connected,
//	    accepted, sent, received, shutdown, peer_closed, closed): on the
//	    socket bound to x, with the peer SERVER (echo, udp-echo, gopher:
//	    the first such server running); created takes the socket's type or
//	    fromfd. -> y binds the socket (accepted: the new one) to y.
//	server echo|udp-echo|gopher   such a server is running
//	ok COMMAND                    a COMMAND ran without an error
//	error CLASS                   a command failed with the Python class
//
// {x}, {x.port}, {x.fd} in a step's text and do lines are a bound
// socket's name, port and fd; {echo}, {udp-echo}, {gopher} a server's
// "HOST PORT", {echo.port} its port.
package commands

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/sockshell/sockshell/commands/bsd"
	"github.com/sockshell/sockshell/shell"
)

// checkKinds are the socket events a check may name.
var checkKinds = map[string]shell.EventKind{
	"created": eventSockCreated, "bound": eventSockBound, "listening": eventSockListening,
	"connected": eventSockConnected, "accepted": eventSockAccepted, "sent": eventSockSent,
	"received": eventSockReceived, "shutdown": eventSockShutdown, "peer_closed": eventSockPeerClosed,
	"closed": eventSockClosed,
}

var serverWords = []string{"echo", "udp-echo", "gopher"}

// parsedCheck is one check line read.
type parsedCheck struct {
	kind   string // an event kind, "server", "ok", "error"
	sock   string // {x}: the binding the event's socket must be
	server string // echo, udp-echo, gopher
	filter string // created: tcp, udp, fromfd
	word   string // ok's command, error's class, server's kind
	bind   string // -> y
}

// parseCheck reads a check line; the tests read every lesson's with it.
func parseCheck(line string) (parsedCheck, error) {
	var pc parsedCheck
	body, bind, hasBind := strings.Cut(line, " -> ")
	if hasBind {
		pc.bind = strings.TrimSpace(bind)
	}
	f := strings.Fields(body)
	if len(f) == 0 {
		return pc, fmt.Errorf("empty check")
	}
	pc.kind = f[0]
	switch pc.kind {
	case "ok", "error":
		if len(f) != 2 || hasBind {
			return pc, fmt.Errorf("%s takes one word: %q", pc.kind, line)
		}
		pc.word = f[1]
		return pc, nil
	case "server":
		if len(f) != 2 || !contains(serverWords, f[1]) || hasBind {
			return pc, fmt.Errorf("server takes %s: %q", strings.Join(serverWords, ", "), line)
		}
		pc.word = f[1]
		return pc, nil
	}
	if _, ok := checkKinds[pc.kind]; !ok {
		return pc, fmt.Errorf("unknown check %q", line)
	}
	for _, w := range f[1:] {
		switch {
		case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}"):
			pc.sock = w[1 : len(w)-1]
		case contains(serverWords, w):
			pc.server = w
		case pc.kind == "created" && (w == "tcp" || w == "udp" || w == "fromfd"):
			pc.filter = w
		default:
			return pc, fmt.Errorf("check %q: %q is not {name}, a server or a type", line, w)
		}
	}
	return pc, nil
}

func contains(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

// runCheck reports whether the check holds for events, and the name of
// the socket it matched.
func runCheck(s *shell.Session, line string, events []shell.Event) (string, bool) {
	pc, err := parseCheck(line)
	if err != nil {
		return "", false
	}
	st := lessonsOf(s)
	switch pc.kind {
	case "server":
		_, ok := findServer(s, pc.word)
		return "", ok
	case "ok", "error":
		for _, e := range events {
			if e.Kind != shell.EventCommand {
				continue
			}
			if pc.kind == "ok" {
				name, _ := e.Attr("command")
				_, failed := e.Attr("error")
				if name == pc.word && !failed {
					return "", true
				}
			} else if class, _ := e.Attr("error"); class == pc.word {
				return "", true
			}
		}
		return "", false
	}
	want := checkKinds[pc.kind]
	for _, e := range events {
		if e.Kind != want {
			continue
		}
		if pc.sock != "" {
			b := st.bound[pc.sock]
			if b == nil || e.Resource != b.name {
				continue
			}
		}
		if pc.server != "" {
			srv, ok := findServer(s, pc.server)
			peer, _ := e.Attr("peer")
			if !ok || peer == nil || fmt.Sprint(peer) != srv.addr {
				continue
			}
		}
		if pc.filter != "" {
			typ, _ := e.Attr("type")
			call, _ := e.Attr("call")
			switch {
			case pc.filter == "tcp" && typ != "SOCK_STREAM",
				pc.filter == "udp" && typ != "SOCK_DGRAM",
				pc.filter == "fromfd" && call != "fromfd":
				continue
			}
		}
		name := e.Resource
		if e.Kind == eventSockAccepted {
			v, _ := e.Attr("socket")
			name, _ = v.(string)
		}
		if name == "" {
			continue
		}
		return name, true
	}
	return "", false
}

// findServer is the first running server of the kind (udp-echo: an echo
// server over UDP).
func findServer(s *shell.Session, word string) (*server, bool) {
	kind, udp := word, false
	if word == "udp-echo" {
		kind, udp = "echo", true
	}
	for _, r := range s.Resources() {
		srv, ok := r.Resource.(*server)
		if ok && srv.kind == kind && (srv.grams != nil) == udp && !srv.closed.Load() {
			return srv, true
		}
	}
	return nil, false
}

// refreshBindings reads the bound sockets' fds and ports while they are
// open; a closed one keeps what was last seen.
func refreshBindings(s *shell.Session, st *lessonState) {
	for _, b := range st.bound {
		r, ok := s.Resource(b.name)
		if !ok {
			continue
		}
		sock, ok := r.(*bsd.Socket)
		if !ok || sock.Closed() {
			continue
		}
		in := sock.Info()
		b.fd = in.FD
		if in.HasLocal {
			b.port = int(in.Local.Port())
		}
	}
}

// fill puts the session's names and addresses into a step's text; with
// no session (the generated tutorial), each placeholder is the word the
// learner reads in its place: SOCK, PORT, FD, HOST PORT.
func fill(s *shell.Session, st *lessonState, text string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(text[:i])
		b.WriteString(placeholder(s, st, text[i+1:i+j]))
		text = text[i+j+1:]
	}
	b.WriteString(text)
	return b.String()
}

func placeholder(s *shell.Session, st *lessonState, key string) string {
	name, field, _ := strings.Cut(key, ".")
	if contains(serverWords, name) {
		host, port := "HOST", "PORT"
		if s != nil {
			if srv, ok := findServer(s, name); ok {
				host, port, _ = net.SplitHostPort(srv.addr)
			}
		}
		switch field {
		case "port":
			return port
		case "host":
			return host
		}
		return host + " " + port
	}
	var b *lessonBinding
	if st != nil {
		b = st.bound[name]
	}
	switch field {
	case "port":
		if b != nil && b.port > 0 {
			return strconv.Itoa(b.port)
		}
		return "PORT"
	case "fd":
		if b != nil && b.fd >= 0 {
			return strconv.Itoa(b.fd)
		}
		return "FD"
	}
	if b != nil {
		return b.name
	}
	if s == nil {
		return name // the tutorial: as a first session names it
	}
	return "SOCK"
}

// describeCheck says in the language what a check waits for.
func describeCheck(lang, line string) string {
	pc, err := parseCheck(line)
	if err != nil {
		return line
	}
	d := checkWords[lang]
	if d == nil {
		d = checkWords["en"]
	}
	switch pc.kind {
	case "ok":
		return fmt.Sprintf(d["ok"], pc.word)
	case "error":
		return fmt.Sprintf(d["error"], pc.word)
	case "server":
		return d["server "+pc.word]
	}
	text := d[pc.kind]
	if pc.filter != "" {
		text = d["created "+pc.filter]
	}
	if pc.server != "" {
		text += fmt.Sprintf(d["peer"], d["the "+pc.server])
	}
	if pc.sock != "" {
		text += fmt.Sprintf(d["on"], pc.sock)
	}
	return text
}

// checkWords are the checks in words, by language.
var checkWords = map[string]map[string]string{
	"en": {
		"ok": "%s runs without an error", "error": "a command fails with %s",
		"server echo": "an echo server is running", "server udp-echo": "a UDP echo server is running",
		"server gopher": "a gopher server is running",
		"created":       "a socket is created", "created tcp": "a TCP socket is created",
		"created udp": "a UDP socket is created", "created fromfd": "a socket is made from a file descriptor (fromfd)",
		"bound": "a socket is bound to an address", "listening": "a socket is listening",
		"connected": "a socket is connected", "accepted": "a connection is accepted",
		"sent": "a socket sends data", "received": "a socket receives data",
		"shutdown": "a socket is shut down", "peer_closed": "a socket sees its peer close (recv returns b'')",
		"closed": "a socket is closed",
		"peer":   " (to or from %s)", "on": " (%s)",
		"the echo": "the echo server", "the udp-echo": "the UDP echo server", "the gopher": "the gopher server",
	},
	"zh": {
		"ok": "%s 运行成功,没有出错", "error": "某条命令以 %s 出错",
		"server echo": "echo 服务器正在运行", "server udp-echo": "UDP echo 服务器正在运行",
		"server gopher": "gopher 服务器正在运行",
		"created":       "建立了一个套接字", "created tcp": "建立了一个 TCP 套接字",
		"created udp": "建立了一个 UDP 套接字", "created fromfd": "从文件描述符建立了一个套接字(fromfd)",
		"bound": "套接字绑定到了一个地址", "listening": "套接字进入了监听状态",
		"connected": "套接字连接上了", "accepted": "接受(accept)了一个连接",
		"sent": "套接字发送了数据", "received": "套接字收到了数据",
		"shutdown": "套接字被 shutdown", "peer_closed": "套接字发现对方关闭了连接(recv 返回 b'')",
		"closed": "套接字被关闭",
		"peer":   "(对方是 %s)", "on": "(%s)",
		"the echo": "echo 服务器", "the udp-echo": "UDP echo 服务器", "the gopher": "gopher 服务器",
	},
}

// lessonText is the lessons' own words in one language.
type lessonText struct {
	lesson, stepOf, typeIt, waitsFor, stepDone, python, wire string
	lessonDone, nextLesson, quit, noLesson, badLesson        string
	colTitle, colSteps, colStatus, done, atStep              string
	placeholders                                             string
}

var lessonMessages = map[string]lessonText{
	"en": {
		lesson: "Lesson %d: %s", stepOf: "Step %d of %d: %s", typeIt: "type:", waitsFor: "the shell waits until:",
		stepDone: "✓ step %d done: %s", python: "  in Python, what ran:", wire: "  on the wire:",
		lessonDone: "Lesson %d is done.", nextLesson: "Next: lesson %d, %s (lesson next).",
		quit:      "lesson %d stopped at step %d; lesson next (or lesson N) goes on",
		noLesson:  "no lesson is under way; lesson lists them, lesson 1 starts the first",
		badLesson: "no lesson %q; the lessons are 1 to %d (lesson lists them)",
		colTitle:  "title", colSteps: "steps", colStatus: "status", done: "done", atStep: "at step %d",
		placeholders: "(SOCK, FD, HOST and PORT: your socket's name and fd, the address of the server or socket; sockets and servers list them)",
	},
	"zh": {
		lesson: "第 %d 课:%s", stepOf: "第 %d 步(共 %d 步):%s", typeIt: "输入:", waitsFor: "完成的标志:",
		stepDone: "✓ 第 %d 步完成:%s", python: "  对应的 Python:", wire: "  网络上的报文:",
		lessonDone: "第 %d 课学完了。", nextLesson: "下一课:第 %d 课,%s(输入 lesson next)。",
		quit:      "第 %d 课停在第 %d 步;输入 lesson next(或 lesson N)继续",
		noLesson:  "现在没有在学的课;lesson 列出所有课程,lesson 1 从第一课开始",
		badLesson: "没有第 %q 课;课程编号是 1 到 %d(lesson 列出所有课程)",
		colTitle:  "标题", colSteps: "步数", colStatus: "进度", done: "已学完", atStep: "学到第 %d 步",
		placeholders: "(SOCK、FD、HOST 和 PORT 分别代表你的套接字的名字和 fd、服务器或套接字的地址;sockets 和 servers 会列出它们)",
	},
}
