package cql

import "testing"

func TestLiteralText(t *testing.T) {
	tests := []struct {
		name   string
		e      Expr
		want   string
		wantOK bool
	}{
		{"bare word", &FieldName{Name: "ImageFileName"}, "ImageFileName", true},
		{"string", &StringLit{Value: "a b"}, "a b", true},
		{"number", &NumberLit{Text: "1.5"}, "1.5", true},
		{"boolean", &BoolLit{Value: false}, "false", true},
		{"parameter", &ParamExpr{Param: &Param{Name: "x"}}, "", false},
		{"negated number", &UnaryExpr{Op: "-", X: &NumberLit{Text: "1"}}, "", false},
	}
	for _, tt := range tests {
		got, ok := LiteralText(tt.e)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: LiteralText = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}
