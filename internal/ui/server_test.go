package ui

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testToken = "t0ken"

func newTestServer() *httptest.Server {
	return httptest.NewServer(New(Options{Tokens: []string{testToken}, Title: "test"}))
}

func TestPageSecurityHeaders(t *testing.T) {
	srv := newTestServer()
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "style-src 'self' 'nonce-"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, banned := range []string{"http:", "https:", "unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, banned) {
			t.Errorf("CSP %q allows %q", csp, banned)
		}
	}
	if res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("missing framing/sniffing headers: %v", res.Header)
	}
}

func TestLoginSessionAndCSRF(t *testing.T) {
	srv := newTestServer()
	defer srv.Close()
	client := srv.Client()

	post := func(path, body string, hdr map[string]string, cookies []*http.Cookie) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	if res := post("/ui/login", `{"token":"wrong"}`, nil, nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: status %d, want 401", res.StatusCode)
	}
	if res := post("/ui/login", `{"token":"`+testToken+`"}`, map[string]string{"Origin": "https://evil.example"}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login: status %d, want 403", res.StatusCode)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/ui/login", strings.NewReader(`{"token":"`+testToken+`"}`))
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login: status %d", res.StatusCode)
	}
	cookies := res.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Value == testToken {
		t.Fatalf("session cookie %+v: want one HttpOnly SameSite=Strict cookie that is not the token", cookies)
	}
	csrf := between(body.String(), `"csrf":"`, `"`)
	if csrf == "" {
		t.Fatalf("login answer %q has no CSRF token", body.String())
	}

	tests := []struct {
		name string
		hdr  map[string]string
		auth bool
		want int
	}{
		{"no session", nil, false, http.StatusUnauthorized},
		{"session without CSRF token", nil, true, http.StatusForbidden},
		{"session with wrong CSRF token", map[string]string{"X-CSRF-Token": "x"}, true, http.StatusForbidden},
		{"cross-site with CSRF token", map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}, true, http.StatusForbidden},
		{"session with CSRF token", map[string]string{"X-CSRF-Token": csrf}, true, http.StatusNotFound}, // no alert store: 404 after auth
		{"bearer API token", map[string]string{"Authorization": "Bearer " + testToken}, false, http.StatusNotFound},
		{"wrong bearer token", map[string]string{"Authorization": "Bearer nope"}, false, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		var cs []*http.Cookie
		if tc.auth {
			cs = cookies
		}
		if res := post("/ui/api/alerts/status", `{"ids":["a"],"status":"closed"}`, tc.hdr, cs); res.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, res.StatusCode, tc.want)
		}
	}
}

func TestTokenLinkOpensSessionAndDropsToken(t *testing.T) {
	srv := newTestServer()
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Get(srv.URL + "/?token=" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || len(res.Cookies()) != 1 {
		t.Errorf("token link: status %d, location %q, cookies %d; want 303 to / with a session", res.StatusCode, res.Header.Get("Location"), len(res.Cookies()))
	}
}

// The whole UI must stay small: under 1 MB compressed.
func TestAssetsEmbeddedAndSmall(t *testing.T) {
	assetsOnce.Do(loadAssets)
	total := 0
	for _, name := range []string{"app.js", "app.css"} {
		a := assets[name]
		if a == nil || len(a.raw) < 1000 {
			t.Fatalf("asset %s missing or empty: run internal/ui/web/build.sh", name)
		}
		total += len(a.gz)
	}
	if total > 1<<20 {
		t.Errorf("UI is %d bytes gzipped, want under 1 MiB", total)
	}
	t.Logf("UI assets: %d bytes gzipped", total)
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"", time.Time{}, false},
		{"now", now, false},
		{"15m", now.Add(-15 * time.Minute), false},
		{"24h", now.Add(-24 * time.Hour), false},
		{"7d", now.Add(-7 * 24 * time.Hour), false},
		{"2 hours", now.Add(-2 * time.Hour), false},
		{"2026-03-01T00:00:00Z", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), false},
		{"1772442330552", time.UnixMilli(1772442330552), false},
		{"yesterday", time.Time{}, true},
		{"5 parsecs", time.Time{}, true},
		{"15", time.Time{}, true},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in, now)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestHistogramStaysBoundedAndCoarsens(t *testing.T) {
	h := newHistogram()
	for ms := int64(0); ms < 30*24*3600*1000; ms += 7919 {
		h.add(ms)
	}
	if len(h.counts) > maxBuckets {
		t.Fatalf("%d buckets kept, cap %d", len(h.counts), maxBuckets)
	}
	width, buckets := h.result()
	var n int64
	for _, b := range buckets {
		n += b[1]
	}
	if len(buckets) > chartBuckets || n != int64(30*24*3600*1000/7919+1) {
		t.Errorf("%d bars of %d ms holding %d events", len(buckets), width, n)
	}
}

func TestBranchConditions(t *testing.T) {
	q := "#event_simpleName=/^(A|B)$/\n| case {\n  #event_simpleName=A and x=/y/ => DetectionBranch := \"One\";\n  #event_simpleName=B | DetectionBranch := \"Two\";\n  * => drop();\n}"
	got := branchConditions(q)
	if got["One"] != "#event_simpleName=A and x=/y/" || got["Two"] != "#event_simpleName=B" {
		t.Errorf("branchConditions = %q", got)
	}
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}

// Ids written into the process-tree query look like Falcon's: anything
// else (quotes, spaces, CQL operators) is refused before a query is made.
func TestSafeValue(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"5bce5c6f6d473ef7b473b9fcc0132542", true},
		{"4000004455", true},
		{"a-b_c.d:e", true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{"", false},
		{`x" | drop()`, false},
		{"a b", false},
		{"é", false},
	}
	for _, tt := range tests {
		if got := safeValue(tt.v); got != tt.want {
			t.Errorf("safeValue(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
