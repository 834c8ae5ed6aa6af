package enrich

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/valyala/fastjson"
)

// SettledUserName, read from raw fields, tells the UserName that Apply
// gives the decoded event, for every way an event gets one (or none).
func TestSettledUserNameAgreesWithApply(t *testing.T) {
	e := New(Options{})
	learnLines(t, e, []string{
		`{"event_simpleName":"UserLogon","aid":"a1","UserSid":"S-1-5-21-7-1001","UserName":"alice","ContextTimeStamp":"10.0"}`,
		`{"event_simpleName":"UserLogon","aid":"a1","AuthenticationId":"999","UserName":"bob","ContextTimeStamp":"10.0"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"100","ImageFileName":"C:\\curl.exe","UserSid":"S-1-5-21-7-1001"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"200","ImageFileName":"C:\\svc.exe","AuthenticationId":"999"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"300","ImageFileName":"C:\\x.exe"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"400","ImageFileName":"C:\\y.exe","UserSid":"S-1-5-21-7-4040"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"600","ImageFileName":"C:\\z.exe","UserSid":"S-1-5-21-7-6060","UserName":"carol","ContextTimeStamp":"11.0"}`,
	})
	for _, line := range []string{
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"100"}`,                               // the process's SID
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"200"}`,                               // its logon id
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"300"}`,                               // a process without a user
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"400"}`,                               // a SID no one named
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"100","AuthenticationId":"999"}`,      // its own id first
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"600","UserSid":"S-1-5-21-7-1001"}`,   // the name its start carried first
		`{"event_simpleName":"EndOfProcess","aid":"a1","ContextProcessId":"777","UserSid":"S-1-5-21-7-1001"}`,        // unknown process: its own SID
		`{"event_simpleName":"EndOfProcess","aid":"a1","ContextProcessId":"777"}`,                                    // unknown process, nothing of its own
		`{"event_simpleName":"EndOfProcess","aid":"a2","ContextProcessId":"100"}`,                                    // another sensor
		`{"event_simpleName":"DnsRequest","aid":"a1","UserSid":"S-1-5-21-7-1001"}`,                                   // no acting process: none
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"500","UserSid":"S-1-5-21-7-1001"}`,       // a start: its own SID
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"501","ContextProcessId":"200"}`,          // a start: not its context's
		`{"event_simpleName":"SyntheticProcessRollup2","aid":"a1","TargetProcessId":"502","AuthenticationId":"999"}`, // both kinds of start
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"","UserSid":"S-1-5-18"}`,             // an empty id: its own, well known
		`{"event_simpleName":"NetworkConnectIP4","ContextProcessId":"100","UserSid":"S-1-5-21-7-1001"}`,              // no aid
	} {
		var p fastjson.Parser
		v, err := p.Parse(line)
		if err != nil {
			t.Fatal(err)
		}
		ev := event.New()
		v.GetObject().Visit(func(k []byte, v *fastjson.Value) { ev.Set(string(k), string(v.GetStringBytes())) })
		name, _ := ev.Get("event_simpleName")
		ev.Set(event.SimpleName, name)
		got, absent, ok := e.NewRawLearner().SettledUserName([]byte(name), []byte(line))
		if !ok {
			t.Errorf("%s: not settled", line)
			continue
		}
		e.Apply(ev)
		want, has := ev.Get(FieldUserName)
		if absent == has || got != want {
			t.Errorf("%s: settled %q (absent %v), Apply gives %q (has %v)", line, got, absent, want, has)
		}
	}
}

// A process id written otherwise than in plain digits is left to Apply,
// and so is everything in stream mode, where Apply learns, and a line the
// raw walk leaves to the decoder.
func TestSettledUserNameLeavesWhatItCannotRead(t *testing.T) {
	for _, tc := range []struct {
		e    *Enricher
		line string
	}{
		{New(Options{}), `{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":" 100"}`},
		{NewStream(Options{}), `{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"100"}`},
		{New(Options{}), `{"event_simpleName":"DnsRequest","aid":"a1","Context\u0050rocessId":"100"}`},
		{New(Options{}), `{"event_simpleName":"DnsRequest","aid":"a1",`},
	} {
		if _, _, ok := tc.e.NewRawLearner().SettledUserName([]byte("DnsRequest"), []byte(tc.line)); ok {
			t.Errorf("%s: settled", tc.line)
		}
	}
}

