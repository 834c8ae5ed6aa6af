package serve_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildTiercel builds the command once per test binary.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "tiercel-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "tiercel")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/tiercel")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

var listenRe = regexp.MustCompile(`msg="tiercel serve ready" listen=(\S+)`)

// proc is a server subprocess.
type proc struct {
	cmd *exec.Cmd
	url string
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := listenRe.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	select {
	case addr := <-found:
		return &proc{cmd: cmd, url: "http://" + addr}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start")
	}
	return nil
}

// TestCrashSafety kills the server with SIGKILL at random moments while a
// shipper sends emulated telemetry, restarts it and has the shipper
// resend what was not acknowledged. At the end every event is stored
// exactly once, the alerts are hunt's alerts exactly once, and the webhook
// received every alert (duplicates carry the same id).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs server processes")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	path, lines := emulated(t, 8000, 21)
	code, want, stderr := tiercel(t, "hunt", "--format", "json", "--quiet", path)
	if code != 0 {
		t.Fatal(stderr)
	}
	wantKeys := alertKeys(t, want)

	var mu sync.Mutex
	delivered := map[string]int{}
	hook := newHook(func(id, body string) int {
		mu.Lock()
		defer mu.Unlock()
		if !strings.Contains(body, id) {
			return 400
		}
		delivered[id]++
		return 200
	})
	defer hook.Close()
	data := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "tiercel.yaml")
	os.WriteFile(cfgPath, []byte("actions:\n  - name: hook\n    type: webhook\n    url: "+hook.URL+"\n"), 0o644)
	args := []string{"--data", data, "--listen", "127.0.0.1:0", "--ingest-token", ingestTok, "--api-token", apiTok, "--config", cfgPath}

	const per = 250
	var reqs [][]byte
	for i := 0; i < len(lines); i += per {
		reqs = append(reqs, join(lines[i:min(i+per, len(lines))]))
	}
	acked := make([]bool, len(reqs))
	rounds := 3
	if os.Getenv("TIERCEL_CRASH_ROUNDS") != "" {
		rounds, _ = strconv.Atoi(os.Getenv("TIERCEL_CRASH_ROUNDS"))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	client := &http.Client{Timeout: 30 * time.Second}
	send := func(p *proc, stop <-chan struct{}) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range 3 { // concurrent shippers
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					req, _ := http.NewRequest(http.MethodPost, p.url+"/api/v1/ingest/raw", bytes.NewReader(reqs[i]))
					req.Header.Set("Authorization", "Bearer "+ingestTok)
					resp, err := client.Do(req)
					if err != nil {
						continue // killed: not acknowledged, sent again later
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 {
						mu.Lock()
						acked[i] = true
						mu.Unlock()
					}
				}
			}()
		}
	feed:
		for i := range reqs {
			mu.Lock()
			done := acked[i]
			mu.Unlock()
			if done {
				continue
			}
			select {
			case next <- i:
			case <-stop:
				break feed
			}
		}
		close(next)
		wg.Wait()
	}
	for round := 0; round < rounds; round++ {
		p := startProc(t, bin, args...)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { send(p, stop); close(done) }()
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		close(stop)
		p.cmd.Wait()
		<-done
	}
	// A last run sends what is left, then stops cleanly.
	p := startProc(t, bin, args...)
	send(p, make(chan struct{}))
	for i, ok := range acked {
		if !ok {
			t.Fatalf("request %d never acknowledged", i)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, p.url+"/api/alerts?limit=10000", nil)
	req.Header.Set("Authorization", "Bearer "+apiTok)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	gotKeys := alertKeys(t, string(body))
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("alerts after %d crashes differ from hunt: got %d, want %d\nmissing %v\nextra %v", rounds, len(gotKeys), len(wantKeys),
			diff(wantKeys, gotKeys), diff(gotKeys, wantKeys))
	}
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		if len(l) > 45 {
			ids = append(ids, l[len(`{"alert_id":"`):len(`{"alert_id":"`)+32])
		}
	}
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			if delivered[id] == 0 {
				return false
			}
		}
		return true
	})
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("SIGTERM: %v", err)
	}
	code, out, stderr := tiercel(t, "search", "--format", "csv", "--no-enrich", "count()", data)
	if code != 0 || strings.TrimSpace(out) != "_count\n"+strconv.Itoa(len(lines)) {
		t.Errorf("event store after crashes: %q (want %d events, each once) %s", out, len(lines), stderr)
	}
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
