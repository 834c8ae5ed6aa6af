package rules

import "io/fs"

// Rule is one loaded detection package.
type Rule struct {
	ID          string
	Name        string // the detection's own name (rule.yaml name); alerts carry it as their title
	Title       string // the source page's title
	Description string
	Summary     string // what the query does, as the source page explains it
	Author      string // who wrote the detection (Sigma exports carry it)
	Attack      Attack
	QueryLabel  string // the query language as the source page names it
	Severity    string
	Confidence  string
	DataSources []string
	EventTypes  []string // required event types (the page's "Required Tables")
	Branches    []Branch
	References  []string
	FalsePos    []FalsePositive
	Tunings     []*Tuning
	Testing     Testing
	Source      Source
	Sigma       *SigmaInfo // set for rules imported from Sigma

	FS       fs.FS  // the file system the rule was loaded from
	Dir      string // directory inside FS
	Origin   string // directory as shown to the user
	Query    string // query.cql, byte for byte
	Warnings []*Error
}

// Attack is the MITRE ATT&CK placement.
type Attack struct {
	Tactic       Ref
	Technique    Ref
	Subtechnique Ref
	URL          string
}

// Ref is an ATT&CK object: id and name.
type Ref struct {
	ID   string
	Name string
}

// Branch is a DetectionBranch value the query assigns.
type Branch struct {
	Name        string
	EventType   string
	Description string
}

// FalsePositive is a known benign cause and how to tune it away.
type FalsePositive struct {
	Text    string   // what produces the benign hit
	Advice  string   // the tuning advice
	Tunings []string // names of the tunings implementing the advice
}

// Tuning statuses.
const (
	TuningReady            = "ready"
	TuningNeedsCorrelation = "needs-correlation"
)

// Tuning is a named, opt-in change to the query that a deployment switches
// on and feeds with its own lookup files.
type Tuning struct {
	Name        string
	Status      string
	Branches    []string // DetectionBranch values it narrows
	Description string
	File        string   // tunings/NAME.cql inside the rule dir; "" when not implemented
	Lookups     []string // lookup files its match() calls read
	CQL         string   // the file's text
}

// Testing is the page's testing methodology and tiercel's attack tests.
type Testing struct {
	Intro   string
	Note    string
	Attacks []AttackTest
}

// AttackTest is one adversary technique to exercise and the signals it yields.
type AttackTest struct {
	Name           string
	ExpectedSignal string // the source page's text
	Signals        []Signal
	Test           string // tests/*.txtar that replays it
}

// Signal is an alert the rule should raise for an attack test.
type Signal struct {
	EventType string
	Branch    string
	What      string
}

// Source records where the package came from and what that page also held.
type Source struct {
	PageTitle string
	Platform  string
	Heading   string
	Links     []string // other items the page offered (Sigma download, other platforms)
	// LinkFiles maps a link's text to the package files that now hold it
	// (`- {text: ..., file: exports/...}` or `files: [...]` in rule.yaml).
	LinkFiles   map[string][]string
	ProContent  []string // items the page keeps behind a paywall; not in this package
	ProFootnote string
}

// Tuning returns the rule's tuning of that name, or nil.
func (r *Rule) Tuning(name string) *Tuning {
	for _, t := range r.Tunings {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// TuningNames lists the rule's tunings in declaration order.
func (r *Rule) TuningNames() []string {
	names := make([]string, len(r.Tunings))
	for i, t := range r.Tunings {
		names[i] = t.Name
	}
	return names
}

// DisplayName is the detection's name for alerts and listings: name, or
// the title when the package gives no name.
func (r *Rule) DisplayName() string {
	if r.Name != "" {
		return r.Name
	}
	return r.Title
}

// SigmaInfo is what a rule imported from Sigma keeps of its origin. The
// Detection Rule License (DRL 1.1) of SigmaHQ rules requires the author on
// every alert, so alerts carry Author, Tags and Level.
type SigmaInfo struct {
	ID       string // the Sigma rule's id (UUID)
	File     string // the Sigma file it came from
	Author   string
	License  string
	Level    string
	Status   string
	Tags     []string
	Date     string
	Modified string
}
