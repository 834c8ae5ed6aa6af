package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/funcs"
	"github.com/tiercel/tiercel/internal/rules"
)

// Shell completion: cobra's `tiercel completion bash|zsh|fish|powershell`
// prints the script; this file tells it what tiercel's words are. Rule ids
// and techniques, tuning names (NAME and RULE:NAME) and field names come
// from the shipped rule catalog, --format values from each command.

// falconFields are Falcon telemetry fields detections commonly read
// (../shared/spec/falcon-telemetry.md), completed in queries along with
// the columns of the shipped rules.
var falconFields = []string{
	"#event_simpleName", "@timestamp", "aid", "cid", "event_platform", "ComputerName", "UserName", "UserSid",
	"AuthenticationId", "ImageFileName", "CommandLine", "ParentBaseFileName", "ParentProcessId", "ParentCommandLine",
	"TargetProcessId", "ContextProcessId", "ContextProcessName", "ContextBaseFileName", "ContextCommandLine",
	"ContextParentBaseFileName", "FileName", "FilePath", "TargetFileName", "SHA256HashData", "MD5HashData",
	"DomainName", "IP4Records", "CNAMERecords", "RequestType", "RemoteAddressIP4", "RemoteAddressIP6", "RemotePort",
	"LocalAddressIP4", "LocalPort", "Protocol", "ConnectionDirection", "LogonType", "LogonDomain", "UserPrincipal",
	"IntegrityLevel", "SessionId", "AgentVersion", "ProductType", "Version", "MachineDomain", "OU", "SiteName",
	"DetectionBranch",
}

// completionCatalog loads the shipped rules once per completion request.
func completionCatalog() []*rules.Rule {
	set, _ := rules.LoadSet(nil)
	return set
}

func completeRules(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, r := range completionCatalog() {
		out = append(out, r.ID+"\t"+r.DisplayName())
		for _, id := range []string{r.Attack.Subtechnique.ID, r.Attack.Technique.ID} {
			if id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return prefixed(out, toComplete), cobra.ShellCompDirectiveNoFileComp
}

func completeTunings(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, r := range completionCatalog() {
		for _, t := range r.Tunings {
			if !slices.Contains(out, t.Name) {
				out = append(out, t.Name)
			}
			out = append(out, r.ID+":"+t.Name)
		}
	}
	return prefixed(out, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeQueryWords offers field names (Falcon's and the rules' columns)
// and function names for a query argument, after whatever the argument
// already holds up to its last word.
func completeQueryWords(toComplete string) []string {
	words := slices.Clone(falconFields)
	for _, r := range completionCatalog() {
		for _, b := range r.Branches {
			words = append(words, b.EventType)
		}
	}
	for _, s := range funcs.All() {
		words = append(words, s.Name+"(")
	}
	cut := strings.LastIndexAny(toComplete, " |([,=!") + 1
	lead, last := toComplete[:cut], toComplete[cut:]
	var out []string
	for _, w := range words {
		if strings.HasPrefix(strings.ToLower(w), strings.ToLower(last)) && !slices.Contains(out, lead+w) {
			out = append(out, lead+w)
		}
	}
	return out
}

func prefixed(words []string, prefix string) []string {
	var out []string
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}

func fixed(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return prefixed(values, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

func dirsOnly(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// formatValues are the --format choices of each command that has one.
var formatValues = map[string][]string{
	"search": {"table", "json", "csv"}, "hunt": {"table", "json", "csv"}, "validate": {"table", "json"},
	"rules": {"table", "json"}, "show": {"text", "markdown"},
}

// addCompletions attaches completion functions to every command by flag
// name, and argument completion to the commands that take rule ids or a
// query.
func addCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		reg := func(flag string, f func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)) {
			if c.Flags().Lookup(flag) != nil {
				_ = c.RegisterFlagCompletionFunc(flag, f)
			}
		}
		if v, ok := formatValues[c.Name()]; ok {
			reg("format", fixed(v...))
		}
		reg("tuning", completeTunings)
		reg("min-severity", fixed(severities...))
		reg("view", fixed("raw", "logscale"))
		reg("platforms", fixed("win", "lin", "win,lin"))
		for _, d := range []string{"rules", "lookups", "saved", "fdr"} {
			reg(d, dirsOnly)
		}
		switch c.Name() {
		case "show", "rules":
			c.ValidArgsFunction = completeRules
		case "search", "check", "fmt":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) == 0 && cmd.Flags().Lookup("file") != nil && !cmd.Flags().Changed("file") {
					return completeQueryWords(toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
				}
				return nil, cobra.ShellCompDirectiveDefault // paths
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
