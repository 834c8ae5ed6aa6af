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
