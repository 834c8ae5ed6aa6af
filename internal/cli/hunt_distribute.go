package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/distribute"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/run"
)

// distributeFlags spread an archive hunt over a Kafka consumer group
// (docs/scale-out.md, "Archive hunts").
type distributeFlags struct {
	on         bool
	brokers    []string
	workTopic  string
	group      string
	alertTopic string
	partitions int32
	idleExit   time.Duration
	context    string
	root       string // the archive of the item being hunted
	// shared is the worker's enricher, learned once over the whole archive
	// (--context archive) and reused for every item.
	shared *sharedEnricher
}

// sharedEnricher holds the file-mode enricher a worker learned over an
// archive root; after learning it is only read (Apply), so items reuse it.
type sharedEnricher struct {
	mu   sync.Mutex
	root string
	en   *enrich.Enricher
}

// prepareEnricher is the enricher a hunt uses: learned over its own paths,
// or, for a distributed item with --context archive, over the whole
// archive once per worker, so the item's events find process starts and
// users that sit in other batches, exactly as in a local hunt of the tree.
func (a huntArgs) prepareEnricher(ctx context.Context, env *Env, engines []*engine.Program) (*enrich.Enricher, error) {
	sh := a.dist.shared
	if sh == nil || a.enrich.off {
		return a.enrich.prepare(ctx, env, a.paths, a.workers, a.limits.maxLineBytes(), engines...)
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.root != a.dist.root {
		en, err := a.enrich.prepare(ctx, env, []string{a.dist.root}, a.workers, a.limits.maxLineBytes(), engines...)
		if err != nil {
			return nil, err
		}
		if en != nil && en.LearnPending() {
			// A search learns in its own read; the items each read a share,
			// so the whole archive is learned here, once, up front.
			rd, err := ingest.Open([]string{a.dist.root}, ingest.Options{MaxLine: a.limits.maxLineBytes(), OnError: func(error) {}})
			if err != nil {
				return nil, err
			}
			_, err = run.Learn(ctx, en, rd, a.workers)
			rd.Close()
			if err != nil {
				return nil, err
			}
			en.SetLearnPending(false)
		}
		sh.root, sh.en = a.dist.root, en
	}
	return sh.en, nil
}

func (f *distributeFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.on, "distribute", false, "share the hunt over a Kafka consumer group: with PATHs publish one work item per FDR batch to --work-topic; with --alert-topic hunt the items this instance is assigned and produce their alerts there")
	fs.StringSliceVar(&f.brokers, "kafka-brokers", nil, "--distribute: Kafka `HOST:PORT` list (comma separated)")
	fs.StringVar(&f.workTopic, "work-topic", "tiercel-hunt-work", "--distribute: `TOPIC` of work items")
	fs.StringVar(&f.group, "group", "tiercel-hunt", "--distribute: consumer `GROUP` the hunting instances share")
	fs.StringVar(&f.alertTopic, "alert-topic", "", "--distribute: `TOPIC` the alerts go to, keyed by alert id (makes this instance a worker)")
	fs.Int32Var(&f.partitions, "work-partitions", distribute.DefaultPartitions, "--distribute: partitions of topics tiercel creates (at least the number of workers)")
	fs.StringVar(&f.context, "context", "archive", "--distribute: where a worker learns process starts and users for enrichment: archive (the whole archive, once per worker: alerts equal a local hunt) or batch (its items only: less reading, context across batches lost)")
	fs.DurationVar(&f.idleExit, "idle-exit", 0, "--distribute: a worker stops after this long without work (0: runs until interrupted)")
}

