package engine

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestLiteralSet(t *testing.T) {
	// more than fewLiterals: the gram scan
	set := NewLiteralSet([]string{"4068127533", "S-1-5-21-1004-1025", "1.2.3.4", "ab", "", "7777777", "S-1-5-18"})
	tests := []struct {
		text string
		want bool
	}{
		{`{"TargetProcessId":"4068127533"}`, true},
		{`{"TargetProcessId":"04068127533 "}`, true}, // a leading zero, a space
		{`{"TargetProcessId":"406812753"}`, false},   // one digit short
		{`{"UserSid":"S-1-5-21-1004-1025"}`, true},
		{`{"UserSid":"S-1-5-21-1004-1026"}`, false},
		{`S-1-5-21-1004-1025`, true}, // the whole text
		{`{"IP4Records":"9.9.9.9;1.2.3.4;"}`, true},
		{`{"RemoteAddressIP4":"1.2.3.5"}`, false},
		{`xxab`, true}, // a short one, looked for alone
		{``, false},
		{`406`, false},
	}
	for _, tt := range tests {
		if got := set.In([]byte(tt.text)); got != tt.want {
			t.Errorf("In(%s) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestLiteralSetRandom: In and Index agree with looking for each string,
// for sets of strings of every length the stride allows, at every offset.
func TestLiteralSetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := randomWords(r, "0123456789-S")
	for round := range 300 {
		lits := make([]string, 1+r.IntN(40))
		for i := range lits {
			lits[i] = word(1 + r.IntN(14))
		}
		set := NewLiteralSet(lits)
		for range 50 {
			text := []byte(word(r.IntN(80)))
			if r.IntN(2) == 0 {
				l := lits[r.IntN(len(lits))]
				at := r.IntN(len(text) + 1)
				text = append(text[:at:at], append([]byte(l), text[at:]...)...)
			}
			want := false
			for _, l := range lits {
				want = want || bytes.Contains(text, []byte(l))
			}
			if got := set.In(text); got != want {
				t.Fatalf("round %d: In(%q) with %q = %v, want %v", round, text, lits, got, want)
			}
			first := -1
			for _, l := range lits {
				if i := bytes.Index(text, []byte(l)); i >= 0 && (first < 0 || i < first) {
					first = i
				}
			}
			if got := set.Index(text); got != first {
				t.Fatalf("round %d: Index(%q) with %q = %d, want %d", round, text, lits, got, first)
			}
		}
	}
}
