package cli

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/sigma"
)

// huntSigma is hunt's --sigma: Sigma rules converted on the fly and run in
// the same pass as the rule packages.
type huntSigma struct {
	dirs []string
	only bool
	sigmaFlags
}

func (h *huntSigma) register(f *pflag.FlagSet) {
	f.StringArrayVar(&h.dirs, "sigma", nil, "also run the Sigma rules in `FILE|DIR` (repeatable; see docs/sigma.md)")
	f.BoolVar(&h.only, "sigma-only", false, "run only the --sigma rules, not the shipped rules and --rules packages")
	h.sigmaFlags.register(f)
}

// add converts the --sigma rules and adds them to set (or replaces set with
// --sigma-only). A rule that does not convert is listed on stderr and fails
// the hunt unless skipInvalid.
func (h *huntSigma) add(env *Env, set []*rules.Rule, loadErrs rules.Errors, skipInvalid bool) ([]*rules.Rule, rules.Errors, error) {
	if len(h.dirs) == 0 {
		if h.only {
			return nil, nil, withCode(ExitUsage, fmt.Errorf("--sigma-only needs --sigma FILE|DIR"))
		}
		return set, loadErrs, nil
	}
	conv, problems, err := h.convertSigma(env.Stderr, h.dirs)
	if err != nil {
		return nil, nil, withCode(ExitUsage, err)
	}
	if problems > 0 {
		if !skipInvalid {
			return nil, nil, withCode(ExitError, fmt.Errorf("%d Sigma rule(s) do not convert; fix them or pass --skip-invalid", problems))
		}
		fmt.Fprintf(env.Stderr, "tiercel: hunt: skipping %d Sigma rule(s) that do not convert\n", problems)
	}
	if h.only {
		set, loadErrs = nil, nil
	}
	var more []*rules.Rule
	for _, cv := range conv {
		more = append(more, sigma.ToRule(cv.ID, cv.Rule, cv.CQL, cv.EventTypes))
	}
	return rules.Merge(set, more), loadErrs, nil
}
