package emulate

import (
	"github.com/tiercel/tiercel/internal/jsonenc"
	"strconv"
)

// record appends one flat JSON object whose values are all strings, the way
// FDR delivers telemetry. It reuses its buffer so a steady stream of events
// costs no allocation once the buffer has grown.
type record struct {
	b []byte
}

func (r *record) reset() { r.b = append(r.b[:0], '{') }

// finish closes the object and ends the line.
func (r *record) finish() []byte {
	r.b = append(r.b, '}', '\n')
	return r.b
}

func (r *record) key(k string) {
	if len(r.b) > 1 {
		r.b = append(r.b, ',')
	}
	r.b = append(r.b, '"')
	r.b = append(r.b, k...)
	r.b = append(r.b, '"', ':')
}

func (r *record) str(k, v string) {
	r.key(k)
	r.b = jsonenc.AppendStringFalcon(r.b, v)
}

func (r *record) uint(k string, v uint64) {
	r.key(k)
	r.b = append(r.b, '"')
	r.b = strconv.AppendUint(r.b, v, 10)
	r.b = append(r.b, '"')
}

func (r *record) int(k string, v int64) {
	r.key(k)
	r.b = append(r.b, '"')
	r.b = strconv.AppendInt(r.b, v, 10)
	r.b = append(r.b, '"')
}

// secs writes epoch milliseconds as Falcon's "sec.mmm" string.
func (r *record) secs(k string, ms int64) {
	r.key(k)
	r.b = append(r.b, '"')
	r.b = appendSecs(r.b, ms)
	r.b = append(r.b, '"')
}

func appendSecs(b []byte, ms int64) []byte {
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return b
}

func formatSecs(ms int64) string { return string(appendSecs(nil, ms)) }

const hexDigits = "0123456789abcdef"
