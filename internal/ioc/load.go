package ioc

import (
	"bytes"
	"encoding/csv"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// storeMagic starts a store file written by Save.
const storeMagic = "tiercel-ioc-store v2\n"

// Load reads path: a store file written by `tiercel ioc import`, a CSV
// file, a STIX 2.1 bundle or a MISP JSON export, or a directory of them
// (*.csv, *.json, *.tioc). It reports how many records were skipped.
func Load(path string) (*Store, int, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, fmt.Errorf("--ioc: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		for _, pat := range []string{"*.tioc", "*.csv", "*.json"} {
			m, _ := filepath.Glob(filepath.Join(path, pat))
			files = append(files, m...)
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, 0, fmt.Errorf("--ioc %s: no .tioc, .csv or .json files in the directory", path)
		}
	}
	s := NewStore()
	skipped := 0
	for _, f := range files {
		n, err := s.AddFile(f)
		if err != nil {
			return nil, 0, err
		}
		skipped += n
	}
	return s, skipped, nil
}

// AddFile adds the indicators of one file, telling the format from its
// content. It returns the number of records it skipped.
func (s *Store) AddFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var skipped int
	switch {
	case bytes.HasPrefix(b, []byte(storeMagic)):
		err = s.addStore(b[len(storeMagic):])
	case json.Valid(b):
		skipped, err = s.addJSON(b)
	default:
		skipped, err = s.addCSV(b)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return skipped, nil
}

// Save writes the store's indicators, already classified and normalized,
// so that Load only rebuilds the hash index: faster than re-parsing feeds
// and than decoding the index itself.
func (s *Store) Save(w io.Writer) error {
	if _, err := io.WriteString(w, storeMagic); err != nil {
		return err
	}
	return gob.NewEncoder(w).Encode(s.Inds)
}

func (s *Store) addStore(b []byte) error {
	var inds []Indicator
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&inds); err != nil {
		return fmt.Errorf("reading store: %w", err)
	}
	s.Inds = slices.Grow(s.Inds, len(inds))
	for _, ind := range inds {
		s.Add(ind)
	}
	return nil
}

// Classify guesses the type of a bare indicator value.
func Classify(v string) string {
	v = strings.TrimSpace(v)
	if _, err := netip.ParseAddr(v); err == nil {
		return TypeIP
	}
	if _, err := netip.ParsePrefix(v); err == nil {
		return TypeIP
	}
	if strings.Contains(v, "://") || strings.Contains(v, "/") {
		return TypeURL
	}
	if isHex(v) {
		switch len(v) {
		case 32:
			return TypeMD5
		case 40:
			return TypeSHA1
		case 64:
			return TypeSHA256
		}
	}
	if strings.Contains(v, ".") && !strings.ContainsAny(v, " \t@") {
		return TypeDomain
	}
	return ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// typeAliases maps type names of feeds to the store's.
var typeAliases = map[string]string{
	"ip_address": TypeIP, "ip": TypeIP, "ipv4": TypeIP, "ipv6": TypeIP, "cidr": TypeIP,
	"ipv4-addr": TypeIP, "ipv6-addr": TypeIP, "ip-src": TypeIP, "ip-dst": TypeIP,
	"domain": TypeDomain, "hostname": TypeDomain, "domain-name": TypeDomain, "fqdn": TypeDomain,
	"url": TypeURL, "uri": TypeURL, "link": TypeURL,
	"hash_md5": TypeMD5, "md5": TypeMD5, "hash_sha1": TypeSHA1, "sha1": TypeSHA1,
	"hash_sha256": TypeSHA256, "sha256": TypeSHA256, "sha-256": TypeSHA256, "sha-1": TypeSHA1,
}

// addCSV reads a CSV with a header naming at least an indicator column
// (indicator or value). Optional columns: type, malicious_confidence (or
// confidence), labels (comma, semicolon or pipe separated),
// published_date, last_updated.
func (s *Store) addCSV(b []byte) (int, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	header, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("CSV header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	pick := func(names ...string) int {
		for _, n := range names {
			if i, ok := col[n]; ok {
				return i
			}
		}
		return -1
	}
	ci := pick("indicator", "value", "ioc")
	if ci < 0 {
		return 0, errors.New("CSV header has no indicator (or value) column")
	}
	ti, confi, li := pick("type"), pick("malicious_confidence", "confidence"), pick("labels", "label", "tags")
	pi, ui := pick("published_date", "published", "first_seen"), pick("last_updated", "updated", "last_seen")
	get := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	skipped := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			return 0, fmt.Errorf("CSV line %d: %w", line, err)
		}
		v := get(rec, ci)
		typ := typeAliases[strings.ToLower(get(rec, ti))]
		if typ == "" {
			typ = Classify(v)
		}
		ind := Indicator{Indicator: v, Type: typ, Confidence: get(rec, confi), Published: get(rec, pi), Updated: get(rec, ui)}
		if l := get(rec, li); l != "" {
			ind.Labels = splitLabels(l)
		}
		if typ == "" || !s.Add(ind) {
			skipped++
		}
	}
	return skipped, nil
}

