package engine

import (
	"math"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestTextFunctions(t *testing.T) {
	events := []*event.Event{
		ev("cmd", "powershell -enc AAA", "key", "cmd", "img", "C:\\Windows\\cmd.exe"),
		ev("cmd", "whoami", "key", "img"),
	}
	tests := []struct {
		src  string
		want []string
	}{
		{`text:contains(cmd, substring="-enc") | select(cmd)`, []string{"cmd=powershell -enc AAA"}},
		{`!text:contains(string=cmd, substring="-enc") | select(cmd)`, []string{"cmd=whoami"}},
		{`text:startsWith(string=cmd, substring="who") | select(cmd)`, []string{"cmd=whoami"}},
		{`text:endsWith(string=img, substring=".exe") | select(cmd)`, []string{"cmd=powershell -enc AAA"}},
		{`hit := text:contains(string=cmd, substring="ami") | select(hit)`, []string{"hit=false", "hit=true"}},
		{`n := text:length(cmd) | select(n)`, []string{"n=19", "n=6"}},
		{`s := text:substring(cmd, begin=0, end=3) | select(s)`, []string{"s=pow", "s=who"}},
		{`s := text:substring(cmd, begin=3) | select(s)`, []string{"s=ershell -enc AAA", "s=ami"}},
		{`s := text:substring(cmd, begin=2, end=40) | select(s)`, []string{"", ""}},
		{`v := getField(key) | select(v)`, []string{"v=powershell -enc AAA", ""}},
		{`v := getField("cmd") | select(v)`, []string{"v=powershell -enc AAA", "v=whoami"}},
		{`setField(target=key, value="set") | select([cmd, img])`, []string{"cmd=set img=C:\\Windows\\cmd.exe", "cmd=whoami img=set"}},
		{`shannonEntropy(cmd) | select(_shannonentropy) | _shannonentropy > 2.5`, []string{"_shannonentropy=3.536886723742166", "_shannonentropy=2.584962500721156"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
}

func TestShannonEntropy(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"", 0}, {"aaaa", 0}, {"ab", 1}, {"abcd", 2}, {"ééàà", 1},
	}
	for _, tc := range tests {
		if got := shannonEntropy(tc.in); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("shannonEntropy(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
