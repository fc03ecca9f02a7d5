package shell

import (
	"sync"
	"unsafe"
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
// AVX-512 byte instructions it needs and the system saves their registers
// (reprHasVector). It is found out at the first repr, not at start: the
// processor is asked with CPUID, which a virtual machine may trap, and a
// start that prints no bytes need not pay for it. A variable so that tests
// can take the portable way too.
var (
	reprVector     bool
	reprVectorOnce sync.Once
)

// reprVectorOn finds reprVector out, once, and returns it.
func reprVectorOn() bool {
	reprVectorOnce.Do(func() { reprVector = reprHasVector() })
	return reprVector
}

// reprHasVector asks the processor for AVX-512 F, BW, VL, VBMI (VPERMI2B)
// and VBMI2 (VPCOMPRESSB), and POPCNT, and the system (XCR0, read with
// XGETBV once CPUID says the system uses it) for the state of the SSE, AVX
// and AVX-512 registers (opmasks and all 32 registers' upper halves).
func reprHasVector() bool {
	max, _, _, _ := reprCPUID(0, 0)
	if max < 7 {
		return false
	}
	_, _, c1, _ := reprCPUID(1, 0)
	const popcnt, osxsave = 1 << 23, 1 << 27
	if c1&popcnt == 0 || c1&osxsave == 0 {
		return false
	}
	const xmm, ymm, opmask, zmmHi256, hi16Zmm = 1 << 1, 1 << 2, 1 << 5, 1 << 6, 1 << 7
	const state = xmm | ymm | opmask | zmmHi256 | hi16Zmm
	if reprXCR0()&state != state {
		return false
	}
	_, b7, c7, _ := reprCPUID(7, 0)
	const f, bw, vl = 1 << 16, 1 << 30, 1 << 31
	const vbmi, vbmi2 = 1 << 1, 1 << 6
	return b7&(f|bw|vl) == f|bw|vl && c7&(vbmi|vbmi2) == vbmi|vbmi2
}

func reprCPUID(leaf, sub uint32) (a, b, c, d uint32)

func reprXCR0() uint32

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
	if !reprVectorOn() || len(p) < 16 {
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