// SettledFilePath, read from raw fields as the decoder reads them, tells
// the FileName and FilePath Apply gives the decoded event.
func TestSettledFilePathAgreesWithApply(t *testing.T) {
	e := New(Options{})
	dec := ingest.NewDecoder(event.Needs{All: true})
	lines := []string{
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"\\Device\\HarddiskVolume2\\Windows\\System32\\cmd.exe"}`,
		`{"event_simpleName":"SyntheticProcessRollup2","ImageFileName":"/usr/bin/curl"}`,
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"cmd.exe"}`,                                                     // no directory
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"/","CommandLine":"\"/usr/bin/python3\" -c x"}`,                 // argv0, quoted
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"/","CommandLine":"\t/opt/app/run --a b"}`,                      // argv0 after a tab
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"/","CommandLine":"\"/opt/my app/r\\u0075n\" --x"}`,             // escapes
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"/"}`,                                                           // nothing to cut
		`{"event_simpleName":"ProcessRollup2","TargetProcessId":"5"}`,                                                         // no image
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\a.exe","ImageFileName":"C:\\b\\c.exe"}`,                    // twice: the last
		`{"event_simpleName":"ProcessRollup2","x":{"ImageFileName":"C:\\evil.exe"},"ImageFileName":"C:\\ok.exe"}`,             // nested: not it
		`{"event_simpleName":"ProcessRollup2","ImageFileName":null,"CommandLine":"/bin/sh -c x"}`,                             // null
		`{"event_simpleName":"ProcessRollup2","ImageFileName":42}`,                                                            // a number, as text
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\Program Files\\x\\"}`,                                      // ends with a separator
		`{"event_simpleName":"DnsRequest","ImageFileName":"C:\\Windows\\cmd.exe","CommandLine":"cmd"}`,                        // not a start: none
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"\\\\?\\C:\\Windows\\notepad.exe","CommandLine":"notepad.exe"}`, // long-path prefix
	}
	settled := 0
	for _, line := range lines {
		var ev event.Event
		if err := dec.Decode([]byte(line), &ev); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		name, _ := ev.Get("event_simpleName")
		file, path, ok := e.NewRawLearner().SettledFilePath([]byte(name), []byte(line))
		if !ok {
			continue // left to the decoder
		}
		settled++
		e.Apply(&ev)
		wantFile, _ := ev.Get(FieldFileName)
		wantPath, _ := ev.Get(FieldFilePath)
		if file != wantFile || path != wantPath {
			t.Errorf("%s: settled %q, %q; Apply gives %q, %q", line, file, path, wantFile, wantPath)
		}
	}
	if settled < len(lines)-1 {
		t.Errorf("settled %d of %d lines", settled, len(lines))
	}
}

// RenamedMayPass offers what each process whose values were replaced holds
// once learning is over, field by field, and answers for all of them when
// too many were replaced to list.
func TestRenamedMayPass(t *testing.T) {
	start := func(pid, image string) string {
		return `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"` + pid + `","ImageFileName":"` + image + `","CommandLine":"` + image + ` -x"}`
	}
	type offer struct{ field, value string }
	for _, tc := range []struct {
		name   string
		lines  []string
		over   bool // more renamed than the table lists
		accept string
		want   bool
		offers []offer // what may saw, until it accepted
	}{
		{name: "nothing renamed", lines: []string{start("1", `C:\\a\\svchost.exe`), start("2", `C:\\a\\curl.exe`)}, accept: "curl", want: false},
		{name: "renamed to a value no test accepts",
			lines: []string{start("1", `C:\\b\\svchost.exe`), start("1", `C:\\a\\chrome.exe`)}, accept: "curl", want: false,
			offers: []offer{{FieldContextProcessName, "chrome.exe"}, {FieldContextImageFileName, `C:\a\chrome.exe`}, {FieldParentImageFileName, `C:\a\chrome.exe`},
				{FieldContextCommandLine, `C:\a\chrome.exe -x`}, {FieldParentCommandLine, `C:\a\chrome.exe -x`}}},
		{name: "renamed to a name a test accepts",
			lines: []string{start("1", `C:\\b\\svchost.exe`), start("1", `C:\\a\\curl.exe`)}, accept: "curl.exe", want: true,
			offers: []offer{{FieldContextProcessName, "curl.exe"}}},
		{name: "too many renamed to list", lines: []string{start("1", `C:\\a\\svchost.exe`)}, over: true, accept: "curl", want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{Reads: &event.Needs{All: true}})
			learnLines(t, e, tc.lines)
			if tc.over {
				e.procs.renamesOver = true
			}
			var offers []offer
			got := e.RenamedMayPass(func(field, value string) bool {
				offers = append(offers, offer{field, value})
				return value == tc.accept
			})
			if got != tc.want {
				t.Errorf("RenamedMayPass = %v, want %v", got, tc.want)
			}
			if diff := cmp.Diff(tc.offers, offers, cmp.AllowUnexported(offer{})); diff != "" {
				t.Errorf("values offered (-want +got):\n%s", diff)
			}
		})
	}
}
