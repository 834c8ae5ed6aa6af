package emulate

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"
)

// View selects how events look.
type View string

const (
	// ViewRaw is what FDR delivers: no ComputerName, UserName or process
	// names on sensor events; they need enrichment.
	ViewRaw View = "raw"
	// ViewLogScale is the same events as the Falcon platform shows them in
	// LogScale: ComputerName, UserName and ContextProcessName filled in.
	ViewLogScale View = "logscale"
)

// Options control one emulation run. Zero values take the defaults.
type Options struct {
	Seed          int64
	Events        int64         // telemetry lines to write (default 100000); the attack runs always complete, so tiny values may be exceeded
	Hosts         int           // estate size (default 40)
	Start         time.Time     // default 2026-03-02T09:00:00Z
	Duration      time.Duration // default 1h
	View          View          // default ViewRaw
	Tests         []int         // atomic tests 1..5 (default all)
	Platforms     []Platform    // default Windows and Linux
	ShuffleWindow int           // lines reordered within this window (default 4096; 1 = in order)
	// Progress, when set, receives the count of lines generated so far,
	// every progressEvery lines (for a progress bar; never affects output).
	Progress func(events int64)
}

// progressEvery is how often Options.Progress is told the count.
const progressEvery = 4096

// maxShuffleWindow bounds the lines held for reordering (about 750 MB).
const maxShuffleWindow = 1 << 20

