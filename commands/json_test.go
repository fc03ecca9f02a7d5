package commands

// JSON carries typed values (issue 7, item 11): numbers as numbers, lists as
// lists, null for none. Every command of the table runs in a real session
// with `set format json`, and each document is checked against a declared
// schema of its result.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sockshell/sockshell/commands/internal/faketerm"
	"github.com/sockshell/sockshell/shell/testenv"
)

// A schema is "int", "num", "str", "bool", "null", "bytes", "any" (with
// "|" for either), or one of the composite types below.
type (
	jsList []any          // an array whose every element matches jsList[0]
	jsTup  []any          // an array of exactly these elements
	jsObj  map[string]any // an object with exactly these keys ("key?": optional)
	jsAlt  []any          // any one of these schemas
)

var (
	jsAddr     = jsAlt{jsTup{"str", "int"}, jsTup{"str", "int", "int", "int"}}
	jsSockRepr = jsObj{"name": "str", "fd": "int", "family": "str", "type": "str", "proto": "int", "laddr?": jsAddr, "raddr?": jsAddr}
	jsServer   = jsObj{"name": "str", "kind": "str", "address": jsAddr, "serves": "str"}
	jsMenu     = jsList{jsObj{"#": "int|null", "type": "str|null", "display": "str", "selector": "str|null", "host": "str|null", "port": "int|null"}}
	jsOptTable = jsList{jsObj{"option": "str", "level": "str", "value": "int|null", "meaning": "str"}}
	jsDNSRR    = jsList{jsObj{"name": "str", "ttl": "int", "class": "str", "type": "str", "data": "str"}}
	jsDNSReply = jsObj{"question": jsObj{"name": "str", "type": "str", "class": "str"}, "server": "str", "transport": "str",
		"server_from": "str", "rcode": "str", "flags": jsList{"str"}, "bytes": "int", "seconds": "num",
		"retried_over_tcp": "bool", "answer": jsDNSRR, "authority": jsDNSRR, "additional": jsDNSRR}
)

// newSockName finds the name of a socket a step made in its document.
var newSockName = regexp.MustCompile(`"result":\{[^{}]*"name":"(s\d+)"`)

type jsonStep struct {
	line   string
	result any    // schema of "result"
	err    string // the error class, when the command fails (its document is on stderr)
}

