package cli

import (
	"fmt"
	"strings"
)

// parseParams reads --param NAME=VALUE flags into the values of a query's
// ?parameters. A name may be given once.
func parseParams(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		name, value, ok := strings.Cut(f, "=")
		name = strings.TrimPrefix(strings.TrimSpace(name), "?")
		if !ok || name == "" {
			return nil, fmt.Errorf("--param %q: want NAME=VALUE", f)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("--param %s given twice", name)
		}
		out[name] = value
	}
	return out, nil
}
