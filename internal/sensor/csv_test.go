package sensor

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDetectFalconCSV(t *testing.T) {
	tests := []struct {
		head string
		want Format
	}{
		{"aid,event_simpleName,timestamp,DomainName\n", FormatFalconCSV},
		{"\"@timestamp\",\"#event_simpleName\",\"ComputerName\"\r\n", FormatFalconCSV},
		{"\ufeffevent_simpleName,aid\n", FormatFalconCSV},
		{"Timestamp,DeviceName,ActionType,event_simpleName\n", FormatDefenderCSV}, // Defender's header wins
		{"{\"event_simpleName\":\"DnsRequest\",\"a\":\"b,c\"}\n", FormatNone},     // NDJSON
		{"event_simpleName\n", FormatNone},                                        // one column: no CSV to tell
		{"aid,my_event_simpleName_copy\n", FormatNone},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.head)); got != tt.want {
			t.Errorf("Detect(%q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

// A row becomes the object its NDJSON line would be: the header's names in
// order, every value a string, empty cells left out; quoted cells keep
// their commas, quotes and newlines. Rows of the wrong width are reported
// at the line they start on.
func TestFalconCSV(t *testing.T) {
	in := "event_simpleName,aid,CommandLine,RemotePort,timestamp\n" +
		"ProcessRollup2,a1,\"cmd.exe /c \"\"echo a,b\"\"\",,1700000000000\n" +
		"NetworkConnectIP4,a1,,443,1700000000001\n" +
		"DnsRequest,a1\n" +
		"ProcessRollup2,a2,\"two\nlines\",,1700000000002\n" +
		"ProcessRollup2,a3,x,,1700000000003\n"
	var out bytes.Buffer
	var problems []Problem
	st, err := Convert(FormatFalconCSV, "export.csv", strings.NewReader(in), &out, func(p Problem) { problems = append(problems, p) })
	if err != nil {
		t.Fatal(err)
	}
	want := `{"event_simpleName":"ProcessRollup2","aid":"a1","CommandLine":"cmd.exe /c \"echo a,b\"","timestamp":"1700000000000"}
{"event_simpleName":"NetworkConnectIP4","aid":"a1","RemotePort":"443","timestamp":"1700000000001"}
{"event_simpleName":"ProcessRollup2","aid":"a2","CommandLine":"two\nlines","timestamp":"1700000000002"}
{"event_simpleName":"ProcessRollup2","aid":"a3","CommandLine":"x","timestamp":"1700000000003"}
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if len(problems) != 1 || problems[0].Line != 4 || !strings.Contains(problems[0].Error(), "export.csv:4: CSV row has 2 values for 5 columns") {
		t.Errorf("problems: %v", problems)
	}
	if st.Records != 5 || st.Events != 4 || st.Skipped != 1 {
		t.Errorf("stats %+v", st)
	}
}
