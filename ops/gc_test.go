package ops

import (
	"io"
	"log/slog"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	none := func(string) string { return "" }

	// The settings the test process runs with, whatever GOGC it was given.
	prevPercent := debug.SetGCPercent(100)
	debug.SetGCPercent(prevPercent)
	prevLimit := debug.SetMemoryLimit(-1)

	restore, limit := TuneGC(none, log)
	if limit < minMemoryLimit {
		t.Errorf("limit %d; want at least %d", limit, minMemoryLimit)
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GC percent %d after TuneGC; want -1 (off)", got)
	}
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Errorf("memory limit %d; want %d", got, limit)
	}
	restore()
	if got := debug.SetGCPercent(prevPercent); got != prevPercent {
		t.Errorf("GC percent %d after restore; want %d", got, prevPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != prevLimit {
		t.Errorf("memory limit %d after restore; want %d", got, prevLimit)
	}

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		set := func(k string) string {
			if k == env {
				return "100"
			}
			return ""
		}
		restore, limit := TuneGC(set, log)
		restore()
		if limit != 0 {
			t.Errorf("with %s set, TuneGC set a limit of %d; want the operator's choice kept", env, limit)
		}
	}
}
