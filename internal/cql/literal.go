package cql

import "strconv"

// LiteralText is the text of a value written plainly: a bare word, a quoted
// string, a number or a boolean. Other expressions report false.
func LiteralText(e Expr) (string, bool) {
	switch v := e.(type) {
	case *FieldName:
		return v.Name, true
	case *StringLit:
		return v.Value, true
	case *NumberLit:
		return v.Text, true
	case *BoolLit:
		return strconv.FormatBool(v.Value), true
	}
	return "", false
}
