package enrich

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// Every field learning reads is found by its key, and no other key is; a
// start naming its user is left to the decoder.
func TestProcFieldSlot(t *testing.T) {
	for i, name := range procFieldNames {
		if i == pfUserName {
			i = skip
		}
		if got := procFieldSlot([]byte(name)); got != i {
			t.Errorf("procFieldSlot(%s) = %d, want %d", name, got, i)
		}
	}
	for i, name := range dnsFieldNames {
		if got := dnsFieldSlot([]byte(name)); got != i {
			t.Errorf("dnsFieldSlot(%s) = %d, want %d", name, got, i)
		}
	}
	for i, name := range identityFieldNames {
		if got := identityFieldSlot([]byte(name)); got != i {
			t.Errorf("identityFieldSlot(%s) = %d, want %d", name, got, i)
		}
	}
	for _, other := range []string{"", "aidx", "ContextProcessId", "event_simpleName"} {
		if got := procFieldSlot([]byte(other)); got != -1 {
			t.Errorf("procFieldSlot(%q) = %d, want -1", other, got)
		}
		if got := dnsFieldSlot([]byte(other)); got != -1 {
			t.Errorf("dnsFieldSlot(%q) = %d, want -1", other, got)
		}
		if got := identityFieldSlot([]byte(other)); got != -1 {
			t.Errorf("identityFieldSlot(%q) = %d, want -1", other, got)
		}
	}
}

// Learning a process start, an identity or a DNS answer from its raw line
// gives the tables learning its decoded event gives, or leaves the line to
// the decoder.
func TestRawLearnerLearnsAsTheDecoder(t *testing.T) {
	tests := []struct {
		name, line string
		raw        bool // RawLearner takes it
	}{
		{"plain", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"7","ImageFileName":"C:\\Windows\\cmd.exe","CommandLine":"cmd /c x","UserSid":"S-1-5-18","ParentBaseFileName":"explorer.exe","ParentProcessId":"3"}`, true},
		{"escapes", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"8","ImageFileName":"\u002Fusr\u002Fbin\u002Fcurl","CommandLine":"curl \"x\" \u003d1"}`, true},
		{"null, object and a repeated key", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"9","ImageFileName":"/bin/a","ImageFileName":null,"CommandLine":{"x":1},"UserSid":"S-1","UserSid":"S-2"}`, true},
		{"number pid", `{"event_simpleName":"SyntheticProcessRollup2","aid":"a1","TargetProcessId":10,"ImageFileName":"/bin/b"}`, true},
		{"names its user", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"11","ImageFileName":"/bin/c","UID":"0","UserName":"root","ContextTimeStamp":"1700000000.000"}`, false},
		{"escaped key", `{"event_simpleName":"ProcessRollup2","aid":"a1","Target\u0050rocessId":"12","ImageFileName":"/bin/d"}`, false},
		{"invalid", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"13",`, false},
		{"a DNS answer", `{"event_simpleName":"DnsRequest","aid":"a1","DomainName":"api.shodan.io.","IP4Records":"1.2.3.4;5.6.7.8;","ContextTimeStamp":"1700000000.500"}`, true},
		{"a DNS answer timed in ms", `{"event_simpleName":"DnsRequest","aid":"a1","DomainName":"x\u002eexample","FirstIP4Record":"9.9.9.9","timestamp":"1700000000123"}`, true},
		{"a logon", `{"event_simpleName":"UserLogon","aid":"a1","UserSid":"S-1-5-21-7","UserName":"alice","AuthenticationId":"999","ContextTimeStamp":"1700000000.250"}`, true},
		{"an identity, escaped, timed in ms", `{"event_simpleName":"UserIdentity","aid":"a1","UID":"1000","UserName":"b\u00f6b","timestamp":"1700000000123"}`, true},
		{"neither", `{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"14"}`, false},
		{"named by its escaped command line", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"15","CommandLine":"\"C:\\Tools\\nmap.exe\" -sn 10.0.0.0/24"}`, true},
		{"an image without a base name", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"16","ImageFileName":"C:\\Tools\\","CommandLine":"C:\\Tools\\zmap.exe -p 80"}`, true},
		{"an escaped command line repeated plain", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"17","CommandLine":"C:\\x\\a.exe","CommandLine":"b.exe -v"}`, true},
		{"a repeated sensor", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"18","aid":"a2","ImageFileName":"/bin/e"}`, true},
		{"a repeated pid", `{"event_simpleName":"ProcessRollup2","TargetProcessId":"19","aid":"a1","TargetProcessId":"20","ImageFileName":"/bin/f"}`, true},
		{"a pid repeated escaped", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"21","TargetProcessId":"2\u0032","ImageFileName":"/bin/g"}`, true},
		{"an escaped sensor repeated escaped", `{"event_simpleName":"ProcessRollup2","aid":"a\u0031","TargetProcessId":"23","aid":"a\u0032","ImageFileName":"/bin/h"}`, true},
	}
	for _, tc := range tests {
		for _, reads := range []*event.Needs{nil, &namesOnlyReads} {
			t.Run(tc.name, func(t *testing.T) {
				name := simpleNameOf([]byte(tc.line))
				want := tc.raw && (reads == nil || name != dnsRequest) // DNS answers: learned for DestinationHostname only
				got, taught := assertLearnsAsTheDecoder(t, []byte(tc.line), reads)
				if got != want {
					t.Fatalf("RawLearner took it: %v, want %v", got, want)
				}
				if got && taught == 0 {
					t.Fatal("the decoded event taught nothing: the case tests nothing")
				}
			})
		}
	}
}

