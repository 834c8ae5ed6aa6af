package cli

import "testing"

func TestThpDisabled(t *testing.T) {
	for _, tc := range []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"disablethp=1", true},
		{"disablethp=0", false},
		{"gctrace=1,disablethp=1", true},
		{"disablethp=1, madvdontneed=1", true},
		{"disablethp=1,disablethp=0", false}, // the last setting wins
		{"xdisablethp=1", false},
	} {
		if got := thpDisabled(tc.godebug); got != tc.want {
			t.Errorf("thpDisabled(%q) = %v, want %v", tc.godebug, got, tc.want)
		}
	}
}