func splitLabels(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Store) addJSON(b []byte) (int, error) {
	var probe struct {
		Type     string          `json:"type"`
		Objects  json.RawMessage `json:"objects"`
		Event    json.RawMessage `json:"Event"`
		Response json.RawMessage `json:"response"`
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) > 0 && trimmed[0] == '[' { // MISP: an array of {"Event": ...}
		var evs []struct {
			Event mispEvent `json:"Event"`
		}
		if err := json.Unmarshal(b, &evs); err != nil {
			return 0, fmt.Errorf("MISP export: %w", err)
		}
		n := 0
		for _, e := range evs {
			n += s.addMISP(e.Event)
		}
		return n, nil
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return 0, err
	}
	switch {
	case probe.Type == "bundle":
		return s.addSTIX(probe.Objects)
	case probe.Event != nil:
		var e mispEvent
		if err := json.Unmarshal(probe.Event, &e); err != nil {
			return 0, fmt.Errorf("MISP event: %w", err)
		}
		return s.addMISP(e), nil
	case probe.Response != nil:
		var evs []struct {
			Event mispEvent `json:"Event"`
		}
		if err := json.Unmarshal(probe.Response, &evs); err != nil {
			return 0, fmt.Errorf("MISP response: %w", err)
		}
		n := 0
		for _, e := range evs {
			n += s.addMISP(e.Event)
		}
		return n, nil
	}
	return 0, errors.New("JSON is neither a STIX 2.1 bundle nor a MISP export")
}

// stixComparison is one `object:path = 'value'` of a STIX pattern.
var stixComparison = regexp.MustCompile(`([a-z0-9-]+):([A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'`)

var stixObjectTypes = map[string]string{
	"ipv4-addr": TypeIP, "ipv6-addr": TypeIP, "domain-name": TypeDomain, "url": TypeURL,
}

// addSTIX reads the indicator objects of a STIX 2.1 bundle. Each equality
// comparison of a pattern on an address, domain, URL or file hash becomes
// an indicator; confidence 0-100 maps to LogScale's levels (75+ high, 50+
// medium, 1+ low, else unverified).
func (s *Store) addSTIX(objects json.RawMessage) (int, error) {
	var objs []struct {
		Type           string   `json:"type"`
		Pattern        string   `json:"pattern"`
		PatternType    string   `json:"pattern_type"`
		Labels         []string `json:"labels"`
		IndicatorTypes []string `json:"indicator_types"`
		Confidence     *int     `json:"confidence"`
		Created        string   `json:"created"`
		Modified       string   `json:"modified"`
		ValidFrom      string   `json:"valid_from"`
		Revoked        bool     `json:"revoked"`
	}
	if err := json.Unmarshal(objects, &objs); err != nil {
		return 0, fmt.Errorf("STIX bundle objects: %w", err)
	}
	skipped := 0
	for _, o := range objs {
		if o.Type != "indicator" {
			continue
		}
		if o.Revoked || (o.PatternType != "" && o.PatternType != "stix") {
			skipped++
			continue
		}
		conf := "unverified"
		if o.Confidence != nil {
			switch c := *o.Confidence; {
			case c >= 75:
				conf = "high"
			case c >= 50:
				conf = "medium"
			case c >= 1:
				conf = "low"
			}
		}
		labels := append(append([]string(nil), o.IndicatorTypes...), o.Labels...)
		published := o.ValidFrom
		if published == "" {
			published = o.Created
		}
		found := false
		for _, m := range stixComparison.FindAllStringSubmatch(o.Pattern, -1) {
			value := strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[3])
			typ := stixObjectTypes[m[1]]
			if m[1] == "file" && strings.HasPrefix(m[2], "hashes.") {
				typ = typeAliases[strings.ToLower(strings.Trim(strings.TrimPrefix(m[2], "hashes."), "'"))]
			}
			if typ == "" {
				continue
			}
			if s.Add(Indicator{Indicator: value, Type: typ, Labels: labels, Confidence: conf, Published: published, Updated: o.Modified}) {
				found = true
			}
		}
		if !found {
			skipped++
		}
	}
	return skipped, nil
}

type mispAttribute struct {
	Type      string `json:"type"`
	Value     string `json:"value"`
	ToIDS     bool   `json:"to_ids"`
	Timestamp string `json:"timestamp"`
	Deleted   bool   `json:"deleted"`
	Tag       []struct {
		Name string `json:"name"`
	} `json:"Tag"`
}

type mispEvent struct {
	Info      string          `json:"info"`
	Date      string          `json:"date"`
	Timestamp string          `json:"timestamp"`
	Attribute []mispAttribute `json:"Attribute"`
	Object    []struct {
		Attribute []mispAttribute `json:"Attribute"`
	} `json:"Object"`
	Tag []struct {
		Name string `json:"name"`
	} `json:"Tag"`
	ThreatLevelID string `json:"threat_level_id"`
}

// addMISP reads a MISP event's attributes (and those of its objects).
// Composite types (ip-dst|port, domain|ip, filename|sha256) contribute each
// part they can. Attributes flagged to_ids are high confidence, the others
// unverified; event and attribute tags become labels.
func (s *Store) addMISP(e mispEvent) int {
	attrs := append([]mispAttribute(nil), e.Attribute...)
	for _, o := range e.Object {
		attrs = append(attrs, o.Attribute...)
	}
	var eventTags []string
	for _, t := range e.Tag {
		eventTags = append(eventTags, t.Name)
	}
	skipped := 0
	for _, a := range attrs {
		if a.Deleted {
			continue
		}
		types := strings.Split(a.Type, "|")
		values := strings.Split(a.Value, "|")
		conf := "unverified"
		if a.ToIDS {
			conf = "high"
		}
		labels := append([]string(nil), eventTags...)
		for _, t := range a.Tag {
			labels = append(labels, t.Name)
		}
		updated := mispTime(a.Timestamp)
		added := false
		for i, t := range types {
			if i >= len(values) {
				break
			}
			typ := typeAliases[t]
			if typ == "" {
				continue
			}
			if s.Add(Indicator{Indicator: values[i], Type: typ, Labels: labels, Confidence: conf, Published: e.Date, Updated: updated}) {
				added = true
			}
		}
		if !added {
			skipped++
		}
	}
	return skipped
}

// mispTime renders MISP's epoch-seconds timestamps as RFC 3339.
func mispTime(ts string) string {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ts
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339)
}