// FuzzRawLearnerLearnsAsTheDecoder: whatever line RawLearner takes, it
// learns what the decoded event teaches.
func FuzzRawLearnerLearnsAsTheDecoder(f *testing.F) {
	f.Add(`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"7","ImageFileName":"C:\\Windows\\cmd.exe","CommandLine":"cmd /c x","UserSid":"S-1-5-18","ParentBaseFileName":"explorer.exe","ParentProcessId":"3"}`, false)
	f.Add(`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"9","ImageFileName":"/bin/a","ImageFileName":null,"CommandLine":{"x":1},"UserSid":"S-1","UserSid":"S-2"}`, true)
	f.Add(`{"event_simpleName":"UserLogon","aid":"a1","UserSid":"S-1-5-21-7","UserName":"alice","AuthenticationId":"999","ContextTimeStamp":"1700000000.250"}`, false)
	f.Add(`{"event_simpleName":"DnsRequest","aid":"a1","DomainName":"x\u002eexample","FirstIP4Record":"9.9.9.9","timestamp":"1700000000123"}`, false)
	f.Fuzz(func(t *testing.T, line string, namesOnly bool) {
		reads := (*event.Needs)(nil)
		if namesOnly {
			reads = &namesOnlyReads
		}
		assertLearnsAsTheDecoder(t, []byte(line), reads)
	})
}

// namesOnlyReads is learning that keeps names only (command lines are then
// read only to name a process); nil reads keep command lines too.
var namesOnlyReads = func() event.Needs {
	var n event.Needs
	n.Add(FieldContextProcessName)
	return n
}()

// simpleNameOf is a line's event_simpleName as decoded ("" when none).
func simpleNameOf(line []byte) string {
	var ev event.Event
	if ingest.NewDecoder(event.Needs{Fields: []string{"event_simpleName"}}).Decode(line, &ev) != nil {
		return ""
	}
	name, _ := ev.Get("event_simpleName")
	return name
}

// assertLearnsAsTheDecoder learns line with a RawLearner and, when it takes
// the line, checks that learning its decoded event gives the same process
// table, DNS answers and users; it reports whether RawLearner took it and
// how many entries the decoded event taught.
func assertLearnsAsTheDecoder(t *testing.T, line []byte, reads *event.Needs) (took bool, taught int) {
	t.Helper()
	for _, known := range []bool{false, true} {
		took, taught = learnsAsTheDecoder(t, line, reads, known)
	}
	return took, taught
}

