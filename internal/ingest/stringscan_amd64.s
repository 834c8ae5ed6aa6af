#include "textflag.h"

// func stringEnd(s []byte, i int) (end int, esc bool, ok bool)
// Looks for the next quote or backslash sixteen bytes at a time (SSE2,
// every amd64 has it), the last few bytes one at a time: nothing past s
// is read. A backslash and the byte after it are passed over.
TEXT ·stringEnd(SB), NOSPLIT, $0-42
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), BX
	MOVQ i+24(FP), CX
	LEAQ (SI)(CX*1), DI // the next byte to look at
	SUBQ CX, BX         // bytes left from it
	XORL R8, R8         // a backslash was met
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X2
	PUNPCKLQDQ X2, X2
	MOVQ $0x5c5c5c5c5c5c5c5c, AX
	MOVQ AX, X3
	PUNPCKLQDQ X3, X3

blocks:
	CMPQ BX, $16
	JLT tail
	MOVOU (DI), X0
	MOVO X0, X1
	PCMPEQB X2, X0
	PCMPEQB X3, X1
	POR X1, X0
	PMOVMSKB X0, AX
	TESTL AX, AX
	JNZ inblock
	ADDQ $16, DI
	SUBQ $16, BX
	JMP blocks

inblock:
	BSFL AX, AX
	ADDQ AX, DI
	SUBQ AX, BX
	CMPB (DI), $0x22
	JEQ found
	MOVL $1, R8 // a backslash: it and the byte it escapes
	ADDQ $2, DI
	SUBQ $2, BX
	JLE notfound
	JMP blocks

tail:
	TESTQ BX, BX
	JLE notfound

bytes:
	MOVBLZX (DI), AX
	CMPB AL, $0x22
	JEQ found
	CMPB AL, $0x5c
	JEQ escape
	INCQ DI
	DECQ BX
	JNZ bytes
	JMP notfound

escape:
	MOVL $1, R8
	ADDQ $2, DI
	SUBQ $2, BX
	JG bytes

notfound:
	MOVQ $0, end+32(FP)
	MOVB $0, esc+40(FP)
	MOVB $0, ok+41(FP)
	RET

found:
	SUBQ SI, DI
	MOVQ DI, end+32(FP)
	MOVB R8, esc+40(FP)
	MOVB $1, ok+41(FP)
	RET