func TestJSONTypesEveryCommand(t *testing.T) {
	hole, err := filepath.Abs("../docs/gopherhole")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "script.sock")
	if err := os.WriteFile(script, []byte("servport http\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	payload := filepath.Join(dir, "payload.txt")
	if err := os.WriteFile(payload, []byte("payload\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	steps := []jsonStep{
		{line: "set format json", result: "null"},
		{line: "set", result: jsList{jsObj{"setting": "str", "value": "str|num|bool|null"}}},
		{line: "set timeout", result: "num"},
		{line: "set dns", result: "null"},
		{line: "set explain", result: "bool"},
		{line: "explain", result: "bool"},
		{line: "set timeout none", result: "null"},
		{line: "set timeout", result: "null"},
		{line: "set timeout 30", result: "null"},
		{line: "set timeout 0", err: "UsageError"},
		{line: "help servport", result: "str"},
		{line: "history", result: jsList{"str"}},
		{line: "source " + script, result: "null"},
		{line: "record rec.jsonl", result: jsObj{"recording": "bool", "file": "str"}},
		{line: "servport http", result: "int"},
		{line: "record", result: jsObj{"recording": "bool", "file": "str", "steps": "int"}},
		{line: "servname 80 tcp", result: "str"},
		{line: "record off", result: jsObj{"file": "str", "steps": "int"}},
		{line: "replay --check rec.jsonl", result: jsObj{"file": "str", "steps": "int", "as_recorded": "int", "differ": "int"}},
		{line: "replay rec.jsonl --auto 0", result: jsObj{"file": "str", "steps": "int"}},
		{line: "services http", result: jsList{jsObj{"name": "str", "port": "int", "proto": "str", "aliases": jsList{"str"}}}},
		{line: "resolve localhost", result: "str"},
		{line: "resolve --all localhost", result: jsList{jsObj{"family": "str", "address": "str", "name": "str", "aliases": jsList{"str"}}}},
		{line: "addrinfo localhost 80 tcp", result: jsList{jsObj{"family": "str", "type": "str", "proto": "int", "canonname": "str", "sockaddr": jsAddr}}},
		{line: "fqdn localhost", result: "str"},
		{line: "hostbyaddr 127.0.0.1", result: jsTup{"str", jsList{"str"}, jsList{"str"}}},
		{line: "hostname", result: "str"},
		{line: "dns MX sockshell.test --server $DNS", result: jsDNSReply},
		{line: "dns nx.sockshell.test --server $DNS", err: "dns.resolver.NXDOMAIN"},
		{line: "serve echo", result: jsServer},
		{line: "serve echo --udp", result: jsServer},
		{line: "serve gopher " + hole, result: jsServer},
		{line: "serve echo --tls", result: jsServer},
		{line: "servers", result: jsList{jsObj{"name": "str", "kind": "str", "address": jsAddr, "serves": "str", "connections": jsAlt{"int", "null"}, "datagrams": jsAlt{"int", "null"}}}}, // UDP: datagrams, TCP: connections
		{line: "socket tcp", result: jsSockRepr},
		{line: "connect s1 127.0.0.1 $PORT_echo1", result: "null"},
		{line: "sockname s1", result: jsAddr},
		{line: "peername s1", result: jsAddr},
		{line: "send s1 hello", result: "int"},
		{line: "recv s1", result: "bytes"},
		{line: "sendall s1 hello", result: "int"},
		{line: "recv s1 --hex", result: jsObj{"len": "int", "repr": "str", "base64": "str", "hex": "str"}}, // --hex adds the hex digits
		{line: "sendfile s1 " + payload, result: "int"},
		{line: "recv s1", result: "bytes"},
		{line: "getsockopt s1 SO_RCVBUF", result: "int"},
		// The last of s1's events is the command's own, after the ones it made.
		{line: "timeline s1 --last 1", result: jsList{jsObj{"seq": "int", "time": "num", "kind": "str", "resource": "str", "message": "str",
			"line": "str", "command": "str", "duration": "num", "result": "str", "python": jsList{"str"}}}},
		{line: "view 127.0.0.1:0", result: jsObj{"url": "str", "address": jsAddr, "token": "bool", "network": "bool"}},
		{line: "view --snapshot page.html", result: jsObj{"file": "str", "bytes": "int"}},
		{line: "view off", result: "null"},
		{line: "getsockopt s1", result: jsOptTable},
		{line: "setsockopt s1 TCP_NODELAY on", result: "null"},
		{line: "settimeout s1 2.5", result: "null"},
		{line: "sockets", result: jsList{jsObj{"name": "str", "fd": "int", "family": "str", "type": "str", "state": "str",
			"local": jsAddr, "remote": jsAlt{jsAddr, "null"}, "sent": "int", "received": "int", "timeout": "num|null"}}},
		{line: "shutdown s1 wr", result: "null"},
		{line: "connect 127.0.0.1 $PORT_echo1", result: jsSockRepr},
		{line: "fromfd $FD_s2", result: jsSockRepr},
		{line: "socket udp", result: jsSockRepr},
		{line: "sendto s4 ping 127.0.0.1 $PORT_echo2", result: "int"},
		{line: "recvfrom s4", result: jsTup{"bytes", jsAddr}},
		{line: "socket tcp", result: jsSockRepr},
		{line: "bind s5 127.0.0.1 0", result: "null"},
		{line: "listen s5", result: "null"},
		{line: "connect 127.0.0.1 $PORT_s5", result: jsSockRepr},
		{line: "accept s5", result: jsObj{"name": "str", "addr": jsAddr}},
		{line: "settimeout s2 none", result: "null"},
		{line: "sockets", result: jsList{jsObj{"name": "str", "fd": "int", "family": "str", "type": "str", "state": "str",
			"local": jsAddr, "remote": jsAlt{jsAddr, "null"}, "sent": "int", "received": "int", "timeout": "num|null"}}},
		// Unix sockets: a path is a str, an abstract name bytes, '' unnamed.
		{line: "pair", result: jsList{jsSockRepr, jsSockRepr}},
		{line: "sockname s8", result: "str"},
		{line: "sendfd s8 s5", result: "int"},
		{line: "recvfd s9", result: jsObj{"msg": "bytes", "sockets": jsList{jsSockRepr}, "flags": "int"}},
		{line: "getsockopt s8 SO_PEERCRED", result: jsObj{"bytes": "bytes", "pid": "int", "uid": "int", "gid": "int"}},
		{line: "socket unix dgram", result: jsSockRepr},
		{line: "bind s11 @json-test-$PORT_echo1", result: "null"},
		{line: "sockname s11", result: "bytes"},
		{line: "sendto s11 hi @json-test-$PORT_echo1", result: "int"},
		{line: "recvfrom s11", result: jsTup{"bytes", "bytes"}},
		{line: "connect 127.0.0.1 $CLOSED", err: "ConnectionRefusedError"},
		{line: "probe 127.0.0.1 $CLOSED,$PORT_echo1", result: jsObj{"host": "str", "proto": "str", "ports": "int", "probed": "int", "wait": "num",
			"results": jsList{jsObj{"port": "int", "service": "str|null", "state": "str", "seconds": "num|null"}}}},
		{line: "gopher 127.0.0.1 / $PORT_gopher1", result: jsMenu},
		{line: "go 1", result: "str"},
		{line: "back", result: jsMenu},
		{line: "gopher gopher://127.0.0.1:$PORT_gopher1/9/tiny.bin --out tiny.bin", result: "int"},
		{line: "connect --tls 127.0.0.1 $PORT_echo3 --insecure", result: jsObj{"name": "str", "class": "str", "tls": "str", "fd": "int", "family": "str", "type": "str", "proto": "int", "laddr": jsAddr, "raddr": jsAddr}},
		{line: "send s12 hi", result: "int"},
		{line: "recv s12", result: "bytes"},
		{line: "cert s12", result: jsObj{"chain": jsList{jsObj{"depth": "int", "subject": "str", "issuer": "str", "sans": jsList{"str"}, "not_before": "str", "not_after": "str",
			"days_left": "int", "key": "str", "signature": "str", "sha256": "str"}}, "session": jsObj{"version": "str", "cipher": "str", "alpn": "str|null",
			"alpn_offered": jsList{"str"}, "sni": "str|null", "server_hostname": "str", "ocsp_staple": "bool", "resumed": "bool", "verified": "bool"}}},
		{line: "cert s12 --pem", result: "str"},
		{line: "tls s4", err: "NotImplementedError"},
		{line: "export python session.py", result: jsObj{"file": "str", "commands": "int", "statements": "int", "comments": "int",
			"dropped": "int", "servers": jsList{"str"}, "gopher": jsList{"str"}}},
		{line: "connect 127.0.0.1 $PORT_echo1", result: jsSockRepr},
		{line: "attach $NEW", result: "null"}, // the socket just connected; standard input empty: nothing sent, nothing echoed
		{line: "lesson", result: jsList{jsObj{"n": "int", "title": "str", "steps": "int", "status": "str"}}},
		{line: "lesson 1", result: "str"},
		{line: "lesson quit", result: "str"},
		{line: "wire", result: jsObj{"on": "bool", "interfaces": jsList{"str"}, "captured": "int", "dropped": "int",
			"filtered_out": "int", "kept": "int", "forgotten": "int"}},
		{line: "close all", result: "null"},
		{line: "stop all", result: "null"},
		{line: "exit", result: "null"},
	}
	covered := map[string]bool{}
	for _, st := range steps {
		covered[strings.Fields(st.line)[0]] = true
	}
	for _, c := range Table().Commands() {
		if !covered[c.Name] {
			t.Errorf("command %s is not in this test's session: add it with the schema of its result", c.Name)
		}
	}

	ss := newSockSession(t)
	ss.Session.Stdin = strings.NewReader("")
	vars := map[string]string{"CLOSED": fmt.Sprint(testenv.ClosedPort(t, "tcp")),
		"DNS": testenv.Dnsmasq(t, dnsRecordsZone, dnsRecordArgs()...)}
	for _, st := range steps {
		line := faketerm.Substitute(st.line, vars)
		out, errs := ss.Exec(line)
		learnSessionVars(ss, vars)
		if m := newSockName.FindStringSubmatch(out); m != nil {
			vars["NEW"] = m[1] // the socket this step made, for a later step ($NEW)
		}
		errDocs := splitLines(errs)
		// Background servers' lines are events, JSON documents of their
		// own, captured apart; each is checked against its own schema.
		for _, d := range ss.Events() {
			checkJSONDoc(t, line, d, eventSchema(t, d))
		}
		if st.err != "" {
			if len(errDocs) != 1 {
				t.Errorf("%s: want one error document, got %q", line, errs)
				continue
			}
			checkJSONDoc(t, line, errDocs[0], jsObj{"command": "str", "notes?": jsList{"str"},
				"python?": jsList{"str"}, "syscalls?": jsList{"str"},
				"error": jsObj{"class": "str", "message": "str", "errno?": "int", "hint?": "str"}})
			// The Python that raises the same error comes with it; a
			// command the shell refused has none.
			if hasPy := strings.Contains(errDocs[0], `"python":[`); hasPy == (st.err == "UsageError") {
				t.Errorf("%s: python in the error document: %v, want %v: %s", line, hasPy, !hasPy, errDocs[0])
			}
			if !strings.Contains(errDocs[0], `"class":"`+st.err+`"`) {
				t.Errorf("%s: error %s, want class %s", line, errDocs[0], st.err)
			}
			continue
		}
		if len(errDocs) > 0 {
			t.Errorf("%s: unexpected error %q", line, errs)
			continue
		}
		if line == "set format json" {
			continue // printed before json was on
		}
		docs := splitLines(out)
		if line == "source "+script || strings.HasPrefix(line, "replay rec.jsonl --auto") {
			docs = docs[len(docs)-1:] // the script's (the replay's) own lines print first
		}
		if len(docs) != 1 {
			t.Errorf("%s: want one JSON document, got %q", line, out)
			continue
		}
		checkJSONDoc(t, line, docs[0], jsObj{"command": "str", "result": st.result,
			"python?": jsList{"str"}, "syscalls?": jsList{"str"}, "notes?": jsList{"str"}})
	}
}

// eventSchema is the schema of an event document, by its kind: every
// event has its kind, time, resource and message, and typed fields.
func eventSchema(t *testing.T, doc string) jsObj {
	t.Helper()
	var head struct{ Event string }
	json.Unmarshal([]byte(doc), &head)
	addr := jsTup{"str", "int"}
	s := jsObj{"event": "str", "time": "str", "resource": "str", "message": "str", "address": addr}
	switch head.Event {
	case "connection_accepted":
		s["peer"] = addr
	case "connection_closed":
		s["peer"], s["bytes_in"], s["bytes_out"], s["end"] = addr, "int", "int", "str"
		s["idle?"], s["error?"] = "num", "str"
	case "connection_refused":
		s["peer"], s["max_connections"] = addr, "int"
	case "datagram":
		s["peer"], s["bytes_in"], s["bytes_out"], s["dropped?"] = addr, "int", "int", "str"
	default:
		t.Errorf("an event of kind %q, which this test does not know: %s", head.Event, doc)
	}
	return s
}

func checkJSONDoc(t *testing.T, line, doc string, schema any) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Errorf("%s: not JSON: %v: %s", line, err, doc)
		return
	}
	if why := jsCheck(v, schema, "$"); why != "" {
		t.Errorf("%s: %s\n%s", line, why, doc)
	}
}

