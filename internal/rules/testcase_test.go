package rules

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

func TestParseTestCase(t *testing.T) {
	src := "# what it checks\n# second line\ntunings: a, b\nlookups: ../lookups\n" +
		"-- input.ndjson --\n{\"id\":\"1\"}\n{\"id\":\"2\"}\n" +
		"-- lookups/x.csv --\nk\nv\n" +
		"-- want --\n2 B\n1 A\n"
	tc, err := ParseTestCase("tests/t.txtar", "r/tests/t.txtar", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{tc.Description, tc.Tunings, tc.LookupsRef, string(tc.Input), tc.InputLine, string(tc.Lookups["x.csv"]), tc.Want}
	want := []any{"what it checks\nsecond line\n", []string{"a", "b"}, "../lookups", "{\"id\":\"1\"}\n{\"id\":\"2\"}\n", 6, "k\nv\n", []string{"2 B", "1 A"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// -update keeps everything but the want section
	updated := string(tc.Updated([]string{"1 A"}))
	if wantUpd := strings.Replace(src, "-- want --\n2 B\n1 A\n", "-- want --\n1 A\n", 1); updated != wantUpd {
		t.Errorf("Updated:\n%s\nwant:\n%s", updated, wantUpd)
	}
}

func TestParseTestCaseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"tunngs: a\n-- input.ndjson --\n-- want --\n", `r/t.txtar:1:1: unknown header line "tunngs: a" (hint: did you mean "tunings"?)`},
		{"-- input.ndjson --\n-- expect --\n", `r/t.txtar:2:1: unknown section "expect"`},
		{"-- want --\n", "no input.ndjson section"},
		{"-- input.ndjson --\n{}\n", "no want section"},
	}
	for _, tt := range tests {
		_, err := ParseTestCase("t.txtar", "r/t.txtar", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTestCase(%q) error = %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestRunTestReportsDecodeErrorsWithLine(t *testing.T) {
	r := seedRule(t)
	tc, err := ParseTestCase("tests/x.txtar", "r/tests/x.txtar", []byte("# c\n-- input.ndjson --\n{\"id\":\"1\"}\nnot json\n-- want --\n"))
	if err != nil {
		t.Fatal(err)
	}
	res := RunTest(r, tc)
	if res.Passed || !strings.Contains(res.Diff, "r/tests/x.txtar:4:") {
		t.Errorf("result %+v; want a failure naming line 4", res)
	}
}

func TestAlertJSON(t *testing.T) {
	r := seedRule(t)
	p, err := Compile(r, nil, engineOptions())
	if err != nil {
		t.Fatal(err)
	}
	rows := runEvents(t, p, `{"event_simpleName":"DnsRequest","id":"e<1>","aid":"a1","timestamp":"1764340000123","DomainName":"shodan.io","ComputerName":"H\"1"}`)
	if len(rows) != 1 {
		t.Fatalf("%d alerts, want 1", len(rows))
	}
	got := string(rows[0].AppendJSON(nil))
	want := `{"rule":"T1590.005-ip-address-recon","title":"IP Address Reconnaissance (OSINT tools and IP intelligence lookups)","tactic":"TA0043",` +
		`"technique":"T1590","subtechnique":"T1590.005","severity":"medium","confidence":"medium","DetectionBranch":"IPIntelDNSLookup",` +
		`"#event_simpleName":"DnsRequest","ComputerName":"H\"1","DomainName":"shodan.io","@timestamp":1764340000123,"aid":"a1","id":"e<1>"}`
	if got != want {
		t.Errorf("alert JSON:\n%s\nwant:\n%s", got, want)
	}
	// an alert made without its program writes the rule's part itself
	if bare := string(Alert{Rule: rows[0].Rule, Fields: rows[0].Fields}.AppendJSON(nil)); bare != want {
		t.Errorf("alert JSON without the program's head:\n%s\nwant:\n%s", bare, want)
	}
}

// Field names are any strings: an alert with control characters, non-ASCII
// and invalid UTF-8 in its field names is still one JSON object with them.
func TestAlertJSONFieldNames(t *testing.T) {
	r := seedRule(t)
	names := []string{"a\x01b", "caf\u00e9", "tab\there", `quo"te`, "bad\xffutf8"}
	a := Alert{Rule: r}
	for i, n := range names {
		a.Fields = append(a.Fields, event.Field{Name: n, Value: fmt.Sprint(i)})
	}
	var got map[string]any
	if err := json.Unmarshal(a.AppendJSON(nil), &got); err != nil {
		t.Fatalf("alert JSON does not parse: %v\n%s", err, a.AppendJSON(nil))
	}
	for i, n := range names {
		if n == "bad\xffutf8" {
			n = "bad\ufffdutf8" // invalid UTF-8 comes out as U+FFFD
		}
		if got[n] != fmt.Sprint(i) {
			t.Errorf("field %q = %v, want %q", n, got[n], fmt.Sprint(i))
		}
	}
}

// An alert owns its values: the row it was made from may view a buffer
// that is read into again.
func TestNewAlertOwnsItsValues(t *testing.T) {
	p, err := Compile(seedRule(t), nil, engineOptions())
	if err != nil {
		t.Fatal(err)
	}
	buf := []byte("shodan.ioHOST-1")
	row := &event.Event{}
	row.Set("DomainName", unsafe.String(&buf[0], 9))
	row.Set("ComputerName", unsafe.String(&buf[9], 6))
	row.Set("UserName", "")
	a := p.NewAlert(row)
	copy(buf, "xxxxxxxxxxxxxxx")
	if got := a.Get("DomainName") + " " + a.Get("ComputerName"); got != "shodan.io HOST-1" {
		t.Errorf("alert values %q after the row's buffer was reused, want %q", got, "shodan.io HOST-1")
	}
}
