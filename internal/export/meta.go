package export

import (
	"crypto/sha1"
	"fmt"
	"slices"
	"strings"

	"github.com/tiercel/tiercel/internal/rules"
)

// Meta is what a target carries besides the query: the package's metadata.
type Meta struct {
	RuleID      string
	Title       string
	Description string
	Author      string
	Level       string
	Tags        []string // Sigma form: attack.reconnaissance, attack.t1590.005
	References  []string
	// FalsePositives lists each known benign cause with the branches its
	// tunings narrow (nil: all branches).
	FalsePositives []FalsePositive
	Branches       map[string]string // branch name -> description
	Tunings        []*rules.Tuning
}

// FalsePositive is one benign cause and the branches it concerns.
type FalsePositive struct {
	Text     string
	Branches []string
}

// MetaOf collects a rule package's metadata.
func MetaOf(r *rules.Rule) Meta {
	m := Meta{
		RuleID:      r.ID,
		Title:       r.DisplayName(),
		Description: r.Summary,
		Author:      r.Author,
		Level:       r.Severity,
		References:  r.References,
		Branches:    map[string]string{},
		Tunings:     r.Tunings,
	}
	if m.Description == "" {
		m.Description = r.Description
	}
	if t := r.Attack.Tactic.Name; t != "" {
		m.Tags = append(m.Tags, "attack."+strings.ReplaceAll(strings.ToLower(t), " ", "-"))
	}
	for _, id := range []string{r.Attack.Technique.ID, r.Attack.Subtechnique.ID} {
		if id != "" {
			m.Tags = append(m.Tags, "attack."+strings.ToLower(id))
		}
	}
	for _, b := range r.Branches {
		m.Branches[b.Name] = b.Description
	}
	for _, fp := range r.FalsePos {
		text := strings.TrimSpace(fp.Text)
		if fp.Advice != "" {
			text += " (" + strings.TrimSuffix(strings.TrimSpace(fp.Advice), ".") + ")"
		}
		f := FalsePositive{Text: text}
		for _, tn := range fp.Tunings {
			if t := r.Tuning(tn); t != nil {
				for _, b := range t.Branches {
					if !slices.Contains(f.Branches, b) {
						f.Branches = append(f.Branches, b)
					}
				}
			}
		}
		m.FalsePositives = append(m.FalsePositives, f)
	}
	return m
}

// tuningWarnings says which of the package's tunings a target leaves out.
func tuningWarnings(m Meta, target string) []string {
	var out []string
	for _, t := range m.Tunings {
		out = append(out, fmt.Sprintf("tuning %s (%s) is not exported: it filters with lookup files (match()) or correlate()/join(), which export does not translate to %s; rebuild it there as an exclusion", t.Name, strings.Join(t.Branches, ", "), target))
	}
	return out
}

// tiercelNamespace is the UUID namespace of tiercel's exported rule ids:
// UUIDv5(URL namespace, "https://github.com/tiercel/tiercel").
var tiercelNamespace = uuidV5([16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "https://github.com/tiercel/tiercel")

// stableID is the Sigma id of one exported rule: a name-based (v5) UUID of
// the rule id and branch, so re-exporting gives the same id.
func stableID(parts ...string) string {
	u := uuidV5(tiercelNamespace, strings.Join(parts, "/"))
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// uuidV5 is RFC 9562 section 5.5: SHA-1 of namespace and name, with the
// version and variant bits set.
func uuidV5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}