// learnsAsTheDecoder is assertLearnsAsTheDecoder with the sensors the
// line names numbered and published beforehand (known), in both tables
// alike: the walk then finds a start's key as it reads (prefetchProcess)
// and the put takes it, unless a repeated key replaced what it was found
// from.
func learnsAsTheDecoder(t *testing.T, line []byte, reads *event.Needs, known bool) (took bool, taught int) {
	t.Helper()
	byRaw, byEvent := New(Options{Reads: reads}), New(Options{Reads: reads})
	if known {
		for _, aid := range aidsIn(line) {
			publishAid(byRaw, aid)
			publishAid(byEvent, aid)
		}
	}
	raw := byRaw.NewRawLearner()
	if !raw.Learn([]byte(simpleNameOf(line)), line) {
		return false, 0
	}
	raw.Flush() // as at the end of a chunk: identities are handed over in batches
	var ev event.Event
	if err := ingest.NewDecoder(byEvent.LearnNeeds()).Decode(line, &ev); err != nil {
		t.Fatalf("RawLearner took a line the decoder refuses (%v): %s", err, line)
	}
	byEvent.Learn(&ev)
	if diff := cmp.Diff(tableOf(byEvent), tableOf(byRaw), cmp.AllowUnexported(procInfo{})); diff != "" {
		t.Errorf("process tables differ (-decoded +raw):\n%s", diff)
	}
	if diff := cmp.Diff(byEvent.dns.m, byRaw.dns.m, cmp.AllowUnexported(hostKey{}, stamped{})); diff != "" {
		t.Errorf("DNS answers differ (-decoded +raw):\n%s", diff)
	}
	for _, m := range []struct {
		name          string
		event, byLine map[hostKey]stamped
	}{
		{"by SID", byEvent.users.identities(byEvent.users.byHSid), byRaw.users.identities(byRaw.users.byHSid)},
		{"by logon id", byEvent.users.identities(byEvent.users.byAuth), byRaw.users.identities(byRaw.users.byAuth)},
		{"by UID", byEvent.users.identities(byEvent.users.byUID), byRaw.users.identities(byRaw.users.byUID)},
	} {
		if diff := cmp.Diff(m.event, m.byLine, cmp.AllowUnexported(hostKey{}, stamped{})); diff != "" {
			t.Errorf("users %s differ (-decoded +raw):\n%s", m.name, diff)
		}
	}
	return true, len(tableOf(byEvent)) + len(byEvent.dns.m) + len(byEvent.users.byHSid) + len(byEvent.users.byUID)
}

// aidsIn returns the values of line's "aid" members, as decoded.
func aidsIn(line []byte) []string {
	var sc ingest.ObjectScanner
	var m ingest.Member
	var out []string
	if !sc.Reset(line) {
		return nil
	}
	for sc.Next(&m) {
		if string(m.Key) == fAid && m.Kind == ingest.KindString {
			out = append(out, string(ingest.AppendUnescaped(nil, m.Raw)))
		}
	}
	return out
}

// publishAid numbers aid in e's sensor table and publishes it.
func publishAid(e *Enricher, aid string) {
	if _, ok := e.aids.number(aid); !ok {
		return
	}
	e.aids.mu.Lock()
	defer e.aids.mu.Unlock()
	e.aids.publish(*e.aids.read.Load())
}

// tableOf lists a process table's entries.
func tableOf(e *Enricher) map[procKey]procInfo {
	out := map[procKey]procInfo{}
	for i := range e.procs.shards {
		s := &e.procs.shards[i]
		s.each(func(k procKey, j int32) { out[k] = s.infoAt(j) })
	}
	return out
}

