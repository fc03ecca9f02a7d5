package shell

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// reprVec is what reprFill16 reads for one quoting: for each byte below
// 0x80, 0 if it prints as itself, 0xff if it is escaped as \xNN, else the
// letter after its backslash; then the 16 hex digits.
type reprVec struct {
	class [128]byte
	hex   [16]byte
}

// reprFill16 writes the escapes of blocks × 16 bytes at src at dst and
// returns where they end. It stores 64 bytes at a time: dst needs room for
// 4 bytes a byte (bytesrepr_amd64.s).
//
//go:noescape
func reprFill16(dst, src unsafe.Pointer, blocks int, v *reprVec) unsafe.Pointer

// reprVector says reprFill may use reprFill16: the processor has the
// AVX-512 byte instructions it needs (VBMI for VPERMI2B, VBMI2 for
// VPCOMPRESSB, BW and VL) and the system saves their registers. A variable
// so that tests can take the portable way too.
var reprVector = cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VBMI && cpu.X86.HasAVX512VBMI2 && cpu.X86.HasPOPCNT

var reprVecSingle, reprVecDouble = newReprVec('\''), newReprVec('"')

func newReprVec(q byte) *reprVec {
	v := &reprVec{}
	copy(v.hex[:], "0123456789abcdef")
	for c := range 128 {
		switch {
		case c == int(q) || c == '\\':
			v.class[c] = byte(c)
		case c == '\n':
			v.class[c] = 'n'
		case c == '\r':
			v.class[c] = 'r'
		case c == '\t':
			v.class[c] = 't'
		case c < 0x20 || c == 0x7f:
			v.class[c] = 0xff
		}
	}
	return v
}

// reprFillVec fills as many whole 16-byte blocks of p as it can with the
// vector code, when the processor has it, and returns where dst ends and
// how many bytes of p it did (0 without the vector code).
func reprFillVec(dst unsafe.Pointer, p []byte, t *reprTable) (unsafe.Pointer, int) {
	if !reprVector || len(p) < 16 {
		return dst, 0
	}
	v := reprVecSingle
	if t == &reprDouble {
		v = reprVecDouble
	}
	src := unsafe.Pointer(unsafe.SliceData(p))
	n := len(p) / 16
	for i := 0; i < n; i += reprVecBlocks {
		// At most 64 KiB a call: the goroutine can be preempted only
		// between calls (the collector waits for it to stop).
		dst = reprFill16(dst, unsafe.Add(src, 16*i), min(n-i, reprVecBlocks), v)
	}
	return dst, 16 * n
}

// reprVecBlocks is the most blocks one reprFill16 call does: 64 KiB,
// about 30 µs.
const reprVecBlocks = 4096
