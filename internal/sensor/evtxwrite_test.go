package sensor

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func sampleSysmon(n int) []*WinEvent {
	var out []*WinEvent
	for i := range n {
		w := &WinEvent{Channel: "Microsoft-Windows-Sysmon/Operational", Provider: "Microsoft-Windows-Sysmon",
			Computer: "WS-0042.corp.example", ProcessID: "3120", UserID: "S-1-5-18"}
		switch i % 3 {
		case 0:
			w.EventID = "1"
			w.Data = []KV{{"RuleName", "-"}, {"UtcTime", "2026-03-02 09:00:01.123"}, {"ProcessGuid", "{0B1C2D3E-0000-0000-0000-000000000001}"},
				{"ProcessId", fmt.Sprint(4000 + i)}, {"Image", `C:\Program Files (x86)\Nmap\nmap.exe`},
				{"CommandLine", fmt.Sprintf(`nmap -sn 192.168.56.0/24 -oX C:\Users\jdoe\AppData\Local\Temp\df00tech-nmap-test.xml <%d> & "ü"`, i)},
				{"User", `CORP\jdoe`}, {"ParentImage", `C:\Windows\System32\cmd.exe`}}
		case 1:
			w.EventID = "22"
			w.Data = []KV{{"RuleName", "-"}, {"UtcTime", "2026-03-02 09:00:02.000"}, {"ProcessGuid", "{0B1C2D3E-0000-0000-0000-000000000002}"},
				{"ProcessId", "812"}, {"QueryName", "api.shodan.io"}, {"QueryStatus", "0"}, {"QueryResults", "::ffff:104.18.12.238;"},
				{"Image", `C:\Windows\System32\curl.exe`}, {"User", ""}}
			w.UserID = ""
		default:
			w.EventID = "3"
			w.Data = []KV{{"Image", `C:\Windows\System32\curl.exe`}, {"Protocol", "tcp"}, {"Initiated", "true"},
				{"DestinationIp", "199.5.26.46"}, {"DestinationPort", "443"}, {"Multi", "line one\r\nline two"}}
		}
		out = append(out, w)
	}
	return out
}

func writeSample(t *testing.T, evs []*WinEvent) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sysmon.evtx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	ew, err := NewEVTXWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range evs {
		if err := ew.Write(w, 134170000000000000+uint64(i)*10_000_000); err != nil {
			t.Fatal(err)
		}
	}
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEVTXWriterRoundTrip writes events across several chunks and reads
// them back with our reader: every value survives, every checksum holds.
func TestEVTXWriterRoundTrip(t *testing.T) {
	evs := sampleSysmon(900) // > 1 chunk
	path := writeSample(t, evs)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	st, err := ReadEVTX(data, func(r *EVTXRecord) error {
		got := WinEventFromNode(r.Event)
		want := evs[i]
		i++
		if got.EventID != want.EventID || got.Computer != want.Computer || got.Channel != want.Channel || got.Provider != want.Provider {
			return fmt.Errorf("record %d: system values %+v, want %+v", r.Number, got, want)
		}
		if got.RecordID != fmt.Sprint(i) || r.Number != uint64(i) {
			return fmt.Errorf("record %d: EventRecordID %s", r.Number, got.RecordID)
		}
		if got.UserID != want.UserID {
			return fmt.Errorf("record %d: UserID %q, want %q", r.Number, got.UserID, want.UserID)
		}
		if fmt.Sprint(got.Data) != fmt.Sprint(want.Data) {
			return fmt.Errorf("record %d: data\n%v\nwant\n%v", r.Number, got.Data, want.Data)
		}
		return nil
	}, func(p EVTXProblem) { t.Errorf("problem: %v", p) })
	if err != nil {
		t.Fatal(err)
	}
	if i != len(evs) || st.Chunks < 2 || !st.HeaderOK || st.HeaderChunks != st.Chunks {
		t.Fatalf("read %d of %d events, stats %+v", i, len(evs), st)
	}
}

// TestEVTXWriterReadByLibevtx cross-checks the writer with Debian's
// libevtx-utils (evtxexport) and python-evtx (the reference script).
func TestEVTXWriterReadByLibevtx(t *testing.T) {
	evs := sampleSysmon(300) // two chunks, few enough for python-evtx to be quick
	path := writeSample(t, evs)
	t.Run("evtxexport", func(t *testing.T) {
		bin, err := exec.LookPath("evtxexport")
		if err != nil {
			t.Skip("evtxexport not installed (apt-get install libevtx-utils)")
		}
		out, err := exec.Command(bin, "-f", "xml", path).CombinedOutput()
		if err != nil {
			t.Fatalf("evtxexport: %v\n%s", err, out)
		}
		text := string(out)
		if n := strings.Count(text, "<Event "); n != len(evs) {
			t.Fatalf("evtxexport printed %d events, want %d\n%.2000s", n, len(evs), text)
		}
		for _, want := range []string{`<Data Name="QueryName">api.shodan.io</Data>`, `<EventID>22</EventID>`,
			`<Computer>WS-0042.corp.example</Computer>`, `<Security UserID="S-1-5-18"`, `df00tech-nmap-test.xml &lt;297&gt; &amp; "ü"`} {
			if !strings.Contains(text, want) {
				t.Errorf("evtxexport output lacks %s", want)
			}
		}
	})
	t.Run("python-evtx", func(t *testing.T) {
		script := filepath.Join(samplesDir, "make_reference.py")
		if _, err := os.Stat(script); err != nil {
			t.Skip("make_reference.py not found beside the samples")
		}
		if exec.Command("/usr/bin/python3", "-c", "import Evtx").Run() != nil {
			t.Skip("python3-evtx not installed")
		}
		out, err := exec.Command("/usr/bin/python3", script, "-o", "-", path).Output()
		if err != nil {
			t.Fatalf("make_reference.py: %v", err)
		}
		data, _ := os.ReadFile(path)
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		sc.Buffer(nil, 1<<24)
		n := 0
		_, err = ReadEVTX(data, func(r *EVTXRecord) error {
			n++
			if !sc.Scan() {
				return fmt.Errorf("python-evtx has fewer records than %d", n)
			}
			var want map[string]any
			if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
				return err
			}
			if got := referenceShape(r); fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("record %d:\n got %v\nwant %v", r.Number, got, want)
			}
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(evs) {
			t.Fatalf("%d records, want %d", n, len(evs))
		}
	})
}