// DefaultStart is the start time when Options.Start is zero, fixed so
// output depends only on the options.
var DefaultStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func (o *Options) normalize() error {
	if o.Events == 0 {
		o.Events = 100000
	}
	if o.Events < 0 {
		return fmt.Errorf("emulate: --events must be positive, got %d", o.Events)
	}
	if o.Hosts == 0 {
		o.Hosts = 40
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	if o.Duration == 0 {
		o.Duration = time.Hour
	}
	if o.Duration < time.Minute {
		return fmt.Errorf("emulate: --duration must be at least 1m, got %s", o.Duration)
	}
	switch o.View {
	case "":
		o.View = ViewRaw
	case ViewRaw, ViewLogScale:
	default:
		return fmt.Errorf("emulate: unknown view %q (want raw or logscale)", o.View)
	}
	if o.Tests == nil {
		o.Tests = []int{1, 2, 3, 4, 5}
	}
	for _, t := range o.Tests {
		if t < 1 || t > len(atomicTests) {
			return fmt.Errorf("emulate: unknown test %d (tests are 1..%d)", t, len(atomicTests))
		}
	}
	if o.Platforms == nil {
		o.Platforms = []Platform{Windows, Linux}
	}
	for _, p := range o.Platforms {
		if p != Windows && p != Linux {
			return fmt.Errorf("emulate: unknown platform %q (want Win or Lin)", p)
		}
	}
	if o.ShuffleWindow == 0 {
		o.ShuffleWindow = 4096
	}
	if o.ShuffleWindow < 1 || o.ShuffleWindow > maxShuffleWindow {
		return fmt.Errorf("emulate: shuffle window must be between 1 and %d lines, got %d", maxShuffleWindow, o.ShuffleWindow)
	}
	return nil
}

// Generator streams Falcon telemetry for an estate. Memory use does not
// grow with the number of events.
type Generator struct {
	opts   Options
	estate *Estate
	hosts  []*hostState
	byRole map[Role][]*hostState
	state  map[*Host]*hostState

	rng     *rand.Rand // scenario decisions
	shufRng *rand.Rand // reordering only, so the window size never changes content
	out     io.Writer
	err     error
	rec     record
	ring    [][]byte
	count   int64 // telemetry lines emitted
	limit   int64 // background stops here
	inBg    bool
	hashes  map[string][2]string

	browserImages map[string]bool // image → the browser-prefetch tuning calls it a browser

	track    *[]Signal // non-nil while a tracked scenario runs
	note     string    // note for the next tracked signal
	manifest *Manifest
	ran      bool
}

// New validates opts and builds the estate.
func New(opts Options) (*Generator, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	est, err := DefaultEstate(opts.Seed, opts.Hosts)
	if err != nil {
		return nil, err
	}
	g := &Generator{
		opts:    opts,
		estate:  est,
		rng:     rand.New(rand.NewPCG(uint64(opts.Seed), 0x67656e657261746f)),
		shufRng: rand.New(rand.NewPCG(uint64(opts.Seed), 0x73687566666c65)),
		byRole:  map[Role][]*hostState{},
		state:   map[*Host]*hostState{},
		hashes:  map[string][2]string{},

		browserImages: map[string]bool{},
	}
	watched := map[Role]bool{}
	for _, src := range fpSources {
		if src.tuningName != "" {
			for _, r := range src.roles {
				watched[r] = true
			}
		}
	}
	for _, h := range est.Hosts {
		hs := &hostState{Host: h, nextUPID: 1e11 + g.rng.Uint64N(9e11), configHash: g.rng.Uint32()}
		if watched[h.Role] {
			hs.watch = &prefetchWatch{}
		}
		g.hosts = append(g.hosts, hs)
		g.byRole[h.Role] = append(g.byRole[h.Role], hs)
		g.state[h] = hs
	}
	return g, nil
}

// Estate is the fleet this generator emulates.
func (g *Generator) Estate() *Estate { return g.estate }

// Options returns the normalized options.
func (g *Generator) Options() Options { return g.opts }

// scheduled is a scenario placed at a fixed position in the stream.
type scheduled struct {
	at  int64 // emit when this many lines are out
	run func()
}

// Run writes the telemetry to w, one whole NDJSON line per Write call, and
// returns the ground-truth manifest. It may be called once.
func (g *Generator) Run(w io.Writer) (*Manifest, error) {
	if g.ran {
		return nil, errors.New("emulate: generator already ran")
	}
	g.ran = true
	g.out = w
	g.ring = make([][]byte, 0, g.opts.ShuffleWindow)
	g.limit = g.opts.Events
	est := g.estate
	g.manifest = &Manifest{
		Generator: "tiercel emulate", Detection: "T1590.005", Seed: g.opts.Seed, View: string(g.opts.View),
		Start: g.opts.Start.UTC().Format(time.RFC3339), End: g.opts.Start.Add(g.opts.Duration).UTC().Format(time.RFC3339),
		CID: est.CID,
		Estate: Lists{Hosts: len(est.Hosts), SOCHosts: est.SOCHosts, ScannerHosts: est.ScannerHosts,
			ScannerAccounts: est.ScannerAccounts, SOARHosts: est.SOARHosts, SOARScripts: est.SOARScripts,
			SOARWorker: est.SOARWorker, DeveloperHosts: est.DeveloperHosts, KioskHosts: est.KioskHosts},
		Attacks: []Attack{}, FalsePositives: []FalsePositive{},
	}

	plan := g.plan()
	g.bootKiosks()
	next := 0
	for g.err == nil && (g.count < g.limit || next < len(plan)) {
		if next < len(plan) && (plan[next].at <= g.count || g.count >= g.limit) {
			plan[next].run()
			next++
			continue
		}
		g.inBg = true
		g.background()
		g.inBg = false
	}
	g.drain()
	if g.err != nil {
		return nil, g.err
	}
	g.manifest.Events = g.count
	if g.opts.Progress != nil {
		g.opts.Progress(g.count)
	}
	return g.manifest, nil
}

// plan places the attack runs and the false-positive scenarios at
// deterministic, evenly spread positions of the stream.
func (g *Generator) plan() []scheduled {
	var plan []scheduled
	n := g.opts.Events
	var runs []func()
	for _, t := range g.opts.Tests {
		for _, p := range g.opts.Platforms {
			runs = append(runs, func() { g.runAttack(t, p) })
		}
	}
	for i, r := range runs {
		plan = append(plan, scheduled{at: n * int64(i+1) / int64(len(runs)+1), run: r})
	}
	perSource := min(max(n/20000, 2), 250)
	for s, src := range fpSources {
		g.manifest.FalsePositives = append(g.manifest.FalsePositives, FalsePositive{
			Source: src.name, Description: src.description, Tuning: src.tuning,
			TuningKey: src.key, Values: src.values(g.estate), Signals: []Signal{}, TuningName: src.tuningName})
		for j := int64(0); j < perSource; j++ {
			at := n*j/perSource + n/(perSource*int64(len(fpSources))+1)*int64(s+1)
			plan = append(plan, scheduled{at: at, run: func() { g.runFP(s) }})
		}
	}
	slices.SortStableFunc(plan, func(a, b scheduled) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	return plan
}

// now is the sensor time of the stream's current position.
func (g *Generator) now() int64 {
	span := g.opts.Duration.Milliseconds()
	pos := min(g.count, g.limit)
	t := g.opts.Start.UnixMilli() + span*pos/max(g.limit, 1)
	return t + g.rng.Int64N(1000)
}

// emit sends one finished line through the shuffle window.
func (g *Generator) emit(line []byte) {
	if g.err != nil {
		return
	}
	g.count++
	if g.opts.Progress != nil && g.count%progressEvery == 0 {
		g.opts.Progress(g.count)
	}
	if len(g.ring) < cap(g.ring) {
		g.ring = append(g.ring, append([]byte(nil), line...))
		return
	}
	i := g.shufRng.IntN(len(g.ring))
	if _, err := g.out.Write(g.ring[i]); err != nil {
		g.err = err
		return
	}
	g.ring[i] = append(g.ring[i][:0], line...)
}

// drain writes what is left in the window in random order.
func (g *Generator) drain() {
	g.shufRng.Shuffle(len(g.ring), func(i, j int) { g.ring[i], g.ring[j] = g.ring[j], g.ring[i] })
	for _, l := range g.ring {
		if g.err != nil {
			return
		}
		if _, err := g.out.Write(l); err != nil {
			g.err = err
		}
	}
	g.ring = g.ring[:0]
}

// full reports whether a background scenario must stop: the requested
// number of lines is reached. Scheduled scenarios always complete.
func (g *Generator) full() bool { return g.err != nil || (g.inBg && g.count >= g.limit) }