// After a run of process starts without an id, a start is looked at for
// the key before it is walked: those without it are passed over (they
// teach nothing), those with it learned as before, and one that spells the
// key with an escape is still left to the decoder.
func TestRawLearnerAfterStartsWithoutIDs(t *testing.T) {
	idless := `{"event_simpleName":"ProcessRollup2","aid":"a1","RawProcessId":"4","ImageFileName":"C:\\Windows\\cmd.exe","CommandLine":"cmd /c x"}`
	tests := []struct {
		name, line string
		raw        bool  // RawLearner takes it
		learned    []int // pids in the table after it
	}{
		{"without an id", idless, true, nil},
		{"with one", `{"event_simpleName":"ProcessRollup2","aid":"a1","ImageFileName":"C:\\a.exe","TargetProcessId":"7"}`, true, []int{7}},
		{"with a number", `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":8,"ImageFileName":"C:\\b.exe"}`, true, []int{8}},
		{"with the key escaped", `{"event_simpleName":"ProcessRollup2","aid":"a1","Target\u0050rocessId":"9","ImageFileName":"C:\\c.exe"}`, false, nil},
		{"with the key only nested", `{"event_simpleName":"ProcessRollup2","aid":"a1","x":{"TargetProcessId":"10"},"ImageFileName":"C:\\d.exe"}`, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{})
			r := e.NewRawLearner()
			for range idlessRun + 1 {
				if !r.Learn([]byte("ProcessRollup2"), []byte(idless)) {
					t.Fatal("a start without an id was left to the decoder")
				}
			}
			if r.idless < idlessRun {
				t.Fatalf("idless = %d after %d starts without an id", r.idless, idlessRun+1)
			}
			if got := r.Learn([]byte("ProcessRollup2"), []byte(tc.line)); got != tc.raw {
				t.Fatalf("RawLearner took it: %v, want %v", got, tc.raw)
			}
			var pids []int
			for k := range tableOf(e) {
				pids = append(pids, int(k.pid))
			}
			if diff := cmp.Diff(tc.learned, pids); diff != "" {
				t.Errorf("learned pids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMayHoldPID(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`{"aid":"a","TargetProcessId":"1"}`, true},
		{`{"TargetProcessId":1}`, true},
		{`{"aid":"a","ContextProcessId":"1","ParentProcessId":"2"}`, false},
		{`{"aid":"a","TargetProcessIdX":"1"}`, false},
		{`{"Target\u0050rocessId":"1"}`, true},
		{`{"ImageFileName":"C:\\x.exe","Target\u0050rocessId":"1"}`, true},
		{`{"ImageFileName":"C:\\x.exe","CommandLine":"\"x\" /u"}`, false},
		{`{"CommandLine":"P P P TargetProcess"}`, false},
		{``, false},
	} {
		if got := mayHoldPID([]byte(tc.line)); got != tc.want {
			t.Errorf("mayHoldPID(%s) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestRawLearnerHandsIdentitiesOverInBatches: logons a RawLearner reads
// reach the user directory when a batch is full or at Flush (the end of a
// chunk), with their strings copied: the line buffer they were read from
// is written over before the batch is handed over.
func TestRawLearnerHandsIdentitiesOverInBatches(t *testing.T) {
	tests := []struct {
		name                string
		logons, beforeFlush int
	}{
		{"one logon waits for Flush", 1, 0},
		{"a batch less one waits", identityBatchSize - 1, 0},
		{"a full batch goes at once", identityBatchSize, identityBatchSize},
		{"past a batch: the first goes, the rest waits", identityBatchSize + 10, identityBatchSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Options{})
			r := e.NewRawLearner()
			buf := make([]byte, 0, 256)
			for i := range tt.logons {
				buf = fmt.Appendf(buf[:0], `{"event_simpleName":"UserLogon","aid":"aid%d","UserSid":"S-1-5-21-%d","UserName":"user%d","timestamp":"1700000000000"}`, i, i, i)
				if !r.Learn([]byte("UserLogon"), buf) {
					t.Fatalf("the raw learner left logon %d", i)
				}
				clear(buf) // the reader reuses its buffer
			}
			known := func() int {
				n := 0
				for i := range tt.logons {
					if name, ok := e.users.resolve(fmt.Sprintf("aid%d", i), fmt.Sprintf("S-1-5-21-%d", i), "", ""); ok {
						if want := fmt.Sprintf("user%d", i); name != want {
							t.Errorf("logon %d resolves to %q, want %q", i, name, want)
						}
						n++
					}
				}
				return n
			}
			if got := known(); got != tt.beforeFlush {
				t.Errorf("before Flush the directory knows %d logons, want %d", got, tt.beforeFlush)
			}
			r.Flush()
			if got := known(); got != tt.logons {
				t.Errorf("after Flush the directory knows %d logons, want %d", got, tt.logons)
			}
		})
	}
}