// jsCheck says where v does not match the schema ("" when it does).
func jsCheck(v, schema any, at string) string {
	switch s := schema.(type) {
	case string:
		for _, alt := range strings.Split(s, "|") {
			if jsScalar(v, alt) {
				return ""
			}
		}
		return fmt.Sprintf("%s is %s, want %s", at, jsDescribe(v), s)
	case jsAlt:
		var whys []string
		for _, alt := range s {
			why := jsCheck(v, alt, at)
			if why == "" {
				return ""
			}
			whys = append(whys, why)
		}
		return strings.Join(whys, "; or ")
	case jsList:
		l, ok := v.([]any)
		if !ok {
			return fmt.Sprintf("%s is %s, want a list", at, jsDescribe(v))
		}
		for i, e := range l {
			if why := jsCheck(e, s[0], fmt.Sprintf("%s[%d]", at, i)); why != "" {
				return why
			}
		}
		return ""
	case jsTup:
		l, ok := v.([]any)
		if !ok || len(l) != len(s) {
			return fmt.Sprintf("%s is %s, want a list of %d", at, jsDescribe(v), len(s))
		}
		for i, e := range l {
			if why := jsCheck(e, s[i], fmt.Sprintf("%s[%d]", at, i)); why != "" {
				return why
			}
		}
		return ""
	case jsObj:
		o, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s is %s, want an object", at, jsDescribe(v))
		}
		known := map[string]bool{}
		keys := make([]string, 0, len(s))
		for k := range s {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			name, optional := strings.CutSuffix(k, "?")
			known[name] = true
			e, ok := o[name]
			if !ok {
				if optional {
					continue
				}
				return fmt.Sprintf("%s has no %q", at, name)
			}
			if why := jsCheck(e, s[k], at+"."+name); why != "" {
				return why
			}
		}
		for k := range o {
			if !known[k] {
				return fmt.Sprintf("%s has %q, which the schema does not know", at, k)
			}
		}
		return ""
	}
	panic(fmt.Sprintf("bad schema %#v", schema))
}

func jsScalar(v any, kind string) bool {
	switch kind {
	case "any":
		return true
	case "null":
		return v == nil
	case "str":
		_, ok := v.(string)
		return ok
	case "bool":
		_, ok := v.(bool)
		return ok
	case "num":
		_, ok := v.(float64)
		return ok
	case "int":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "bytes":
		return jsCheck(v, jsObj{"len": "int", "repr": "str", "base64": "str"}, "") == ""
	}
	panic("bad schema kind " + kind)
}

func jsDescribe(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		b = append(b[:60], "..."...)
	}
	return fmt.Sprintf("%T %s", v, b)
}
