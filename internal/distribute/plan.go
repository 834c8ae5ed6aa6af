// Package distribute spreads an archive hunt over many machines through
// Kafka: a coordinator lists an FDR archive and publishes one work item per
// FDR batch directory (data/<uuid>/) to a work topic; every worker of a
// consumer group hunts the items it is assigned and produces the alerts to
// an alert topic keyed by their stable id. An item's offset is committed
// only after its alerts are acknowledged, so a worker that dies mid-item
// leaves it to another (at least once; the alert id removes the repeats).
package distribute

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// ItemVersion is the work item format; workers refuse other versions.
const ItemVersion = 1

// Item is one unit of work: the telemetry objects of one FDR batch and the
// lookup objects (aidmaster, userinfo) every item needs whole, so each
// worker enriches its share as a local hunt enriches the tree.
type Item struct {
	Version int      `json:"v"`
	Root    string   `json:"root"`    // the archive URL the coordinator listed
	Batch   string   `json:"batch"`   // the batch directory, relative to Root
	Objects []string `json:"objects"` // telemetry object URLs, in reading order
	Context []string `json:"context"` // aidmaster/userinfo object URLs, read first
	Index   int      `json:"index"`   // 0-based position in the plan
	Total   int      `json:"total"`   // items in the plan
}

// Paths is what a hunt of the item reads: telemetry, then the lookups,
// the order a walk of the local tree gives (enrichment learns the lookups
// in a pass before the search either way).
func (it Item) Paths() []string {
	return append(append([]string(nil), it.Objects...), it.Context...)
}

// Encode is the item's record value.
func (it Item) Encode() []byte {
	b, _ := json.Marshal(it) // strings and ints only: cannot fail
	return b
}

// DecodeItem parses a record value.
func DecodeItem(b []byte) (Item, error) {
	var it Item
	if err := json.Unmarshal(b, &it); err != nil {
		return Item{}, fmt.Errorf("work item: %w", err)
	}
	if it.Version != ItemVersion {
		return Item{}, fmt.Errorf("work item: version %d, this tiercel reads %d", it.Version, ItemVersion)
	}
	if len(it.Objects) == 0 {
		return Item{}, fmt.Errorf("work item %q: no objects", it.Batch)
	}
	return it, nil
}

// Plan groups object URLs listed below root into items: one per directory
// holding telemetry (an FDR batch, data/<uuid>/, where a host's process
// tree usually stays together), each carrying every aidmaster and
// userinfo object. Other lookups under fdrv2/ are not read by hunts and are
// left out. Items come in the order of their first object.
func Plan(root string, urls []string) []Item {
	var ctx []string
	var items []Item
	byDir := map[string]int{}
	for _, u := range urls {
		switch ingest.Classify(u) {
		case event.KindAidmaster, event.KindUserinfo:
			ctx = append(ctx, u)
			continue
		case event.KindOtherLookup:
			continue
		}
		dir := u[:max(strings.LastIndexAny(u, `/\`), 0)] // not path.Dir: it folds the // of s3://
		i, ok := byDir[dir]
		if !ok {
			i = len(items)
			byDir[dir] = i
			batch := strings.TrimPrefix(strings.TrimPrefix(dir, strings.TrimSuffix(root, "/")), "/")
			items = append(items, Item{Version: ItemVersion, Root: root, Batch: batch})
		}
		items[i].Objects = append(items[i].Objects, u)
	}
	for i := range items {
		items[i].Context = ctx
		items[i].Index = i
		items[i].Total = len(items)
	}
	return items
}

// AlertID is the stable alert id of design §8, computed as the alert
// store's alert.ID does it: a hash of rule id, detection branch and the
// event's Falcon id, or, without one, the alert's JSON rendering standing
// for the raw line. line is one alert as hunt --format json writes it.
func AlertID(line []byte) (string, error) {
	v, err := fastjson.ParseBytes(line)
	if err != nil {
		return "", fmt.Errorf("alert line: %w", err)
	}
	field := func(name string) string {
		f := v.Get(name)
		if f == nil {
			return ""
		}
		if s, err := f.StringBytes(); err == nil {
			return string(s)
		}
		return f.String()
	}
	h := sha256.New()
	h.Write([]byte(field("rule")))
	h.Write([]byte{0})
	h.Write([]byte(field("DetectionBranch")))
	h.Write([]byte{0})
	if id := field("id"); id != "" {
		h.Write([]byte("id:"))
		h.Write([]byte(id))
	} else {
		h.Write([]byte("raw:"))
		h.Write(line)
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}
