#include "textflag.h"

// func indexLineAnchorsSSE2(s []byte, c byte, pos *[8]uint32) (nl, n int)
// Compares sixteen bytes at a time with a newline and with c (SSE2, every
// amd64 has it), the last few one at a time: nothing past s is read. The
// positions of c are taken from the block's mask lowest first.
TEXT ·indexLineAnchorsSSE2(SB), NOSPLIT, $0-56
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

blocks:
	CMPQ BX, $16
	JLT tail
	MOVOU (DI), X0
	MOVO X0, X1
	PCMPEQB X2, X0
	PCMPEQB X3, X1
	PMOVMSKB X0, AX
	PMOVMSKB X1, DX
	TESTL AX, AX
	JNZ newline
	TESTL DX, DX
	JNZ anchors

next:
	ADDQ $16, DI
	SUBQ $16, BX
	JMP blocks

anchors:
	// record every set bit of DX, positions DI-SI+bit, the first eight
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
	JNZ anchors
	JMP next

newline:
	// the anchors before the newline at bit BSF(AX)
	BSFL AX, AX
	MOVL $1, R11
	MOVL AX, CX
	SHLL CX, R11
	DECL R11
	ANDL R11, DX
	JZ found

lastanchors:
	BSFL DX, CX
	CMPQ R10, $8
	JGE lastcounted
	MOVQ DI, R11
	SUBQ SI, R11
	ADDQ CX, R11
	MOVL R11, (R9)(R10*4)

lastcounted:
	INCQ R10
	LEAL -1(DX), R11
	ANDL R11, DX
	JNZ lastanchors

found:
	SUBQ SI, DI
	ADDQ AX, DI
	MOVQ DI, nl+40(FP)
	MOVQ R10, n+48(FP)
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
	MOVQ $-1, nl+40(FP)
	MOVQ R10, n+48(FP)
	RET

tailfound:
	SUBQ SI, DI
	MOVQ DI, nl+40(FP)
	MOVQ R10, n+48(FP)
	RET

// func indexLineAnchorsAVX2(s []byte, c byte, pos *[8]uint32) (nl, n int)
// indexLineAnchors sixty-four bytes at a time (AVX2) while neither byte is
// among them, the rest as it does.
TEXT ·indexLineAnchorsAVX2(SB), NOSPLIT, $0-56
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), BX
	MOVBLZX c+24(FP), AX
	MOVQ pos+32(FP), R9
	MOVQ SI, DI
	XORQ R10, R10
	MOVQ $0x0a0a0a0a0a0a0a0a, DX
	MOVQ DX, X2
	PUNPCKLQDQ X2, X2
	MOVQ $0x0101010101010101, DX
	IMULQ DX, AX
	MOVQ AX, X3
	PUNPCKLQDQ X3, X3
	MOVQ AX, R12
	CMPQ BX, $32
	JLT small
	VPBROADCASTB X2, Y2
	VPBROADCASTB X3, Y3

wide64:
	// sixty-four bytes holding neither byte pass in one test; a pair
	// holding one goes through the thirty-two byte step
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
	TESTL AX, AX
	JNZ widenewline
	TESTL DX, DX
	JNZ wideanchors

widenext:
	ADDQ $32, DI
	SUBQ $32, BX
	JMP wide64

wideanchors:
	BSFL DX, CX
	CMPQ R10, $8
	JGE widecounted
	MOVQ DI, R11
	SUBQ SI, R11
	ADDQ CX, R11
	MOVL R11, (R9)(R10*4)

widecounted:
	INCQ R10
	LEAL -1(DX), R11
	ANDL R11, DX
	JNZ wideanchors
	JMP widenext

widenewline:
	VZEROUPPER
	BSFL AX, AX
	MOVQ $1, R11
	MOVL AX, CX
	SHLQ CX, R11
	DECQ R11
	ANDQ R11, DX
	JZ widefound

widelast:
	BSFL DX, CX
	CMPQ R10, $8
	JGE widelastcounted
	MOVQ DI, R11
	SUBQ SI, R11
	ADDQ CX, R11
	MOVL R11, (R9)(R10*4)

widelastcounted:
	INCQ R10
	LEAL -1(DX), R11
	ANDL R11, DX
	JNZ widelast

widefound:
	SUBQ SI, DI
	ADDQ AX, DI
	MOVQ DI, nl+40(FP)
	MOVQ R10, n+48(FP)
	RET

widedone:
	VZEROUPPER

small:
	// fewer than 32 bytes left: sixteen at a time, then one by one
	CMPQ BX, $16
	JLT smalltail
	MOVOU (DI), X0
	MOVO X0, X1
	PCMPEQB X2, X0
	PCMPEQB X3, X1
	PMOVMSKB X0, AX
	PMOVMSKB X1, DX
	TESTL AX, AX
	JNZ smallnewline
	TESTL DX, DX
	JZ smallnext

smallanchors:
	BSFL DX, CX
	CMPQ R10, $8
	JGE smallcounted
	MOVQ DI, R11
	SUBQ SI, R11
	ADDQ CX, R11
	MOVL R11, (R9)(R10*4)

smallcounted:
	INCQ R10
	LEAL -1(DX), R11
	ANDL R11, DX
	JNZ smallanchors

smallnext:
	ADDQ $16, DI
	SUBQ $16, BX
	JMP small

smallnewline:
	BSFL AX, AX
	MOVL $1, R11
	MOVL AX, CX
	SHLL CX, R11
	DECL R11
	ANDL R11, DX
	JZ widefound
	JMP widelast

smalltail:
	TESTQ BX, BX
	JLE smallnone

smallbytes:
	MOVBLZX (DI), AX
	CMPB AL, $0x0a
	JEQ smalltailfound
	CMPB AL, R12B
	JNE smalltailnext
	CMPQ R10, $8
	JGE smalltailcounted
	MOVQ DI, R11
	SUBQ SI, R11
	MOVL R11, (R9)(R10*4)

smalltailcounted:
	INCQ R10

smalltailnext:
	INCQ DI
	DECQ BX
	JNZ smallbytes

smallnone:
	MOVQ $-1, nl+40(FP)
	MOVQ R10, n+48(FP)
	RET

smalltailfound:
	SUBQ SI, DI
	MOVQ DI, nl+40(FP)
	MOVQ R10, n+48(FP)
	RET
