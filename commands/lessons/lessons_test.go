package lessons

import (
	"slices"
	"strings"
	"testing"
)

// TestParse reads a lesson's shape: title, intro, steps with the text
// before and after their do: and check: lines.
func TestParse(t *testing.T) {
	l, err := Parse("03-ports.en.md", "# Ports\nIntro.\n\n## One\nWhy.\ndo: servport http tcp\ncheck: ok servport\nAfter.\n\n## Two\ndo: a\ndo: b\ncheck: ok a\n")
	if err != nil {
		t.Fatal(err)
	}
	if l.N != 3 || l.Name != "ports" || l.Lang != "en" || l.Title != "Ports" || l.Intro != "Intro." || len(l.Steps) != 2 {
		t.Fatalf("%+v", l)
	}
	s := l.Steps[0]
	if s.Title != "One" || s.Why != "Why." || s.After != "After." || s.Do[0] != "servport http tcp" || s.Checks[0] != "ok servport" {
		t.Fatalf("%+v", s)
	}
	if len(l.Steps[1].Do) != 2 || l.Steps[1].Why != "" {
		t.Fatalf("%+v", l.Steps[1])
	}
}

// TestParseRefuses: a file of the wrong shape is one error naming it.
func TestParseRefuses(t *testing.T) {
	for name, c := range map[string]struct{ file, text string }{
		"bad name":      {"ports.md", "# T\n## S\ndo: a\ncheck: ok a\n"},
		"no steps":      {"01-a.en.md", "# T\nintro\n"},
		"no check":      {"01-a.en.md", "# T\n## S\ndo: a\n"},
		"do before ##":  {"01-a.en.md", "# T\ndo: a\n"},
		"text between":  {"01-a.en.md", "# T\n## S\ndo: a\nwords\ncheck: ok a\n"},
		"no title line": {"01-a.en.md", "## S\ndo: a\ncheck: ok a\n"},
	} {
		if _, err := Parse(c.file, c.text); err == nil || !strings.Contains(err.Error(), c.file) && name != "no title line" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestAllEmbedded: the embedded lessons read in every language.
func TestAllEmbedded(t *testing.T) {
	for _, lang := range Langs {
		ls, err := All(lang)
		if err != nil || len(ls) == 0 {
			t.Fatalf("%s: %d lessons, %v", lang, len(ls), err)
		}
		for i, l := range ls {
			if l.N != i+1 {
				t.Errorf("%s: lesson %d is numbered %d", lang, i+1, l.N)
			}
		}
	}
}

// Numbers, read from the file names, are All's lessons' numbers in order.
func TestNumbersMatchAll(t *testing.T) {
	for _, lang := range Langs {
		ls, err := All(lang)
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for _, l := range ls {
			want = append(want, l.N)
		}
		if got := Numbers(lang); !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("Numbers(%q) = %v, All's are %v", lang, got, want)
		}
	}
}
