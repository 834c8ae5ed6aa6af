#include "textflag.h"

// func indexQuoteOrEscape(b []byte) int
// Sixteen bytes at a time (SSE2, every amd64 has it), the last few one at
// a time: nothing past b is read.
TEXT ·indexQuoteOrEscape(SB), NOSPLIT, $0-32
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), BX
	MOVQ SI, DI
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X2
	PUNPCKLQDQ X2, X2
	MOVQ $0x5c5c5c5c5c5c5c5c, AX
	MOVQ AX, X3
	PUNPCKLQDQ X3, X3
	CMPQ BX, $16
	JB tail

blocks:
	MOVOU (SI), X0
	MOVO X0, X1
	PCMPEQB X2, X0
	PCMPEQB X3, X1
	POR X1, X0
	PMOVMSKB X0, AX
	TESTL AX, AX
	JNZ inblock
	ADDQ $16, SI
	SUBQ $16, BX
	CMPQ BX, $16
	JAE blocks

tail:
	TESTQ BX, BX
	JZ none

bytes:
	MOVBLZX (SI), AX
	CMPB AL, $0x22
	JEQ at
	CMPB AL, $0x5c
	JEQ at
	INCQ SI
	DECQ BX
	JNZ bytes

none:
	MOVQ $-1, ret+24(FP)
	RET

inblock:
	BSFL AX, AX
	ADDQ AX, SI

at:
	SUBQ DI, SI
	MOVQ SI, ret+24(FP)
	RET
