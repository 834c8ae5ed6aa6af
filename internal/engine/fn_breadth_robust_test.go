package engine

import (
	"math/rand"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// TestNewParsersNeverPanic feeds the text parsers and formatters of this
// family odd and random input: they must leave the event unchanged or
// parse what they can, never panic.
func TestNewParsersNeverPanic(t *testing.T) {
	inputs := []string{"", "CEF:", "CEF:0", "CEF:0|", "CEF:0|a|b|c|d|e|f|", "CEF:0|a|b|c|d|e|f|g=", "CEF:0|a|b|c|d|e|f|=x =y \\", "CEF:0|\\|\\\\|",
		"LEEF:", "LEEF:2.0|a|b|c|d|", "LEEF:2.0|a|b|c|d|x|k=v", "LEEF:2.0|a|b|c|d|0x|k=v", "LEEF:9|x", "\"", "\"\"\"", "a,\"b", ",,,", "\"a\"b,c",
		"http://[::1", "://", "%zz", "http://h/%zz?%zz#%", "0x", "16#", "zz", "\x00\xff", "1e400", "-0", "NaN"}
	r := rand.New(rand.NewSource(7))
	alphabet := []byte("CEFLEF:|=\\\" ,;x0129.-%[]{}\t\n")
	for range 300 {
		b := make([]byte, r.Intn(40))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	queries := []string{
		"parseCEF(v)", "parseLEEF(v)", "parseLEEF(v, delimiter=\"^\")", "parseCsv(v, columns=[a, b, c], trim=true)", "parseCsv(v, columns=[a, b])",
		"parseUrl(v)", "parseHexString(v, charset=\"UTF-16LE\")", "parseHexString(v)", "writeJson([v, a.b])", "f := format(\"%s %5.2f %x %,d %tF %c %h\", field=[v, v, v, v, v, v, v])",
		"communityId(sourceip=v, destinationip=v, proto=v, sourceport=v, destinationport=v)", "subnet(v, bits=7)", "hash(v, limit=3)", "kvParse(v)",
		"geohash(lat=v, lon=v)", "array:sort(\"v[]\", type=number)",
	}
	for _, q := range queries {
		p := compileQuery(t, q, Options{})
		var events []*event.Event
		for _, in := range inputs {
			events = append(events, ev("v", in, "v[0]", in, "v[1]", "3", "a.b", in))
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s panicked: %v", q, r)
				}
			}()
			p.Run(events)
		}()
	}
}
