package cli

import (
	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/saved"
)

// savedFlag is --saved DIR, shared by the commands that compile or check
// queries: a directory of saved searches the query calls as $name().
type savedFlag struct{ dir string }

func (f *savedFlag) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.dir, "saved", "", "directory of saved searches: `DIR`/NAME.cql is called as $NAME() (see docs/saved-searches.md)")
}

// load reads the directory; no --saved gives a nil library (calls to saved
// searches are then reported when compiled, not when checked).
func (f *savedFlag) load() (*saved.Library, error) {
	if f.dir == "" {
		return nil, nil
	}
	lib, err := saved.Load(f.dir)
	if err != nil {
		return nil, withCode(ExitError, err)
	}
	return lib, nil
}
