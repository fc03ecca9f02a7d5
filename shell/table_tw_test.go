package shell

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// twDraw is the table as olekukonko/tablewriter's ASCII Blueprint draws it,
// with the options the shell used before drawing tables itself.
func twDraw(t *testing.T, header []string, rows [][]string, linesBetweenRows bool) string {
	rendition := tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)}
	if linesBetweenRows {
		rendition.Settings.Separators.BetweenRows = tw.On
	}
	var b bytes.Buffer
	tb := tablewriter.NewTable(&b,
		tablewriter.WithRenderer(renderer.NewBlueprint(rendition)),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
	)
	tb.Header(header)
	for _, r := range rows {
		if err := tb.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDrawTableMatchesTablewriter draws random tables (multi-line cells,
// wide characters, padding spaces, short and long rows, empty cells) with
// drawTable and with tablewriter, and wants the same text. (A cell with an
// empty line inside is the one difference: tablewriter dropped some of
// those lines; drawTable keeps every line, see TestDrawTableKeepsBlankLines.)
func TestDrawTableMatchesTablewriter(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	pieces := []string{"a", "bb", "ccc ", " d", "日本", "é", "x\ny", "s\n t", "(127.0.0.1, 80)", "-", "|"}
	cell := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	for i := range 3000 {
		cols := 1 + r.IntN(5)
		header := make([]string, cols)
		for j := range header {
			header[j] = "h" + cell() // a header cell is never empty
		}
		rows := make([][]string, r.IntN(5))
		for j := range rows {
			rows[j] = make([]string, max(1, cols-r.IntN(2)+r.IntN(2)))
			for k := range rows[j] {
				rows[j][k] = cell()
			}
		}
		between := r.IntN(2) == 0
		var b bytes.Buffer
		if err := drawTable(&b, header, rows, between); err != nil {
			t.Fatal(err)
		}
		if want := twDraw(t, header, rows, between); b.String() != want {
			t.Fatalf("case %d: header %q rows %q between %v:\ngot\n%s\nwant\n%s", i, header, rows, between, b.String(), want)
		}
	}
}

// TestDrawTableKeepsBlankLines: nothing of a cell is lost, its empty lines
// neither.
func TestDrawTableKeepsBlankLines(t *testing.T) {
	var b bytes.Buffer
	if err := drawTable(&b, []string{"a", "b"}, [][]string{{"\n", "\n\n d"}}, false); err != nil {
		t.Fatal(err)
	}
	want := "+---+----+\n| a | b  |\n+---+----+\n|   |    |\n|   |    |\n|   |  d |\n+---+----+\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// TestDisplayWidthMatchesTwwidth: displayWidth counts as tablewriter's twwidth did
// (East Asian widths off, as twwidth had them here); a tab counts 8, where
// twwidth guessed from the environment and the working directory.
func TestDisplayWidthMatchesTwwidth(t *testing.T) {
	for _, s := range []string{"", "a", "('127.0.0.1', 80)", " ~!", "日本", "é", "e\u0301", "\x1b[1mbold\x1b[0m",
		"\x1b]0;title\x07x", "\x1b]8;;http://x\x1b\\link", "\x1b[", "😀", "\u200b", "x\x00y"} {
		if got, want := displayWidth(s), twwidth.Width(s); got != want {
			t.Errorf("displayWidth(%q) = %d, twwidth says %d", s, got, want)
		}
	}
	if got := displayWidth("a\tb"); got != 10 {
		t.Errorf("displayWidth(\"a\\tb\") = %d, want 10", got)
	}
}
