package enrich

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// learners learn lines as a search does: decoded, or raw.
var learners = map[string]func(t *testing.T, e *Enricher, lines []string){
	"decoded": learnLines,
	"raw": func(t *testing.T, e *Enricher, lines []string) {
		r := e.NewRawLearner()
		for _, l := range lines {
			if !r.Learn([]byte("ProcessRollup2"), []byte(l)) {
				t.Fatalf("raw learner left %s", l)
			}
		}
	},
}

// Command lines and image paths only free text reads are kept for the
// processes the watch marks alone, when it covers the free text.
func TestTextOnlyDetailsKeptForMarkedProcesses(t *testing.T) {
	starts := []string{
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"10","ImageFileName":"C:\\Tools\\python.exe","CommandLine":"python -m shodan search x"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"14","ImageFileName":"C:\\x\\notepad.exe","CommandLine":"notepad.exe a.txt"}`,
	}
	name := &event.Needs{Fields: []string{FieldContextProcessName}}
	withCmdline := &event.Needs{Fields: []string{FieldContextCommandLine, FieldContextProcessName}}
	both := map[string]string{
		"10": `python -m shodan search x|C:\Tools\python.exe`,
		"14": `notepad.exe a.txt|C:\x\notepad.exe`,
	}
	tests := []struct {
		name    string
		besides *event.Needs
		covers  bool
		want    map[string]string // pid → ContextCommandLine|ContextImageFileName
	}{
		{"covered", name, true, map[string]string{"10": both["10"], "14": "|"}},
		{"watch does not cover the free text", name, false, both},
		{"command line read besides", withCmdline, true, map[string]string{"10": both["10"], "14": `notepad.exe a.txt|`}},
		{"no free text", nil, true, both},
	}
	for _, tc := range tests {
		for how, learn := range learners {
			t.Run(tc.name+"/"+how, func(t *testing.T) {
				e := New(Options{ReadsBesideText: tc.besides})
				e.WatchText([]string{"shodan"}, tc.covers)
				learn(t, e, starts)
				got := map[string]string{}
				for pid := range tc.want {
					x := ev(event.SimpleName, "DnsRequest", "aid", "a1", "ContextProcessId", pid)
					e.Apply(x)
					cmd, _ := x.Get(FieldContextCommandLine)
					img, _ := x.Get(FieldContextImageFileName)
					got[pid] = cmd + "|" + img
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("details (-want +got):\n%s", diff)
				}
				if e.TextLost() {
					t.Error("TextLost with one record a process")
				}
			})
		}
	}
}

// Records of one process that disagree merge to the smaller value; one
// dropped before a later record holding a literal marked the process is
// learned again, and the process ends as if nothing was dropped.
func TestTextLostIsLearnedAgain(t *testing.T) {
	records := []string{
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"20","ImageFileName":"C:\\x\\notepad.exe","CommandLine":"notepad.exe"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"20","ImageFileName":"C:\\x\\tool.exe","CommandLine":"shodan init"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"21","ImageFileName":"C:\\x\\tool.exe","CommandLine":"shodan init"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"21","ImageFileName":"C:\\x\\zz.exe","CommandLine":"zz"}`,
	}
	for how, learn := range learners {
		t.Run(how, func(t *testing.T) {
			e := New(Options{ReadsBesideText: &event.Needs{}})
			e.WatchText([]string{"shodan"}, true)
			learn(t, e, records)
			if !e.TextLost() {
				t.Fatal("a dropped record before a marked one: want TextLost")
			}
			e.BeginTextRelearn()
			learn(t, e, records)
			e.EndTextRelearn()
			if e.TextLost() {
				t.Error("TextLost after learning again")
			}
			// as mergeStr has it: the smaller of what the records say
			want := map[string]string{"20": `notepad.exe|C:\x\notepad.exe`, "21": `shodan init|C:\x\tool.exe`}
			got := map[string]string{}
			for pid := range want {
				x := ev(event.SimpleName, "DnsRequest", "aid", "a1", "ContextProcessId", pid)
				e.Apply(x)
				cmd, _ := x.Get(FieldContextCommandLine)
				img, _ := x.Get(FieldContextImageFileName)
				got[pid] = cmd + "|" + img
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("details (-want +got):\n%s", diff)
			}
		})
	}
}
