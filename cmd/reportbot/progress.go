package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/reportbot/reportbot/index"
)

// progressLine shows how an index build goes on one terminal line,
// redrawn at most ten times a second: reports read, sentences indexed, the
// time left. Off a terminal (a pipe, a log file, a test) it writes nothing.
type progressLine struct {
	w         io.Writer
	now       func() time.Time
	start     time.Time
	indexing  time.Time // when the first sentence was written
	lastDrawn time.Time
	width     int // of the last line drawn, to blank what a shorter one leaves
	last      index.Progress
	pending   bool // last is not drawn yet
}

// newProgressLine is nil when w is not a terminal.
func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressLine{w: w, now: time.Now, start: time.Now()}
}

// update is index.Options.Progress.
func (p *progressLine) update(pr index.Progress) {
	now := p.now()
	if pr.Indexed > 0 && p.indexing.IsZero() {
		p.indexing = now
	}
	p.last, p.pending = pr, true
	finished := pr.Sentences > 0 && pr.Indexed == pr.Sentences
	if now.Sub(p.lastDrawn) < 100*time.Millisecond && !finished {
		return
	}
	p.draw(pr, now)
}

func (p *progressLine) draw(pr index.Progress, now time.Time) {
	p.lastDrawn, p.pending = now, false
	line := fmt.Sprintf("reports %d/%d read (%d parsed)", pr.ReportsRead, max(pr.Reports, pr.ReportsRead), pr.Parsed)
	if pr.Sentences > 0 { // known once every report is read
		line += fmt.Sprintf(" · sentences %d/%d indexed", pr.Indexed, pr.Sentences)
	}
	if eta, ok := p.eta(pr, now); ok {
		line += " · about " + eta.Round(time.Second).String() + " left"
	}
	pad := max(p.width-len([]rune(line)), 0)
	p.width = len([]rune(line))
	fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
}

// eta extrapolates the current stage: reading the reports, then writing
// their sentences.
func (p *progressLine) eta(pr index.Progress, now time.Time) (time.Duration, bool) {
	switch {
	case pr.Indexed > 0 && pr.Sentences > pr.Indexed:
		took := now.Sub(p.indexing)
		return time.Duration(float64(took) / float64(pr.Indexed) * float64(pr.Sentences-pr.Indexed)), took > time.Second
	case pr.Sentences == 0 && pr.ReportsRead > 0 && pr.Reports > pr.ReportsRead:
		took := now.Sub(p.start)
		return time.Duration(float64(took) / float64(pr.ReportsRead) * float64(pr.Reports-pr.ReportsRead)), took > time.Second
	}
	return 0, false
}

// done draws the last progress, when it is not drawn yet, and ends the
// line, when one was drawn.
func (p *progressLine) done() {
	if p.width == 0 {
		return
	}
	if p.pending {
		p.draw(p.last, p.now())
	}
	fmt.Fprintln(p.w)
}
