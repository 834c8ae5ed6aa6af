package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/sensor/squidtest"
)

// A real Squid on 127.0.0.1 proxies requests to IP-intelligence hosts (the
// seed's tests 2 and 5) and to ordinary ones; hunt over its access.log
// alerts on exactly the two attack requests.
func TestHuntRealSquidLog(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }))
	defer web.Close()
	webPort := web.URL[strings.LastIndexByte(web.URL, ':')+1:]
	proxy := squidtest.Start(t, func(dir string) string {
		writeTemp(t, dir, "hosts", "127.0.0.1 whois.arin.net bgp.he.net intranet.corp.example www.example.org\n")
		return fmt.Sprintf("hosts_file %[1]s/hosts\naccess_log stdio:%[1]s/access.log squid\n", dir)
	})
	if err := proxy.GetWhenUp("http://intranet.corp.example:" + webPort + "/index.html"); err != nil {
		t.Fatalf("squid: %v", err)
	}
	for _, u := range []string{"/rest/ip/198.51.100.17", "/AS64500"} {
		host := map[bool]string{true: "whois.arin.net", false: "bgp.he.net"}[strings.HasPrefix(u, "/rest")]
		if err := proxy.Get("http://"+host+":"+webPort+u, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := proxy.Get("http://www.example.org:"+webPort+"/", nil); err != nil {
		t.Fatal(err)
	}
	proxy.Stop()
	access := filepath.Join(proxy.Dir, "access.log")
	code, out, stderr := runTiercel(t, "", "hunt", "--format", "json", access)
	if code != ExitOK {
		t.Fatalf("hunt: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(out, `"DomainName":"whois.arin.net"`) || !strings.Contains(out, `"DomainName":"bgp.he.net"`) ||
		strings.Count(out, `"DetectionBranch":"IPIntelDNSLookup"`) != 2 {
		data, _ := os.ReadFile(access)
		t.Fatalf("alerts:\n%s\naccess.log:\n%s", out, data)
	}
}
