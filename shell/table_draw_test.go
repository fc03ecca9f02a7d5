package shell

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// The shell's renderer follows tablewriter's layout for alignments the
// shell does not use today (centred and right-aligned headers and rows),
// drawing what Blueprint draws for them.
func TestLineRendererAlignsAsBlueprint(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 9))
	aligns := []tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignCenter}
	for n := range 400 {
		header, rows := wideTable(r)
		between := r.IntN(2) == 0
		ha, ra := aligns[r.IntN(3)], aligns[r.IntN(3)]
		draw := func(rd tw.Renderer) string {
			var out bytes.Buffer
			opts := append(tableOptions(rd), tablewriter.WithHeaderAlignment(ha), tablewriter.WithRowAlignment(ra))
			tt := tablewriter.NewTable(&out, opts...)
			tt.Header(header)
			for _, row := range rows {
				if err := tt.Append(row); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.Render(); err != nil {
				t.Fatal(err)
			}
			return out.String()
		}
		want := draw(renderer.NewBlueprint(tableRendition(between)))
		if got := draw(newLineRenderer(tableRendition(between))); got != want {
			t.Fatalf("table %d (%q, %q, header %s, rows %s): drew\n%s\nBlueprint\n%s", n, header, rows, ha, ra, got, want)
		}
	}
}
