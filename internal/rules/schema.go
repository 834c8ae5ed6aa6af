package rules

import (
	"go.yaml.in/yaml/v3"
)

// Allowed values of enumerated keys.
var (
	severities   = []string{"informational", "low", "medium", "high", "critical"}
	confidences  = []string{"low", "medium", "high"}
	tuningStates = []string{TuningReady, TuningNeedsCorrelation}
)

// fileRef is a file a rule.yaml names, with the node that names it, so a
// missing file is reported where it is referenced.
type fileRef struct {
	path string // relative to the rule dir
	node *yaml.Node
}

// decodedRule is a Rule plus the positions later checks report at.
type decodedRule struct {
	rule      *Rule
	queryRef  fileRef
	tuningRef map[*Tuning]*yaml.Node
	fpRef     []*yaml.Node // node of each false positive's tunings item, in order
	testRefs  []fileRef
	linkRefs  []fileRef // package files that source links point at
	lookupRef map[string]*yaml.Node
	signalRef []*yaml.Node // branch node of each signal, in order
}

// decodeRule maps the rule.yaml tree onto a Rule.
func (d *yamlDecoder) decodeRule(root *yaml.Node) *decodedRule {
	r := &Rule{}
	dr := &decodedRule{rule: r, queryRef: fileRef{path: "query.cql"},
		tuningRef: map[*Tuning]*yaml.Node{}, lookupRef: map[string]*yaml.Node{}}
	refFields := func(dst *Ref, what string) func(*yaml.Node) {
		return func(n *yaml.Node) {
			d.mapping(n, what, []field{
				{"id", true, d.str(&dst.ID, what+" id")},
				{"name", true, d.str(&dst.Name, what+" name")},
			})
		}
	}
	d.mapping(root, "rule.yaml", []field{
		{"id", true, d.str(&r.ID, "id")},
		{"name", false, d.str(&r.Name, "name")},
		{"title", true, d.str(&r.Title, "title")},
		{"description", true, d.str(&r.Description, "description")},
		{"summary", false, d.str(&r.Summary, "summary")},
		{"author", false, d.str(&r.Author, "author")},
		{"attack", false, func(n *yaml.Node) {
			d.mapping(n, "attack", []field{
				{"tactic", true, refFields(&r.Attack.Tactic, "attack.tactic")},
				{"technique", true, refFields(&r.Attack.Technique, "attack.technique")},
				{"subtechnique", false, refFields(&r.Attack.Subtechnique, "attack.subtechnique")},
				{"url", true, d.str(&r.Attack.URL, "attack.url")},
			})
		}},
		{"query_language", false, d.str(&r.QueryLabel, "query_language")},
		{"query", false, func(n *yaml.Node) {
			d.str(&dr.queryRef.path, "query")(n)
			dr.queryRef.node = n
		}},
		{"severity", true, d.oneOf(&r.Severity, "severity", severities...)},
		{"confidence", true, d.oneOf(&r.Confidence, "confidence", confidences...)},
		{"data_sources", true, d.strs(&r.DataSources, "data_sources")},
		{"required_event_types", true, d.strs(&r.EventTypes, "required_event_types")},
		{"branches", false, d.seq("branches", func(n *yaml.Node) {
			var b Branch
			d.mapping(n, "a branch", []field{
				{"name", true, d.str(&b.Name, "branch name")},
				{"event_type", true, d.str(&b.EventType, "branch event_type")},
				{"description", true, d.str(&b.Description, "branch description")},
			})
			r.Branches = append(r.Branches, b)
		})},
		{"references", false, d.strs(&r.References, "references")},
		{"false_positives", false, d.seq("false_positives", func(n *yaml.Node) {
			var fp FalsePositive
			var tuningNodes []*yaml.Node
			d.mapping(n, "a false positive", []field{
				{"text", true, d.str(&fp.Text, "false positive text")},
				{"advice", true, d.str(&fp.Advice, "false positive advice")},
				{"tunings", true, d.seq("false positive tunings", func(v *yaml.Node) {
					var s string
					d.str(&s, "false positive tuning")(v)
					if s != "" {
						fp.Tunings = append(fp.Tunings, s)
						tuningNodes = append(tuningNodes, v)
					}
				})},
			})
			r.FalsePos = append(r.FalsePos, fp)
			dr.fpRef = append(dr.fpRef, tuningNodes...)
		})},
		{"tunings", false, d.seq("tunings", func(n *yaml.Node) {
			t := &Tuning{}
			d.mapping(n, "a tuning", []field{
				{"name", true, d.str(&t.Name, "tuning name")},
				{"status", true, d.oneOf(&t.Status, "tuning status", tuningStates...)},
				{"branches", true, d.strs(&t.Branches, "tuning branches")},
				{"description", true, d.str(&t.Description, "tuning description")},
				{"file", false, d.str(&t.File, "tuning file")},
				{"lookups", false, d.seq("tuning lookups", func(v *yaml.Node) {
					var s string
					d.str(&s, "tuning lookup")(v)
					if s != "" {
						t.Lookups = append(t.Lookups, s)
						dr.lookupRef[s] = v
					}
				})},
			})
			r.Tunings = append(r.Tunings, t)
			dr.tuningRef[t] = n
		})},
		{"testing", false, func(n *yaml.Node) {
			d.mapping(n, "testing", []field{
				{"intro", false, d.str(&r.Testing.Intro, "testing intro")},
				{"note", false, d.str(&r.Testing.Note, "testing note")},
				{"attacks", false, d.seq("testing attacks", func(v *yaml.Node) {
					d.decodeAttack(v, r, dr)
				})},
			})
		}},
		{"sigma", false, func(n *yaml.Node) {
			si := &SigmaInfo{}
			r.Sigma = si
			d.mapping(n, "sigma", []field{
				{"id", false, d.str(&si.ID, "sigma id")},
				{"file", false, d.str(&si.File, "sigma file")},
				{"author", false, d.str(&si.Author, "sigma author")},
				{"license", false, d.str(&si.License, "sigma license")},
				{"level", false, d.oneOf(&si.Level, "sigma level", severities...)},
				{"status", false, d.str(&si.Status, "sigma status")},
				{"tags", false, d.strs(&si.Tags, "sigma tags")},
				{"date", false, d.str(&si.Date, "sigma date")},
				{"modified", false, d.str(&si.Modified, "sigma modified")},
			})
		}},
		{"source", false, func(n *yaml.Node) {
			s := &r.Source
			d.mapping(n, "source", []field{
				{"page_title", false, d.str(&s.PageTitle, "source page_title")},
				{"platform", false, d.str(&s.Platform, "source platform")},
				{"heading", false, d.str(&s.Heading, "source heading")},
				{"links", false, d.seq("source links", func(v *yaml.Node) {
					d.decodeLink(v, s, dr)
				})},
				{"pro_content", false, d.strs(&s.ProContent, "source pro_content")},
				{"pro_footnote", false, d.str(&s.ProFootnote, "source pro_footnote")},
			})
		}},
	})
	return dr
}

