package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/s3store/s3fake"
)

// s3Env points the SDK's default credential chain at the fake server's
// credentials and returns the --s3-* flags reaching it.
func s3Env(t *testing.T, srv *s3fake.Server) []string {
	t.Setenv("AWS_ACCESS_KEY_ID", s3fake.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3fake.SecretKey)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Cleanup(func() { ingest.RegisterOpener("s3", nil) })
	return []string{"--s3-endpoint", srv.URL, "--s3-region", s3fake.Region, "--s3-path-style"}
}

// emulatedFDR writes an emulated FDR tree (several data/<uuid>/ batches,
// aidmaster, userinfo, manifest.json) and returns its directory.
func emulatedFDR(t *testing.T, events string) string {
	t.Helper()
	dir := t.TempDir()
	if code, _, stderr := runTiercel(t, "", "emulate", "--events", events, "--duration", "1h", "--fdr", dir); code != ExitOK {
		t.Fatalf("emulate: exit %d: %s", code, stderr)
	}
	return dir
}

// hunt s3://bucket/prefix prints byte for byte the alerts of hunt over the
// same tree on disk: same objects, same order, same enrichment from the
// aidmaster and userinfo objects beside the data.
func TestHuntS3MatchesLocal(t *testing.T) {
	dir := emulatedFDR(t, "20000")
	srv := s3fake.Start(t)
	size := srv.Upload(t, "fdr-archive", "falcon/2026-03", dir)
	flags := s3Env(t, srv)

	code, local, stderr := runTiercel(t, "", "hunt", "--format", "json", "--quiet", dir)
	if code != ExitOK {
		t.Fatalf("local hunt: exit %d: %s", code, stderr)
	}
	if n := strings.Count(local, "\n"); n < 10 {
		t.Fatalf("local hunt found %d alerts; the emulated attacks should give more", n)
	}
	if !strings.Contains(local, `"ComputerName"`) {
		t.Fatalf("local alerts lack enriched ComputerName:\n%s", local)
	}
	began := time.Now()
	args := append([]string{"hunt", "--format", "json", "--quiet"}, flags...)
	code, remote, stderr := runTiercel(t, "", append(args, "s3://fdr-archive/falcon/2026-03")...)
	took := time.Since(began)
	if code != ExitOK {
		t.Fatalf("s3 hunt: exit %d: %s", code, stderr)
	}
	if remote != local {
		t.Fatalf("s3 alerts differ from local ones\ns3:\n%s\nlocal:\n%s", remote, local)
	}
	t.Logf("s3 hunt: %d alerts from %.1f MB of objects in %v (every pass included)", strings.Count(remote, "\n"), float64(size)/1e6, took)

	// search reads s3:// paths the same way.
	q := `#event_simpleName=DnsRequest | groupBy([ComputerName, DomainName]) | sort([ComputerName, DomainName], limit=max)`
	code, localRows, stderr := runTiercel(t, "", "search", "--format", "json", "--quiet", q, dir)
	if code != ExitOK || strings.Count(localRows, "\n") < 5 {
		t.Fatalf("local search: exit %d: %s%s", code, localRows, stderr)
	}
	code, remoteRows, stderr := runTiercel(t, "", append(append([]string{"search", "--format", "json", "--quiet"}, flags...), q, "s3://fdr-archive/falcon/2026-03")...)
	if code != ExitOK || remoteRows != localRows {
		t.Fatalf("s3 search: exit %d: %s\n%s\nlocal:\n%s", code, stderr, remoteRows, localRows)
	}

	// The aidmaster may also come from S3 through --aidmaster.
	code, noHosts, _ := runTiercel(t, "", append(args, "s3://fdr-archive/falcon/2026-03/data")...)
	if code != ExitOK || noHosts == local {
		t.Fatalf("data/ alone: exit %d; should lack host names", code)
	}
	code, withHosts, stderr := runTiercel(t, "", append(args, "--aidmaster", "s3://fdr-archive/falcon/2026-03/fdrv2/aidmaster", "s3://fdr-archive/falcon/2026-03/data")...)
	if code != ExitOK || !strings.Contains(withHosts, `"ComputerName"`) {
		t.Fatalf("--aidmaster s3://: exit %d: %s", code, stderr)
	}
}

func TestHuntS3Errors(t *testing.T) {
	srv := s3fake.Start(t)
	srv.Upload(t, "fdr-archive", "", t.TempDir())
	flags := s3Env(t, srv)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"missing prefix", append(flags, "s3://fdr-archive/nothing"), ExitError, "s3://fdr-archive/nothing: no such object or prefix"},
		{"missing bucket", append(flags, "s3://no-such-bucket/x"), ExitError, "NoSuchBucket"},
		{"other scheme", []string{"gs://b/x"}, ExitUsage, "gs://b/x: unsupported scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runTiercel(t, "", append([]string{"hunt", "--quiet"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tc.code, stderr, tc.stderr)
			}
		})
	}
}

// Without credentials the hunt stops before reading, saying what to set.
func TestHuntS3NoCredentials(t *testing.T) {
	srv := s3fake.Start(t)
	flags := s3Env(t, srv)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	code, _, stderr := runTiercel(t, "", append(append([]string{"hunt", "--quiet"}, flags...), "s3://fdr-archive/x")...)
	if code != ExitError || !strings.Contains(stderr, "tiercel: s3://fdr-archive/x: listing: no usable AWS credentials") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
