package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/run"
)

// progressBar draws one line on a terminal's stderr: a bar, percent,
// bytes, rate and ETA, redrawn a few times a second. It counts the bytes
// every ingest.Reader reads from the input files, so the enrichment scan
// and learn passes and join()/defineTable() passes advance it as the
// search pass does; the total is the input size times the expected
// number of passes, raised when a pass more than expected runs. Standard
// input has no size: the line then shows bytes and rate only.
type progressBar struct {
	w     io.Writer
	label string
	stdin bool // the input is standard input: count its chunks
	width int
	total int64 // bytes of one pass over the input files; 0 when unknown
	base  int64 // ingest.FileBytesRead when the bar started
	start time.Time

	passes    atomic.Int64 // expected passes
	streamed  atomic.Int64 // bytes from standard input
	items     atomic.Int64 // with itemTotal: work counted in items, not bytes
	itemTotal int64
	itemName  string
	// then labels the phase after the items (validate: hunting the
	// emulated files), shown with bytes read and elapsed time.
	then     string
	thenBase int64 // FileBytesRead+1 when that phase began (0: not yet)

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// progressInterval is how often the line is redrawn.
const progressInterval = 200 * time.Millisecond

// progressWanted: only when both standard output and standard error are
// terminals; a pipe, a file or CI sees nothing.
func progressWanted(env *Env) bool {
	return isTerminal(env.Stderr) && isTerminal(env.Stdout)
}

// newFileProgress starts a bar over the files paths name (nil when the
// streams are not terminals). passes is how many times the input is
// expected to be read.
func newFileProgress(env *Env, label string, paths []string, passes int) *progressBar {
	if !progressWanted(env) {
		return nil
	}
	p := &progressBar{w: env.Stderr, label: label, width: terminalWidth(env.Stderr), total: inputSize(paths), stdin: readsStdin(paths), base: ingest.FileBytesRead(), start: time.Now()}
	p.passes.Store(int64(max(passes, 1)))
	p.run()
	return p
}

// newItemProgress starts a bar counting n items of work (emulated events).
func newItemProgress(env *Env, label, itemName string, n int64) *progressBar {
	if !progressWanted(env) || n <= 0 {
		return nil
	}
	p := &progressBar{w: env.Stderr, label: label, width: terminalWidth(env.Stderr), itemTotal: n, itemName: itemName, start: time.Now()}
	p.run()
	return p
}

// readsStdin reports whether paths read standard input: none given, or
// "-" among them.
func readsStdin(paths []string) bool {
	return len(paths) == 0 || slices.Contains(paths, ingest.Stdin)
}

// inputSize sums the sizes of the files ingest would read for paths; 0
// when one of them is standard input or cannot be listed.
func inputSize(paths []string) int64 {
	if len(paths) == 0 {
		return 0
	}
	r, err := ingest.Open(paths, ingest.Options{OnError: func(error) {}})
	if err != nil {
		return 0
	}
	defer r.Close()
	return filesSize(r.Files())
}

// filesSize sums the sizes of files as stored (compressed ones too, those
// that cannot be looked at left out); 0 when one is standard input.
func filesSize(files []ingest.File) int64 {
	var n int64
	for _, f := range files {
		if f.Path == ingest.Stdin {
			return 0
		}
		if size, ok := ingest.FileSize(f.Path); ok {
			n += size
		}
	}
	return n
}

func (p *progressBar) run() {
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				fmt.Fprint(p.w, "\r"+p.line(time.Since(p.start))+"\033[K")
			}
		}
	}()
}

// passesDone is how many whole passes over the input have been read.
func (p *progressBar) passesDone() int64 {
	if p == nil || p.total <= 0 {
		return 0
	}
	return (ingest.FileBytesRead() - p.base) / p.total
}

// expect sets how many passes remain after those already read.
func (p *progressBar) expect(more int) {
	if p == nil {
		return
	}
	p.passes.Store(p.passesDone() + int64(max(more, 1)))
}

// add counts items done (item bars) or streamed bytes (stdin).
func (p *progressBar) add(n int64) {
	if p == nil {
		return
	}
	if p.itemTotal > 0 {
		p.items.Add(n)
		return
	}
	p.streamed.Add(n)
}

