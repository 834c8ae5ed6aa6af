package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestCryptoGeoLowercase(t *testing.T) {
	events := []*event.Event{ev("a", "abc", "B", "XyZ", "lat1", "51.507222", "lon1", "-0.1275", "lat2", "35.689722", "lon2", "139.692222")}
	tests := []struct {
		src  string
		want []string
	}{
		{"crypto:md5(a) | select(_md5)", []string{"_md5=900150983cd24fb0d6963f7d28e17f72"}},
		{"crypto:sha1(a) | select(_sha1)", []string{"_sha1=a9993e364706816aba3e25717850c26c9cd0d89d"}},
		{"h := crypto:sha256(a) | select(h)", []string{"h=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}},
		{"crypto:md5([missing]) | select(_md5)", []string{""}},
		// London to Tokyo, about 9,560 km
		{"d := geography:distance(lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2) | d > 9550000 | d < 9570000 | select(a)", []string{"a=abc"}},
		{"geography:distance(lat1=lat1, lon1=lon1, lat2=a, lon2=lon2) | select(_distance)", []string{""}},
		{"lowercase(B) | select([a, B])", []string{"a=abc B=xyz"}},
		{"lowercase(B, include=fields) | select(b)", []string{"b=XyZ"}},
		{"lowercase(\"*\", include=both) | select([a, b])", []string{"a=abc b=xyz"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, "lowercase(a, include=names)")
}

func TestExtractFlagsAndArrayExists(t *testing.T) {
	events := []*event.Event{ev("f", "4", "h", "0x3", "a[0]", "1", "a[1]", "7")}
	tests := []struct {
		src  string
		want []string
	}{
		{"bitfield:extractFlags(field=f, output=[[1, B1], [2, B2]]) | select([B1, B2])", []string{"B1=false B2=true"}},
		{"bitfield:extractFlags(field=h, onlyTrue=true, output=[[0, x], [1, y], [2, z]]) | select([x, y, z])", []string{"x=true y=true"}},
		{`array:exists("a[]", condition={v > 5}, var=v) | select(f)`, []string{"f=4"}},
		{`array:exists("a[]", condition={v > 9}, var=v) | select(f)`, nil},
		{`!array:exists("a[]", condition={v > 9}, var=v) | select(f)`, []string{"f=4"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, "bitfield:extractFlags(field=f, output=[[99, x]])")
	expectCompileError(t, "bitfield:extractFlags(field=f, output=[x])")
}
