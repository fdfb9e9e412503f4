package main

import (
	"strings"
	"testing"
	"time"

	"github.com/reportbot/reportbot/index"
)

// On a terminal the line says reports read, sentences indexed and the time
// left, redrawn in place, and ends with a newline.
func TestProgressLine(t *testing.T) {
	var out strings.Builder
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	p := &progressLine{w: &out, now: func() time.Time { return now }, start: now}
	for i := 1; i <= 1000; i++ {
		now = now.Add(2 * time.Millisecond)
		p.update(index.Progress{Reports: 1000, ReportsRead: i, Parsed: i})
	}
	for i := 2000; i <= 144000; i += 2000 {
		now = now.Add(100 * time.Millisecond)
		p.update(index.Progress{Reports: 1000, ReportsRead: 1000, Parsed: 1000, Sentences: 144000, Indexed: i})
	}
	p.done()
	text := out.String()
	for _, want := range []string{"reports 501/1000 read (501 parsed) · about 1s left", "sentences 72000/144000 indexed", "left", "sentences 144000/144000 indexed"} {
		if !strings.Contains(text, want) {
			t.Errorf("progress lacks %q:\n%q", want, text)
		}
	}
	if !strings.HasPrefix(text, "\r") || !strings.HasSuffix(text, "\n") || strings.Count(text, "\n") != 1 {
		t.Errorf("progress is not one line redrawn in place: %q", text)
	}
	if draws := strings.Count(text, "\r"); draws > 100 {
		t.Errorf("%d redraws for 3 s of work; want at most ten a second", draws)
	}
	// Fast work drawn once at the start gets its last state drawn at the end.
	out.Reset()
	quick := &progressLine{w: &out, now: func() time.Time { return now }, start: now}
	quick.update(index.Progress{Reports: 2, ReportsRead: 1})
	quick.update(index.Progress{Reports: 2, ReportsRead: 2})
	quick.done()
	if !strings.HasSuffix(out.String(), "reports 2/2 read (0 parsed)\n") {
		t.Errorf("the last progress is not drawn at the end: %q", out.String())
	}
	if newProgressLine(&out) != nil {
		t.Error("a progress line on something that is not a terminal")
	}
}
