package ingest

import "errors"

// ErrNotObject is reported for a line that cannot be a JSON object: it does
// not start with '{' and end with '}'. Lines a prefilter rejects are never
// decoded, so this cheap check is what still reports garbage and cut-off
// lines among them.
var ErrNotObject = errors.New("invalid JSON: not a complete JSON object (truncated or not JSON)")

// CheckShape returns ErrBlank for an empty or all-space line, ErrNotObject
// when the line cannot be a JSON object, and nil otherwise. It looks at the
// first and last non-space bytes only.
func CheckShape(line []byte) error {
	i, j := 0, len(line)-1
	for i <= j && isSpace(line[i]) {
		i++
	}
	for j >= i && isSpace(line[j]) {
		j--
	}
	switch {
	case i > j:
		return ErrBlank
	case line[i] != '{' || line[j] != '}':
		return ErrNotObject
	}
	return nil
}
