package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

// Set by release builds with -ldflags "-X ..."; debug.ReadBuildInfo fills
// what they leave empty (go install records the module version, go build
// in a git checkout the commit and its time).
var (
	buildVersion = ""
	buildCommit  = ""
	buildDate    = ""
)

// versionInfo is what `tiercel version` prints.
type versionInfo struct {
	Version, Commit, Date, Modified, Go, Platform string
}

func readVersion() versionInfo {
	v := versionInfo{Version: buildVersion, Commit: buildCommit, Date: buildDate, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" && bi.Main.Version != "" {
			v.Version = bi.Main.Version // "(devel)" for a plain go build
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if v.Commit == "" {
					v.Commit = s.Value
				}
			case "vcs.time":
				if v.Date == "" {
					v.Date = s.Value
				}
			case "vcs.modified":
				if s.Value == "true" {
					v.Modified = " (modified)"
				}
			}
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	if v.Date == "" {
		v.Date = "unknown"
	}
	return v
}

// String is the one-line form --version prints.
func (v versionInfo) String() string {
	commit := v.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	return fmt.Sprintf("tiercel %s (commit %s%s, built %s, %s %s)", v.Version, commit, v.Modified, v.Date, v.Go, v.Platform)
}

func newVersionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print tiercel's version, commit and build date",
		Long:    "Prints the module version (set by go install or a release build), the git\ncommit and commit date the binary was built from, the Go version and platform.",
		Example: "  tiercel version\n  tiercel --version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := readVersion()
			fmt.Fprintf(env.Stdout, "tiercel %s\ncommit   %s%s\nbuilt    %s\ngo       %s\nplatform %s\n", v.Version, v.Commit, v.Modified, v.Date, v.Go, v.Platform)
			return nil
		},
	}
}