// runDistribute publishes the plan for a.paths and/or works as a member of
// the group, each item hunted by runHunt itself so that every alert is the
// one a local hunt of the same objects prints.
func runDistribute(ctx context.Context, env *Env, a huntArgs) error {
	d := a.dist
	switch {
	case len(d.brokers) == 0:
		return withCode(ExitUsage, errors.New("--distribute needs --kafka-brokers"))
	case len(a.paths) == 0 && d.alertTopic == "":
		return withCode(ExitUsage, errors.New("--distribute needs PATHs to publish, --alert-topic to hunt, or both"))
	case len(a.paths) > 0 && slicesHasStdin(a.paths):
		return withCode(ExitUsage, errors.New("--distribute reads an archive, not standard input"))
	case d.alertTopic != "" && d.group == "":
		return withCode(ExitUsage, errors.New("--distribute: a worker needs --group"))
	case d.context != "archive" && d.context != "batch":
		return withCode(ExitUsage, fmt.Errorf("unknown --context %q (want archive or batch)", d.context))
	}
	if d.context == "archive" {
		a.dist.shared = &sharedEnricher{}
	}
	if len(a.paths) > 0 {
		began := time.Now()
		r, err := ingest.Open(a.paths, ingest.Options{})
		if err != nil {
			return withCode(ExitError, err)
		}
		var urls []string
		for _, f := range r.Files() {
			urls = append(urls, f.Path)
		}
		r.Close()
		items := distribute.Plan(a.paths[0], urls)
		if len(items) == 0 {
			return withCode(ExitError, fmt.Errorf("%s: no telemetry objects to hunt", strings.Join(a.paths, ", ")))
		}
		if err := distribute.Publish(ctx, d.brokers, nil, d.workTopic, d.partitions, items); err != nil {
			return withCode(ExitError, err)
		}
		objs := 0
		for _, it := range items {
			objs += len(it.Objects)
		}
		fmt.Fprintf(env.Stderr, "hunt: published %d work item(s) (%d telemetry object(s), %d lookup object(s) each) to %s in %v\n",
			len(items), objs, len(items[0].Context), d.workTopic, time.Since(began).Round(time.Millisecond))
	}
	if d.alertTopic == "" {
		return nil
	}
	began := time.Now()
	st, err := distribute.Work(ctx, distribute.WorkerConfig{
		Brokers: d.brokers, WorkTopic: d.workTopic, Group: d.group, AlertTopic: d.alertTopic,
		Partitions: d.partitions, IdleExit: d.idleExit,
		OnItem: func(it distribute.Item, alerts int, took time.Duration) {
			if a.enrich.verbose {
				fmt.Fprintf(env.Stderr, "hunt: item %d/%d %s: %d object(s), %d alert(s) in %v\n",
					it.Index+1, it.Total, it.Batch, len(it.Objects), alerts, took.Round(time.Millisecond))
			}
		},
	}, func(ctx context.Context, it distribute.Item) ([]distribute.Alert, error) {
		return huntItem(ctx, env, a, it)
	})
	if !a.enrich.quiet || err != nil {
		fmt.Fprintf(env.Stderr, "hunt: worker %s: %d item(s), %d object(s), %d alert(s) produced to %s in %v\n",
			d.group, st.Items, st.Objects, st.Alerts, d.alertTopic, time.Since(began).Round(time.Millisecond))
	}
	if err != nil {
		return withCode(ExitError, err)
	}
	return nil
}

// huntItem runs the ordinary hunt over one item's objects (its batch plus
// the aidmaster and userinfo objects) and returns its JSON alert lines with
// their stable ids.
func huntItem(ctx context.Context, env *Env, a huntArgs, it distribute.Item) ([]distribute.Alert, error) {
	var out bytes.Buffer
	inner := a
	inner.paths = it.Paths()
	inner.format = "json"
	inner.failOnAlert = false
	inner.display = displayFlags{}
	inner.enrich.quiet = true
	inner.enrich.verbose = false
	inner.dist.root = it.Root
	ienv := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: env.Stderr}
	if err := runHunt(ctx, ienv, inner); err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.err == nil {
			return nil, errors.New("objects could not be read (see above)")
		}
		return nil, err
	}
	var alerts []distribute.Alert
	for line := range bytes.Lines(out.Bytes()) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		id, err := distribute.AlertID(line)
		if err != nil {
			return nil, err
		}
		alerts = append(alerts, distribute.Alert{ID: id, JSON: line})
	}
	return alerts, nil
}

func slicesHasStdin(paths []string) bool {
	for _, p := range paths {
		if p == ingest.Stdin {
			return true
		}
	}
	return false
}
