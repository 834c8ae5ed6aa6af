#include "textflag.h"

// func indexLineAnchorsAsm(s []byte, c byte, pos *[8]uint32, avx2 bool) (nl, n int)
// Compares blocks of s with a newline and with c: thirty-two bytes at a
// time with avx2 (the processor has it), sixty-four while neither
// is among them, else sixteen (SSE2, every amd64 has it), the last few one
// at a time: nothing past s is read. A block holding either goes to hit,
// which records its anchors lowest first (those before its newline, if
// it has one).
TEXT ·indexLineAnchorsAsm(SB), NOSPLIT, $0-64
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), BX
	MOVBLZX c+24(FP), AX
	MOVQ pos+32(FP), R9
	MOVQ SI, DI   // the next byte to look at
	XORQ R10, R10 // anchors counted
	MOVQ $0x0a0a0a0a0a0a0a0a, DX
	MOVQ DX, X2
	PUNPCKLQDQ X2, X2
	MOVQ $0x0101010101010101, DX
	IMULQ DX, AX
	MOVQ AX, X3
	PUNPCKLQDQ X3, X3
	MOVQ AX, R12 // c in every byte, for the tail
	CMPB avx2+40(FP), $1
	JNE blocks
	CMPQ BX, $32
	JLT blocks
	VPBROADCASTB X2, Y2
	VPBROADCASTB X3, Y3

wide64:
	CMPQ BX, $64
	JLT wide
	VMOVDQU (DI), Y0
	VMOVDQU 32(DI), Y4
	VPCMPEQB Y2, Y0, Y1
	VPCMPEQB Y2, Y4, Y5
	VPCMPEQB Y3, Y0, Y6
	VPCMPEQB Y3, Y4, Y7
	VPOR Y1, Y5, Y5
	VPOR Y6, Y7, Y7
	VPOR Y5, Y7, Y7
	VPTEST Y7, Y7
	JNZ wide
	ADDQ $64, DI
	SUBQ $64, BX
	JMP wide64

wide:
	CMPQ BX, $32
	JLT widedone
	VMOVDQU (DI), Y0
	VPCMPEQB Y2, Y0, Y1
	VPCMPEQB Y3, Y0, Y0
	VPMOVMSKB Y1, AX
	VPMOVMSKB Y0, DX
	MOVQ $32, R13 // the block's width
	MOVL AX, R11
	ORL DX, R11
	JNZ hit
	ADDQ $32, DI
	SUBQ $32, BX
	JMP wide64

widedone:
	VZEROUPPER

blocks:
	CMPQ BX, $16
	JLT tail
	MOVOU (DI), X0
	MOVO X0, X1
	PCMPEQB X2, X0
	PCMPEQB X3, X1
	PMOVMSKB X0, AX
	PMOVMSKB X1, DX
	MOVQ $16, R13
	MOVL AX, R11
	ORL DX, R11
	JNZ hit
	ADDQ $16, DI
	SUBQ $16, BX
	JMP blocks

hit:
	// AX: the block's newlines, DX: its anchors, R13: its width; R14 is
	// set when it has a newline, AX then its offset
	XORL R14, R14
	TESTL AX, AX
	JZ record
	MOVL $1, R14
	BSFL AX, AX // the newline: only the anchors before it count
	MOVQ $1, R11
	MOVL AX, CX
	SHLQ CX, R11
	DECQ R11
	ANDQ R11, DX

record:
	TESTL DX, DX
	JZ recorded

anchor:
	BSFL DX, CX
	CMPQ R10, $8
	JGE counted
	MOVQ DI, R11
	SUBQ SI, R11
	ADDQ CX, R11
	MOVL R11, (R9)(R10*4)

counted:
	INCQ R10
	LEAL -1(DX), R11
	ANDL R11, DX
	JNZ anchor

recorded:
	CMPQ R13, $32
	JEQ widerecorded
	TESTL R14, R14
	JNZ found
	ADDQ $16, DI
	SUBQ $16, BX
	JMP blocks

widerecorded:
	TESTL R14, R14
	JNZ widefound
	ADDQ $32, DI
	SUBQ $32, BX
	JMP wide64

widefound:
	VZEROUPPER

found:
	SUBQ SI, DI
	ADDQ AX, DI
	MOVQ DI, nl+48(FP)
	MOVQ R10, n+56(FP)
	RET

tail:
	TESTQ BX, BX
	JLE none

bytes:
	MOVBLZX (DI), AX
	CMPB AL, $0x0a
	JEQ tailfound
	CMPB AL, R12B
	JNE tailnext
	CMPQ R10, $8
	JGE tailcounted
	MOVQ DI, R11
	SUBQ SI, R11
	MOVL R11, (R9)(R10*4)

tailcounted:
	INCQ R10

tailnext:
	INCQ DI
	DECQ BX
	JNZ bytes

none:
	MOVQ $-1, nl+48(FP)
	MOVQ R10, n+56(FP)
	RET

tailfound:
	SUBQ SI, DI
	MOVQ DI, nl+48(FP)
	MOVQ R10, n+56(FP)
	RET
