package distribute

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlanGroupsByBatch(t *testing.T) {
	root := "s3://b/fdr"
	urls := []string{
		root + "/data/u1/part-00000.gz", root + "/data/u1/part-00001.gz",
		root + "/data/u2/part-00000.gz",
		root + "/fdrv2/aidmaster/a/part-00000.gz", root + "/fdrv2/managedassets/m/part-00000.gz",
		root + "/fdrv2/userinfo/u/part-00000.gz",
	}
	ctx := []string{root + "/fdrv2/aidmaster/a/part-00000.gz", root + "/fdrv2/userinfo/u/part-00000.gz"}
	want := []Item{
		{Version: 1, Root: root, Batch: "data/u1", Objects: urls[:2], Context: ctx, Index: 0, Total: 2},
		{Version: 1, Root: root, Batch: "data/u2", Objects: urls[2:3], Context: ctx, Index: 1, Total: 2},
	}
	got := Plan(root, urls)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("Plan (-want +got):\n%s", d)
	}
	back, err := DecodeItem(got[1].Encode())
	if err != nil || cmp.Diff(got[1], back) != "" {
		t.Fatalf("round trip: %v %s", err, cmp.Diff(got[1], back))
	}
	if p := got[0].Paths(); len(p) != 4 || p[0] != urls[0] || p[3] != ctx[1] {
		t.Fatalf("Paths: %v", p)
	}
	if len(Plan(root, ctx)) != 0 {
		t.Fatal("lookups alone make no work")
	}
}

func TestDecodeItemErrors(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{`{`, "work item: unexpected end of JSON input"},
		{`{"v":2,"objects":["x"]}`, "version 2, this tiercel reads 1"},
		{`{"v":1,"batch":"data/u"}`, `work item "data/u": no objects`},
	} {
		if _, err := DecodeItem([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.in, err, tc.err)
		}
	}
}

// AlertID follows the alert store's id: rule, branch and Falcon id decide;
// other fields (enrichment, order) do not; without an id the whole line does.
func TestAlertID(t *testing.T) {
	id := func(s string) string {
		t.Helper()
		v, err := AlertID([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	base := id(`{"rule":"r","DetectionBranch":"b","id":"e1","UserName":"x"}`)
	if len(base) != 32 {
		t.Fatalf("id %q: want 32 hex digits", base)
	}
	// Known value: sha256("r\x00b\x00id:e1")[:16] in hex.
	if base != "83219393134a62f9698acc9018466ca7" {
		t.Fatalf("id %s: not the alert store's formula", base)
	}
	for _, tc := range []struct {
		line string
		same bool
	}{
		{`{"rule":"r","DetectionBranch":"b","id":"e1"}`, true},
		{`{"id":"e1","rule":"r","ComputerName":"h","DetectionBranch":"b"}`, true},
		{`{"rule":"r","DetectionBranch":"c","id":"e1"}`, false},
		{`{"rule":"s","DetectionBranch":"b","id":"e1"}`, false},
		{`{"rule":"r","DetectionBranch":"b","id":"e2"}`, false},
	} {
		if got := id(tc.line) == base; got != tc.same {
			t.Errorf("%s: same id %v, want %v", tc.line, got, tc.same)
		}
	}
	noID := `{"rule":"r","DetectionBranch":"b","x":"1"}`
	if id(noID) == id(`{"rule":"r","DetectionBranch":"b","x":"2"}`) || id(noID) != id(noID) {
		t.Error("without a Falcon id the line decides")
	}
	if _, err := AlertID([]byte("not json")); err == nil {
		t.Error("bad line accepted")
	}
}
