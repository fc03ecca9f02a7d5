package shell

import (
	"math/rand"
	"testing"
)

// joinWordsOf spells a statement as joinWords does, whatever the line:
// plain words one space apart come from the line itself (no allocation),
// anything else (quotes, escapes, bytes, several spaces, tabs, ';') is
// built as before. It fails when the two disagree.
func TestJoinWordsOf(t *testing.T) {
	lines := []string{
		"connect 127.0.0.1 8080", "close s1", "x", "  lead  and trail  ",
		"a\tb", "send s1 'hello world'", `send s1 "a;b"`, "send s1 b'\\x00'",
		"a b; c  d;e f", "val x # a comment", `a\ b c`, `\a b`, "r'x' y", "a''b c",
		"send s1 it\\'s", "echo 'a' 'b'", "a  b", "résumé ünï",
	}
	rng := rand.New(rand.NewSource(1))
	const alphabet = "ab1 .;'\"\\#\tbr"
	for i := 0; i < 3000; i++ {
		b := make([]byte, rng.Intn(16))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
		}
		lines = append(lines, string(b))
	}
	for _, line := range lines {
		stmts, err := Lex(line)
		if err != nil {
			continue
		}
		for _, words := range stmts {
			if got, want := joinWordsOf(line, words), joinWords(words); got != want {
				t.Errorf("line %q: joinWordsOf %q, joinWords %q", line, got, want)
			}
		}
	}
	line := "connect 127.0.0.1 8080"
	stmts, _ := Lex(line)
	if n := testing.AllocsPerRun(100, func() { joinWordsOf(line, stmts[0]) }); n != 0 {
		t.Errorf("a plain statement's line took %v allocations, want 0", n)
	}
}

// Lex copies no plain word: a line of them costs its statement's word
// list and the list of statements, nothing per word (the word buffer is
// used only for a quoted or escaped word). It fails when a plain word is
// written into the buffer again.
func TestLexPlainWordsNotCopied(t *testing.T) {
	line := "connect 127.0.0.1 8080"
	if n := testing.AllocsPerRun(100, func() { Lex(line) }); n > 2 {
		t.Errorf("Lex(%q) took %v allocations, want at most 2", line, n)
	}
	got, err := Lex(`send s1 'a b' c\ d`)
	if err != nil || len(got) != 1 || len(got[0]) != 4 || got[0][2].Text != "a b" || got[0][3].Text != "c d" {
		t.Errorf("quoted and escaped words: %#v %v", got, err)
	}
}
