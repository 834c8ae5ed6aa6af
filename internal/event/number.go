package event

import (
	"math"
	"strconv"
	"strings"
)

// ParseNumber interprets a field value as a number the way LogScale does on
// use: surrounding spaces are ignored, decimal integers and floats are accepted.
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return float64(i), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// FormatNumber prints a number as LogScale does: integral values without a
// decimal point, others in the shortest form that round-trips.
func FormatNumber(f float64) string {
	if printsWhole(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// AppendNumber appends FormatNumber(f) to b.
func AppendNumber(b []byte, f float64) []byte {
	if printsWhole(f) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// printsWhole reports whether f prints as an integer.
func printsWhole(f float64) bool { return f == math.Trunc(f) && math.Abs(f) < 1e15 }
