package uniname

import "testing"

func TestLookup(t *testing.T) {
	cases := map[string]rune{
		"LATIN SMALL LETTER E WITH ACUTE": 'é',
		"latin small letter e with acute": 'é',
		"EURO SIGN":                       '€',
		"NULL":                            0,
		"LF":                              '\n',
		"BYTE ORDER MARK":                 0xfeff,
		"BOM":                             0xfeff,
		"RIGHT-TO-LEFT OVERRIDE":          0x202e,
		"CJK UNIFIED IDEOGRAPH-4E00":      0x4e00,
		"CJK UNIFIED IDEOGRAPH-31350":     0x31350,
		"HANGUL SYLLABLE GA":              0xac00,
		"HANGUL SYLLABLE HIH":             0xd7a3,
		"GRINNING FACE":                   0x1f600,
		"bom":                             0xfeff,
		"CJK UNIFIED IDEOGRAPH-04E00":     0x4e00,
	}
	for name, want := range cases {
		if got, ok := Lookup(name); !ok || got != want {
			t.Errorf("Lookup(%q) = %U, %v; want %U", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "nope", "CJK UNIFIED IDEOGRAPH-0041", "CJK UNIFIED IDEOGRAPH-4e00", "cjk unified ideograph-4E00", "CJK UNIFIED IDEOGRAPH-004E00", "hangul syllable ga", "LATIN CAPITAL LETTER A WITH MACRON AND GRAVE", "HANGUL SYLLABLE"} {
		if got, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) = %U, want not found", name, got)
		}
	}
}
