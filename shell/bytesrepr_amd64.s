#include "textflag.h"

// func reprFill16(dst, src unsafe.Pointer, blocks int, v *reprVec) unsafe.Pointer
//
// For each 16 bytes at src: a byte's class and escape letter from v.class
// (one VPERMI2B over its 128 entries; bytes from 0x80 up are hex by their
// top bit), its escape built in a dword (c; '\' letter; '\' 'x' hi lo),
// the bytes that count picked out by VPCOMPRESSB under a mask of the
// escapes' lengths, and stored as 64 bytes at dst, which moves on by the
// mask's count. A block of plain bytes is stored as it is.
TEXT ·reprFill16(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	MOVQ v+24(FP), DX
	VMOVDQU8 (DX), Z20         // class of bytes 0-63
	VMOVDQU8 64(DX), Z21       // class of bytes 64-127
	VMOVDQU8 128(DX), X22      // hex digits
	MOVL $0xff, AX
	VPBROADCASTB AX, Z23       // 0xff: a hex escape in the class table
	MOVL $0x0f, AX
	VPBROADCASTB AX, X24
	MOVL $0x5c, AX
	VPBROADCASTD AX, Z25       // '\'
	MOVL $0x785c, AX
	VPBROADCASTD AX, Z26       // '\' 'x'
	MOVL $0xff, AX
	VPBROADCASTD AX, Z27       // one byte counts
	MOVL $0xffff, AX
	VPBROADCASTD AX, Z28       // two
	VPTERNLOGD $0xff, Z29, Z29, Z29 // four
	TESTQ CX, CX
	JZ done

loop:
	VMOVDQU8 (SI), X0
	VMOVDQA64 Z0, Z4
	VPERMI2B Z21, Z20, Z4      // Z4 = class of each byte's low 7 bits
	VPMOVB2M X0, K1            // bytes from 0x80 up
	VPCMPEQB Z23, Z4, K2
	KORQ K1, K2, K2            // K2: hex escapes
	VPTESTMB Z4, Z4, K3        // K3: two-byte escapes, and the hex ones
	KORTESTW K2, K3
	JNZ escapes
	VMOVDQU8 X0, (DI)
	ADDQ $16, DI
	ADDQ $16, SI
	DECQ CX
	JNZ loop
	JMP done

escapes:
	VPMOVZXBD X0, Z1           // each byte as itself
	VPMOVZXBD X4, Z5
	VPSLLD $8, Z5, Z5
	VPORD Z25, Z5, Z5          // '\' letter
	VPSRLW $4, X0, X6
	VPANDD X24, X6, X6
	VPANDD X24, X0, X7
	VPSHUFB X6, X22, X6        // high digit
	VPSHUFB X7, X22, X7        // low digit
	VPMOVZXBD X6, Z6
	VPSLLD $16, Z6, Z6
	VPMOVZXBD X7, Z7
	VPSLLD $24, Z7, Z7
	VPORD Z6, Z7, Z7
	VPORD Z26, Z7, Z7          // '\' 'x' hi lo
	VMOVDQA32 Z5, K3, Z1       // K2's escapes go on top of K3's
	VMOVDQA32 Z7, K2, Z1
	VMOVDQA32 Z27, Z8
	VMOVDQA32 Z28, K3, Z8
	VMOVDQA32 Z29, K2, Z8
	VPMOVB2M Z8, K4            // the bytes of the escapes
	VPCOMPRESSB Z1, K4, Z9
	VMOVDQU8 Z9, (DI)
	KMOVQ K4, AX
	POPCNTQ AX, AX
	ADDQ AX, DI
	ADDQ $16, SI
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	MOVQ DI, ret+32(FP)
	RET

// func reprCPUID(leaf, sub uint32) (a, b, c, d uint32)
TEXT ·reprCPUID(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, a+8(FP)
	MOVL BX, b+12(FP)
	MOVL CX, c+16(FP)
	MOVL DX, d+20(FP)
	RET

// func reprXCR0() uint32
TEXT ·reprXCR0(SB), NOSPLIT, $0-4
	MOVL $0, CX
	XGETBV
	MOVL AX, ret+0(FP)
	RET
