// The page itself: one HTML document with its style, its script and its
// state inline, from the assets embedded in the binary. The live page and
// a snapshot file are the same document; the live one follows /events,
// the snapshot shows the state it was written with. Its Content Security
// Policy lets nothing load from anywhere: only its own inline script and
// style run, by their hashes, and it connects only to its own origin.
package classroom

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"sync"
)

//go:embed assets
var assets embed.FS

var (
	// The page's parts, read (embed.FS copies them) on first use, not at
	// every start of the shell.
	pageHTML = sync.OnceValue(func() []byte { return mustAsset("assets/page.html") })
	pageCSS  = sync.OnceValue(func() []byte { return mustAsset("assets/page.css") })
	pageJS   = sync.OnceValue(func() []byte { return mustAsset("assets/page.js") })
	// pageCSP allows the inline script and style by hash, and nothing else.
	// Hashed on first use, not at every start of the shell.
	pageCSP = sync.OnceValue(func() string {
		return "default-src 'none'; script-src '" + hash(pageJS()) + "'; style-src '" + hash(pageCSS()) +
			"'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	})
)

func mustAsset(name string) []byte {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot be missing
	}
	return b
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// stateJSON is the state as JSON. encoding/json escapes <, > and &, so
// the text can stand inside a <script> element: no "</script>" can end
// it early, whatever a peer sent.
func stateJSON(st State) []byte {
	b, err := json.Marshal(st)
	if err != nil {
		return []byte(`{}`)
	}
	return b
}

// Page is the document showing st: live follows /events from there on;
// otherwise it is a snapshot, complete in itself.
func Page(st State, live bool) []byte {
	mode := "snapshot"
	if live {
		mode = "live"
	}
	// Each placeholder once; the state last, since it holds text from
	// peers, which may spell a placeholder.
	out := pageHTML()
	for _, p := range []struct {
		key string
		val []byte
	}{
		{"{{CSP}}", []byte(pageCSP())},
		{"{{MODE}}", []byte(mode)},
		{"{{CSS}}", pageCSS()},
		{"{{JS}}", pageJS()},
		{"{{STATE}}", stateJSON(st)},
	} {
		out = bytes.Replace(out, []byte(p.key), p.val, 1)
	}
	return out
}
