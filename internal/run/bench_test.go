package run

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
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
