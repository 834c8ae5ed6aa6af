package enrich

import (
	"fmt"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// benchEnricher knows 10k processes on 100 hosts, with aidmaster and users.
func benchEnricher(opts Options) *Enricher {
	e := New(opts)
	for h := range 100 {
		aid := fmt.Sprintf("%032x", h)
		e.Learn(ev("aid", aid, "ComputerName", fmt.Sprintf("HOST-%d", h), "Version", "Windows 11", "Time", "1"))
		e.Learn(ev("event_simpleName", "UserLogon", "aid", aid, "UserSid", "S-1-5-21-1-2-3-1001", "UserName", "alice"))
		for p := range 100 {
			e.Learn(ev("event_simpleName", "ProcessRollup2", "aid", aid, "TargetProcessId", fmt.Sprint(1000+p),
				"ImageFileName", `\Device\HarddiskVolume3\Windows\System32\svchost.exe`,
				"CommandLine", `C:\Windows\system32\svchost.exe -k netsvcs`, "ParentBaseFileName", "services.exe",
				"UserSid", "S-1-5-21-1-2-3-1001"))
		}
	}
	return e
}

func benchApply(b *testing.B, e *Enricher, fields ...string) {
	src := ev(fields...)
	x := event.New()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x.Reset()
		for _, f := range src.Fields() {
			x.Set(f.Name, f.Value)
		}
		e.Apply(x)
	}
}

func BenchmarkApplyNetworkEvent(b *testing.B) {
	benchApply(b, benchEnricher(Options{}), "event_simpleName", "NetworkConnectIP4",
		"aid", fmt.Sprintf("%032x", 42), "ContextProcessId", "1042", "RemotePort", "443")
}

func BenchmarkApplyProcessRollup2(b *testing.B) {
	benchApply(b, benchEnricher(Options{}), "event_simpleName", "ProcessRollup2",
		"aid", fmt.Sprintf("%032x", 42), "TargetProcessId", "1042", "UserSid", "S-1-5-21-1-2-3-1001",
		"ImageFileName", `\Device\HarddiskVolume3\Windows\System32\svchost.exe`)
}

func BenchmarkApplyStreamNetworkEvent(b *testing.B) {
	benchApply(b, benchEnricher(Options{Stream: true}), "event_simpleName", "NetworkConnectIP4",
		"aid", fmt.Sprintf("%032x", 42), "ContextProcessId", "1042", "RemotePort", "443")
}

func BenchmarkApplyParallel(b *testing.B) {
	e := benchEnricher(Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		src := ev("event_simpleName", "DnsRequest", "aid", fmt.Sprintf("%032x", 7), "ContextProcessId", "1007")
		x := event.New()
		for pb.Next() {
			x.Reset()
			for _, f := range src.Fields() {
				x.Set(f.Name, f.Value)
			}
			e.Apply(x)
		}
	})
}

// processStartLines are n raw ProcessRollup2 lines shaped as FDR writes
// them (24 members, about 950 bytes), on 200 hosts.
func processStartLines(n int) [][]byte {
	lines := make([][]byte, n)
	images := []string{`\\Device\\HarddiskVolume2\\Windows\\explorer.exe`, `/usr/bin/python3.11`, `\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe`}
	for i := range lines {
		img := images[i%len(images)]
		lines[i] = fmt.Appendf(nil, `{"ContextTimeStamp":"1730000000.098","aid":"%032x","aip":"198.51.110.28","cid":"4f7a1c0e9b2d4e6f8a1b2c3d4e5f6a7b","event_platform":"Win","id":"591cfa42-eb34-e26f4dfc69ce","ConfigBuild":"1007.3.0018104.1","ConfigStateHash":"2550472791","EffectiveTransmissionClass":"2","Entitlements":"15","TargetProcessId":"%d","ParentProcessId":"%d","ImageFileName":"%s","CommandLine":"\"%s\" --type=renderer --field-trial-handle=8650,3f6c45f9049b867b --lang=en-US /prefetch:2","SHA256HashData":"905f0213273e149782230500383b2a32ae866197b106c551fef4b54a737810b2","MD5HashData":"f0ccc018b3e47833b470e66342943ced","ParentBaseFileName":"explorer.exe","UserSid":"S-1-5-21-1004-%d","SessionId":"0","TokenType":"1","ProcessStartTime":"1730000000.098","name":"ProcessRollup2V6","event_simpleName":"ProcessRollup2","timestamp":"1730000001100"}`,
			i%200, 4000000000+i, 4000000000+i/3, img, img, 1000+i%50)
	}
	return lines
}

// BenchmarkRawLearnProcessStart learns process starts as a search reading
// process names and users does (the seed's reads), each op one line.
func BenchmarkRawLearnProcessStart(b *testing.B) {
	lines := processStartLines(1 << 16)
	var reads event.Needs
	for _, f := range []string{FieldContextProcessName, FieldUserName, "ImageFileName"} {
		reads.Add(f)
	}
	name := []byte("ProcessRollup2")
	b.SetBytes(int64(len(lines[0])))
	b.ResetTimer()
	var e *Enricher
	var r *RawLearner
	i := 0
	for b.Loop() {
		if i%len(lines) == 0 {
			b.StopTimer()
			e = New(Options{Reads: &reads})
			r = e.NewRawLearner()
			b.StartTimer()
		}
		if !r.Learn(name, lines[i%len(lines)]) {
			b.Fatal("left to the decoder")
		}
		i++
	}
}
