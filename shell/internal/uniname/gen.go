//go:build ignore

// gen writes names.z, the compressed table of Unicode character names that
// uniname reads, from the Unicode Character Database files of Debian's
// unicode-data package (the same Unicode version as Go's unicode package):
//
//	apt-get install unicode-data && go run gen.go
//
// The table holds, zlib-compressed, one line per named character as "DELTA
// NAME" (DELTA: hex distance from the previous code point), then a line
// "aliases" and "CODE NAME" lines from NameAliases.txt, then a line "ranges"
// and "FIRST LAST" lines for the CJK unified ideographs, whose names are
// made from their code points.
package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
)

const ucd = "/usr/share/unicode/"

func main() {
	var out bytes.Buffer
	prev := int64(0)
	var ranges []string
	var first string
	each(ucd+"UnicodeData.txt", func(f []string) {
		name := f[1]
		if strings.HasPrefix(name, "<CJK Ideograph") {
			if strings.HasSuffix(name, "First>") {
				first = f[0]
			} else {
				ranges = append(ranges, first+" "+f[0])
			}
			return
		}
		if strings.HasPrefix(name, "<") {
			return // controls (named by aliases), Hangul (algorithmic), other ranges
		}
		cp, err := strconv.ParseInt(f[0], 16, 32)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(&out, "%x %s\n", cp-prev, name)
		prev = cp
	})
	out.WriteString("aliases\n")
	each(ucd+"NameAliases.txt", func(f []string) { fmt.Fprintf(&out, "%s %s\n", f[0], f[1]) })
	out.WriteString("ranges\n")
	for _, r := range ranges {
		out.WriteString(r + "\n")
	}
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	w.Write(out.Bytes())
	w.Close()
	if err := os.WriteFile("names.z", z.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("names.z: %d bytes (%d uncompressed)\n", z.Len(), out.Len())
}

// each calls fn with the ';'-separated fields of every data line of a UCD file.
func each(path string, fn func([]string)) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatalf("%v (apt-get install unicode-data)", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			fn(strings.Split(line, ";"))
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}