func (d *yamlDecoder) decodeAttack(n *yaml.Node, r *Rule, dr *decodedRule) {
	var a AttackTest
	d.mapping(n, "an attack test", []field{
		{"name", true, d.str(&a.Name, "attack test name")},
		{"expected_signal", true, d.str(&a.ExpectedSignal, "attack test expected_signal")},
		{"signals", false, d.seq("attack test signals", func(v *yaml.Node) {
			var s Signal
			var branchNode *yaml.Node
			d.mapping(v, "a signal", []field{
				{"event_type", true, d.str(&s.EventType, "signal event_type")},
				{"branch", true, func(b *yaml.Node) {
					d.str(&s.Branch, "signal branch")(b)
					branchNode = b
				}},
				{"what", true, d.str(&s.What, "signal what")},
			})
			a.Signals = append(a.Signals, s)
			dr.signalRef = append(dr.signalRef, branchNode)
		})},
		{"test", false, func(v *yaml.Node) {
			d.str(&a.Test, "attack test file")(v)
			if a.Test != "" {
				dr.testRefs = append(dr.testRefs, fileRef{path: a.Test, node: v})
			}
		}},
	})
	r.Testing.Attacks = append(r.Testing.Attacks, a)
}

// decodeLink reads a source link: its text, or {text, file} / {text, files}
// when the package holds what the link offered.
func (d *yamlDecoder) decodeLink(v *yaml.Node, s *Source, dr *decodedRule) {
	if n := resolve(v); n != nil && n.Kind == yaml.MappingNode {
		var text string
		var files []string
		var nodes []*yaml.Node
		one := func(f *yaml.Node) {
			var file string
			d.str(&file, "link file")(f)
			if file != "" {
				files = append(files, file)
				nodes = append(nodes, f)
			}
		}
		d.mapping(n, "a source link", []field{
			{"text", true, d.str(&text, "link text")},
			{"file", false, one},
			{"files", false, d.seq("link files", one)},
		})
		if text == "" {
			return
		}
		s.Links = append(s.Links, text)
		if len(files) == 0 {
			d.errorAt(n, "add `file:` (or `files:`) naming the package file, or write the link as plain text", "source link %q names no file", text)
			return
		}
		if s.LinkFiles == nil {
			s.LinkFiles = map[string][]string{}
		}
		s.LinkFiles[text] = files
		for i, f := range files {
			dr.linkRefs = append(dr.linkRefs, fileRef{path: f, node: nodes[i]})
		}
		return
	}
	var text string
	d.str(&text, "source link")(v)
	if text != "" {
		s.Links = append(s.Links, text)
	}
}
