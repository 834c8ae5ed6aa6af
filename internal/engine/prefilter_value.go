package engine

import "slices"

// A numeric equality (`RemotePort = 443`, `in(LogonType, values=[2, 10])`)
// matches any spelling of the number (443.0, 4.43e2), so it has no literal
// the raw line must contain, and "80" is too short to scan for anyway. It
// is tested on the key's raw value instead: a value written as a plain
// integer reads the same decoded, so it is decided exactly; any other
// spelling passes.

// valueLit is the condition that field's value equals num; written is the
// pattern as the query gives it. Fields that are not plain JSON keys give
// true: there is no value to look at.
func valueLit(num float64, written, field string) *litExpr {
	if _, plain := jsonKey(field); !plain || field == "#event_simpleName" {
		return litAlways
	}
	return &litExpr{op: litValue, text: written, num: num, field: field}
}

// maxExactDigits is the longest integer a float64 holds exactly.
const maxExactDigits = 15

// valueMayEqual reports whether raw, a key's raw value (a string's
// contents, or for other values the rest of the line), may be a value
// numerically equal to num. Only a value that is a plain unsigned integer
// (no sign, leading zero, point, exponent, escape or space before it),
// ending the string or followed by what ends a JSON number, is decided:
// the decoder keeps it as written, and ParseNumber reads it exactly. A
// value with more after the digits is not a number at all, so it fails
// whatever those digits are.
func valueMayEqual(raw []byte, num float64) bool {
	v, decided := plainInteger(raw)
	return !decided || v == num
}

// valueMayEqualAny is valueMayEqual for any of nums, the value read once.
func valueMayEqualAny(raw []byte, nums []float64) bool {
	v, decided := plainInteger(raw)
	return !decided || slices.Contains(nums, v)
}

// plainInteger reads raw as valueMayEqual decides it: decided is false
// when raw is not a plain unsigned integer ending there.
func plainInteger(raw []byte) (v float64, decided bool) {
	n := 0
	for n < len(raw) && '0' <= raw[n] && raw[n] <= '9' {
		n++
	}
	if n == 0 || n > maxExactDigits || raw[0] == '0' && n > 1 {
		return 0, false
	}
	if n < len(raw) {
		switch raw[n] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
		default:
			return 0, false // 443.0, 443e0, 4430x: left to the query
		}
	}
	var u uint64
	for _, c := range raw[:n] {
		u = u*10 + uint64(c-'0')
	}
	return float64(u), true
}
