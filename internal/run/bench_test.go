package run

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/sigma"
)

// BenchmarkSearchSeed runs the seed-like query end to end (prefilter,
// decode, engine, ordered tail) over generated lines.
func BenchmarkSearchSeed(b *testing.B) {
	src, err := os.ReadFile("../engine/testdata/seed-T1590.005.cql")
	if err != nil {
		b.Fatal(err)
	}
	prog := compile(b, string(src))
	lines := realisticLines(20000)
	size := int64(len(strings.Join(lines, "\n")) + 1)
	input := newChunks("gen", lines, 2000)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := 0
		_, err := Search(context.Background(), []*engine.Program{prog}, &chunks{list: input.list}, Options{
			Emit: func(int, *event.Event) { rows++ },
		})
		if err != nil || rows == 0 {
			b.Fatalf("rows %d, err %v", rows, err)
		}
	}
}

// realisticLines is mostly traffic the seed ignores (~700-byte lines, as in
// FDR), with near-misses and about one hit in a hundred lines.
func realisticLines(n int) []string {
	names := []string{"EndOfProcess", "SensorHeartbeat", "DnsRequest", "ProcessRollup2", "NetworkConnectIP4",
		"FileOpenInfo", "UserLogon", "ProcessRollup2", "EndOfProcess", "DnsRequest"}
	out := make([]string, n)
	for i := range out {
		name := names[i%len(names)]
		extra := ""
		switch name {
		case "ProcessRollup2":
			img := `C:\\Windows\\System32\\svchost.exe`
			if i%53 == 0 {
				img = `C:\\Tools\\nmap.exe`
			}
			extra = fmt.Sprintf(`,"ImageFileName":"%s","CommandLine":"%s -k netsvcs -p -s Schedule","UserName":"SYSTEM"`, img, img)
		case "DnsRequest":
			dom := "settings-win.data.microsoft.com"
			if i%59 == 0 {
				dom = "api.shodan.io"
			}
			extra = fmt.Sprintf(`,"DomainName":"%s","RequestType":"1"`, dom)
		case "NetworkConnectIP4":
			proc := "chrome.exe"
			if i%61 == 0 {
				proc = "curl"
			}
			extra = `,"RemoteAddressIP4":"52.1.2.3","RemotePort":"443","LocalPort":"50123","ContextProcessName":"` + proc + `"`
		}
		out[i] = fmt.Sprintf(`{"ConfigBuild":"1007.3.0017106.1","ConfigStateHash":"3915474823","ContextProcessId":"%d","ContextThreadId":"0","ContextTimeStamp":"1625677521.137","EffectiveTransmissionClass":"3","Entitlements":"15","aid":"ffffffffa63e404bba4bff7465ab3afb","aip":"67.43.156.14","cid":"ffffffff15754bcfb5f9152ec7ac90ac","event_platform":"Win","event_simpleName":"%s","id":"ffffffff-1111-11eb-9d75-02bcf3ade03b","name":"%sV5","timestamp":"%d","TargetProcessId":"365053603452626914","RawProcessId":"33454","SourceThreadId":"0","ComputerName":"WS-%d"%s}`,
			i, name, name, 1_700_000_000_000+i, i%50, extra)
	}
	return out
}

// BenchmarkDispatchSigmaRules matches lines against the dispatch of a
// hunt's raw plan over the shared corpus's SigmaHQ rules (their prefilters
// on the raw text, as a hunt's second read asks it). TIERCEL_BENCH_SIGMA names another directory
// of rules (the SigmaHQ repository's: bench/README.md), TIERCEL_BENCH_LINES
// an NDJSON file whose first 100,000 lines are matched instead of
// realisticLines.
func BenchmarkDispatchSigmaRules(b *testing.B) {
	dir := cmp.Or(os.Getenv("TIERCEL_BENCH_SIGMA"), sigmaVisible)
	srcs, _ := sigma.ReadPath(dir)
	if len(srcs) == 0 {
		b.Skipf("no Sigma rules at %s (../shared is absent)", dir)
	}
	converted, _ := sigma.NewConverter().ConvertSet(srcs)
	var progs []*engine.Program
	for _, c := range converted {
		if q, ds := cql.Parse(c.CQL); !ds.HasErrors() {
			if p, ds := engine.Compile(q, engine.Options{}); !ds.HasErrors() {
				progs = append(progs, p)
			}
		}
	}
	en := enrich.New(enrich.Options{})
	plan := newPlanRaw(newPlan(progs, en), nil, nil)
	lines := realisticLines(20000)
	if path := os.Getenv("TIERCEL_BENCH_LINES"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		lines = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		lines = lines[:min(len(lines), 100000)]
	}
	raw := make([][]byte, len(lines))
	size := 0
	for i, l := range lines {
		raw[i] = []byte(l)
		size += len(l) + 1
	}
	st := plan.dispatch.NewState()
	b.SetBytes(int64(size))
	var hits []int32
	for b.Loop() {
		for _, l := range raw {
			hits = st.Match(l, hits[:0])
		}
	}
	b.ReportMetric(float64(len(progs)), "rules")
}

// BenchmarkSettlerBet is the learning read's second stage on a connection
// whose acting process is not known (nothing in the input starts one): the
// seed's prefilter passes it, and the settler bets on its base name.
func BenchmarkSettlerBet(b *testing.B) {
	src, err := os.ReadFile("../engine/testdata/seed-T1590.005.cql")
	if err != nil {
		b.Fatal(err)
	}
	prog := compile(b, string(src))
	path := b.TempDir() + "/empty.ndjson"
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	st := settlerOver(b, prog, path)
	if st == nil || !st.betOn(&processBets{}, true) {
		b.Fatal("no betting settler for the seed")
	}
	var lines [][]byte
	for i := range 64 {
		lines = append(lines, fmt.Appendf(nil, `{"ContextTimeStamp":"1730000000.049","aid":"%032x","aip":"198.51.82.26","cid":"4f7a1c0e9b2d4e6f8a1b2c3d4e5f6a7b","event_platform":"Win","id":"8dc24981-b52f-af55e3743f85","ConfigBuild":"1007.3.0018104.1","ConfigStateHash":"2452251492","EffectiveTransmissionClass":"2","Entitlements":"15","ContextProcessId":"%d","ContextThreadId":"12000098252","ContextBaseFileName":"%s","RemoteAddressIP4":"203.0.228.34","RemotePort":"443","LocalAddressIP4":"10.185.206.143","LocalPort":"52728","Protocol":"6","ConnectionFlags":"0","name":"NetworkConnectIP4V6","event_simpleName":"NetworkConnectIP4","timestamp":"1730000002568"}`,
			i*7919, 4000032748+i, []string{"chrome.exe", "svchost.exe", "systemd-journald", "Teams.exe"}[i%4]))
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		line := lines[n%len(lines)]
		n++
		name := engine.FindEventName(line)
		if !st.match(line, name) || !st.rejects(line, name) {
			b.Fatal("not rejected on the bet")
		}
	}
}