// line renders the progress line for elapsed time since the start.
func (p *progressBar) line(elapsed time.Duration) string {
	secs := max(elapsed.Seconds(), 1e-3)
	var done, total int64
	var amount, rate string
	if p.itemTotal > 0 && p.then != "" && p.items.Load() >= p.itemTotal {
		// the items are done; what follows reads files of unknown total
		if p.thenBase == 0 {
			p.thenBase = ingest.FileBytesRead() + 1
		}
		read := ingest.FileBytesRead() - (p.thenBase - 1)
		return fitLine(fmt.Sprintf("%s  %s read  %s", p.then, humanBytes(read), formatETA(elapsed)), p.width)
	}
	if p.itemTotal > 0 {
		done, total = p.items.Load(), p.itemTotal
		amount = fmt.Sprintf("%d/%d %s", done, total, p.itemName)
		rate = fmt.Sprintf("%s %s/s", humanCount(float64(done)/secs), p.itemName)
	} else {
		done = ingest.FileBytesRead() - p.base + p.streamed.Load()
		if p.total > 0 {
			passes := p.passes.Load()
			if done > p.total*passes { // a pass more than expected
				passes = (done + p.total - 1) / p.total
			}
			total = p.total * passes
			amount = fmt.Sprintf("%s/%s", humanBytes(done), humanBytes(total))
		} else {
			amount = humanBytes(done)
		}
		rate = humanBytes(int64(float64(done)/secs)) + "/s"
	}
	if total <= 0 {
		return fitLine(fmt.Sprintf("%s  %s  %s  %s", p.label, amount, rate, formatETA(elapsed)), p.width)
	}
	frac := min(float64(done)/float64(total), 1)
	eta := "ETA --:--"
	if done > 0 {
		eta = "ETA " + formatETA(time.Duration(float64(elapsed)*(1-frac)/frac))
	}
	tail := fmt.Sprintf(" %3.0f%%  %s  %s  %s", frac*100, amount, rate, eta)
	barWidth := 30
	if p.width > 0 {
		barWidth = min(barWidth, p.width-len(p.label)-len(tail)-4)
	}
	if barWidth < 5 {
		return fitLine(p.label+tail, p.width)
	}
	filled := int(frac * float64(barWidth))
	return fitLine(fmt.Sprintf("%s [%s%s]%s", p.label, strings.Repeat("=", filled), strings.Repeat(" ", barWidth-filled), tail), p.width)
}

// done stops the bar and clears its line.
func (p *progressBar) done() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		close(p.stop)
		p.wg.Wait()
		fmt.Fprint(p.w, "\r\033[K")
	})
}

// expectedPasses is how often search/hunt read files: with enrichment a
// candidate scan and a learn pass before the search, plus a pass per
// level of join()/defineTable() sub-queries.
func expectedPasses(ef enrichFlags, progs ...*engine.Program) int {
	n := 1 + prepassLevels(progs...)
	if !ef.off {
		n += 2
	}
	return n
}

func prepassLevels(progs ...*engine.Program) int {
	for _, p := range progs {
		if len(p.Prepass()) > 0 {
			return 1
		}
	}
	return 0
}

// fitLine cuts s to width-1 columns so the cursor never wraps.
func fitLine(s string, width int) string {
	if width > 1 && len(s) >= width {
		return s[:width-1]
	}
	return s
}

func formatETA(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// humanBytes prints a byte count in decimal units (MB = 10^6 bytes).
func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

func humanCount(f float64) string {
	switch {
	case f >= 1e6:
		return fmt.Sprintf("%.1fM", f/1e6)
	case f >= 1e3:
		return fmt.Sprintf("%.1fk", f/1e3)
	}
	return fmt.Sprintf("%.0f", f)
}

// streamSource counts the bytes of a standard-input source for the bar
// (files are counted by ingest itself).
type streamSource struct {
	src run.Source
	bar *progressBar
}

func (s streamSource) Next() (event.Chunk, error) {
	c, err := s.src.Next()
	s.bar.add(int64(len(c.Data)))
	return c, err
}

// countStdin wraps src when the input is standard input and a bar runs.
func (p *progressBar) countStdin(src run.Source) run.Source {
	if p == nil || !p.stdin {
		return src
	}
	return streamSource{src: src, bar: p}
}
