package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/tiercel/tiercel/internal/sigma"
	"github.com/tiercel/tiercel/internal/sigma/mapping"
)

// sigmaFlags are the options of every command that reads Sigma rules.
type sigmaFlags struct {
	mapping      string
	placeholders string
}

func (s *sigmaFlags) register(f *pflag.FlagSet) {
	f.StringVar(&s.mapping, "mapping", "", "Sigma → Falcon field table `FILE` (default: the built-in falcon.yaml; see docs/sigma.md)")
	f.StringVar(&s.placeholders, "placeholders", "", "YAML `FILE` of placeholder values for the expand modifier (name: [values])")
}

func (s *sigmaFlags) converter() (*sigma.Converter, error) {
	c := sigma.NewConverter()
	if s.mapping != "" {
		m, err := mapping.Load(s.mapping)
		if err != nil {
			return nil, fmt.Errorf("--mapping: %w", err)
		}
		c.Mapping = m
	}
	if s.placeholders != "" {
		data, err := os.ReadFile(s.placeholders)
		if err != nil {
			return nil, fmt.Errorf("--placeholders: %w", err)
		}
		if err := yaml.Unmarshal(data, &c.Placeholders); err != nil {
			return nil, fmt.Errorf("--placeholders %s: want a mapping of names to lists of values: %v", s.placeholders, err)
		}
	}
	return c, nil
}

// convertSigma reads and converts the Sigma files under paths. Problems are
// printed to w, one per line; their count is returned.
func (s *sigmaFlags) convertSigma(w io.Writer, paths []string) ([]*sigma.Converted, int, error) {
	c, err := s.converter()
	if err != nil {
		return nil, 0, err
	}
	var srcs []*sigma.Source
	problems := 0
	for _, p := range paths {
		more, errs := sigma.ReadPath(p)
		srcs = append(srcs, more...)
		for _, e := range errs {
			fmt.Fprintln(w, e)
		}
		problems += len(errs)
	}
	set, errs := c.ConvertSet(srcs)
	for _, e := range errs {
		fmt.Fprintln(w, e)
	}
	for _, cv := range set {
		for _, warn := range cv.Warnings {
			fmt.Fprintln(w, warn.Warning())
		}
	}
	return set, problems + len(errs), nil
}
