package emulate

import (
	"encoding/json"
	"io"
)

// Manifest is the ground truth of one emulation run: which events the seed
// detection should raise for each atomic test, and which alerts each known
// false-positive source causes and what tuning removes them. It is written
// beside the telemetry, never into it.
type Manifest struct {
	Generator      string          `json:"generator"`
	Detection      string          `json:"detection"`
	Seed           int64           `json:"seed"`
	View           string          `json:"view"`
	Start          string          `json:"start"`
	End            string          `json:"end"`
	Events         int64           `json:"events"` // telemetry lines written (lookups excluded)
	CID            string          `json:"cid"`
	Estate         Lists           `json:"estate"`
	Attacks        []Attack        `json:"attacks"`
	FalsePositives []FalsePositive `json:"false_positives"`
}

// Lists names the estate's false-positive sources, for lookup files.
type Lists struct {
	Hosts           int      `json:"hosts"`
	SOCHosts        []string `json:"soc_hosts"`
	ScannerHosts    []string `json:"scanner_hosts"`
	ScannerAccounts []string `json:"scanner_accounts"`
	SOARHosts       []string `json:"soar_hosts"`
	SOARScripts     []string `json:"soar_scripts"`
	SOARWorker      string   `json:"soar_worker"`
	DeveloperHosts  []string `json:"developer_hosts"`
	KioskHosts      []string `json:"kiosk_hosts"`
}

// Attack is one atomic test run on one host.
type Attack struct {
	Test         int      `json:"test"`
	Name         string   `json:"name"`
	Platform     string   `json:"platform"`
	AID          string   `json:"aid"`
	ComputerName string   `json:"ComputerName"`
	UserName     string   `json:"UserName"`
	Commands     []string `json:"commands"`          // what the operator typed
	Branches     []string `json:"expected_branches"` // distinct branches of the expected signals
	Signals      []Signal `json:"signals"`
}

// Signal is one telemetry event the scenario produced and what the seed query
// makes of it. Branch is the DetectionBranch on enriched data (ContextProcessName
// resolved); FiresAsIs says whether it fires on the output as written (raw FDR
// has no ContextProcessName, so network signals need enrichment there).
type Signal struct {
	Event      string `json:"event_simpleName"`
	ID         string `json:"id"`
	AID        string `json:"aid"`
	Computer   string `json:"ComputerName"`
	ProcessKey string `json:"process_field"` // TargetProcessId or ContextProcessId
	ProcessID  string `json:"process_id"`
	Timestamp  int64  `json:"@timestamp"` // the event's `timestamp` (ms)
	Detail     string `json:"detail"`     // command line, domain or remote address
	Expected   bool   `json:"expected"`
	Branch     string `json:"branch,omitempty"`
	FiresAsIs  bool   `json:"fires_without_enrichment"` // on this output as written
	Note       string `json:"note,omitempty"`
}

// FalsePositive is one benign source of seed alerts. Signals lists every
// event of the source that the untuned seed query matches.
type FalsePositive struct {
	Source      string   `json:"source"`
	Description string   `json:"description"`
	Tuning      string   `json:"tuning"`
	TuningKey   string   `json:"tuning_key"` // ComputerName, UserName, CommandLinePrefix, BrowserCorrelation60s, none
	Values      []string `json:"values"`     // the lookup values the tuning needs
	Scenarios   int      `json:"scenarios"`
	EventsTotal int      `json:"events_total"` // every event the source produced
	Signals     []Signal `json:"signals"`
	// TuningName is the rule tuning aimed at this source when whether it
	// removes a scenario depends on the telemetry around it; Expectations
	// then say, per scenario, what that tuning does. Lookup-driven tunings
	// remove every scenario of their source and list none.
	TuningName   string        `json:"tuning_name,omitempty"`
	Expectations []Expectation `json:"expectations,omitempty"`
}

// Expectation is the oracle's verdict on one scenario under TuningName,
// computed from the events actually generated.
type Expectation struct {
	Host    string   `json:"ComputerName"`
	Role    Role     `json:"role"`
	Signals []string `json:"signal_ids"` // ids of the scenario's alerting events
	Removed bool     `json:"removed"`
	Reason  string   `json:"reason"`
}

// ExpectedLeft counts the source's alerting signals the manifest expects
// TuningName to keep; ok is false when the source has no expectations.
func (fp *FalsePositive) ExpectedLeft() (n int, ok bool) {
	for _, x := range fp.Expectations {
		if !x.Removed {
			n += len(x.Signals)
		}
	}
	return n, len(fp.Expectations) > 0
}

// WriteJSON writes the manifest, indented.
func (m *Manifest) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}
