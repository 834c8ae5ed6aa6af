// Command ingestload is tiercel serve's load generator: it sends emulated
// Falcon telemetry to a running server's ingest API from several
// connections and reports the sustained rate of acknowledged events, the
// latency of acknowledgement (a 200 means the events and their alerts are
// durable, so it bounds ingest-to-alert latency), and the server's peak
// RSS read from /metrics.
//
//	go run ./bench/ingestload -url http://127.0.0.1:8080 -token T -events 2000000
//	go run ./bench/ingestload ... -rate 50000   # fixed offered load, for latency
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tiercel/tiercel/internal/emulate"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	token := flag.String("token", "", "ingest token")
	events := flag.Int64("events", 1_000_000, "events to send in all")
	unique := flag.Int64("unique", 200_000, "distinct emulated events generated (repeated with fresh ids)")
	batch := flag.Int("batch", 5000, "events per request")
	conns := flag.Int("c", 8, "concurrent connections")
	rate := flag.Int("rate", 0, "offered events/s (0: as fast as acknowledged)")
	gz := flag.Bool("gzip", false, "gzip request bodies")
	seed := flag.Int64("seed", 1, "emulation seed")
	flag.Parse()

	fmt.Fprintf(os.Stderr, "generating %d emulated events...\n", *unique)
	g, err := emulate.New(emulate.Options{Seed: *seed, Events: *unique, Duration: 24 * time.Hour})
	if err != nil {
		fail(err)
	}
	var buf bytes.Buffer
	if _, err := g.Run(&buf); err != nil {
		fail(err)
	}
	var lines [][]byte
	for l := range bytes.Lines(buf.Bytes()) {
		lines = append(lines, l)
	}
	// Requests: each pass over the lines gets fresh ids, so nothing is a
	// duplicate the store would skip.
	type job struct {
		body []byte
		n    int
	}
	jobs := make(chan job, *conns*2)
	go func() {
		defer close(jobs)
		var sent int64
		pass := 0
		start := time.Now()
		for sent < *events {
			prefix := []byte(`"id":"p` + strconv.Itoa(pass) + `-`)
			for i := 0; i < len(lines) && sent < *events; i += *batch {
				end := min(i+*batch, len(lines), i+int(*events-sent))
				var b bytes.Buffer
				for _, l := range lines[i:end] {
					b.Write(bytes.Replace(l, []byte(`"id":"`), prefix, 1))
				}
				body := b.Bytes()
				if *gz {
					var z bytes.Buffer
					w := gzip.NewWriter(&z)
					w.Write(body)
					w.Close()
					body = z.Bytes()
				}
				n := end - i
				sent += int64(n)
				if *rate > 0 { // pace the offered load
					due := start.Add(time.Duration(float64(sent) / float64(*rate) * float64(time.Second)))
					time.Sleep(time.Until(due))
				}
				jobs <- job{body, n}
			}
			pass++
		}
	}()

	var acked, refused atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var peakRSS atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(250 * time.Millisecond):
			}
			if v := scrapeRSS(*url); v > peakRSS.Load() {
				peakRSS.Store(v)
			}
		}
	}()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns}}
	begin := time.Now()
	var wg sync.WaitGroup
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				for {
					req, _ := http.NewRequest(http.MethodPost, *url+"/api/v1/ingest/raw", bytes.NewReader(j.body))
					req.Header.Set("Authorization", "Bearer "+*token)
					if *gz {
						req.Header.Set("Content-Encoding", "gzip")
					}
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						fail(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 {
						d := time.Since(t0)
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
						acked.Add(int64(j.n))
						break
					}
					if resp.StatusCode == 429 || resp.StatusCode == 503 {
						refused.Add(1)
						time.Sleep(100 * time.Millisecond)
						continue
					}
					fail(fmt.Errorf("HTTP %d", resp.StatusCode))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	close(stop)
	if v := scrapeRSS(*url); v > peakRSS.Load() {
		peakRSS.Store(v)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("events acknowledged: %d in %.1fs = %.0f events/s (%d requests of %d, %d connections, %d refused with 429/503)\n",
		acked.Load(), elapsed.Seconds(), float64(acked.Load())/elapsed.Seconds(), len(lat), *batch, *conns, refused.Load())
	fmt.Printf("ack latency (ingest to durable alert): p50 %v  p99 %v  max %v\n", pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(1).Round(time.Millisecond))
	fmt.Printf("server peak RSS: %.0f MB\n", float64(peakRSS.Load())/1e6)
}

func scrapeRSS(url string) int64 {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return int64(f)
		}
	}
	return 0
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ingestload:", err)
	os.Exit(1)
}
