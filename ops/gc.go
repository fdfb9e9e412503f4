package ops

import (
	"log/slog"
	"runtime"
	"runtime/debug"
)

// The garbage collector's policy for a serving process. With Go's default
// (GOGC=100) a bot whose live heap is a few MiB collects many times a
// second under load, since each message allocates tens of KB, and the
// collections' assists and pauses land on the messages in flight: at half
// capacity they were most of a p99 of about 3 ms, which this policy brings
// to about 2 ms (docs/benchmarks.md). So a server collects when its heap
// nears a memory limit well above what it holds, not each time the heap
// doubles.

// minMemoryLimit is the least memory limit the policy sets.
const minMemoryLimit = 256 << 20

// memoryLimitFactor: the limit is at least this many times the heap live
// after the reports are loaded, so collections stay rare and short.
const memoryLimitFactor = 4

// TuneGC sets the policy unless the operator chose one with GOGC or
// GOMEMLIMIT (getenv is os.Getenv in a process): proportional collection
// off, and a soft memory limit of max(256 MiB, 4× the live heap). Call it
// once the reports are loaded. It returns a function that restores the
// previous settings, and the limit set (0 when it left the operator's
// choice alone).
func TuneGC(getenv func(string) string, log *slog.Logger) (restore func(), limit int64) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}, 0
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit = max(minMemoryLimit, memoryLimitFactor*int64(ms.HeapAlloc))
	prevLimit := debug.SetMemoryLimit(limit)
	prevPercent := debug.SetGCPercent(-1)
	log.Info("garbage collection at a memory limit (set GOGC or GOMEMLIMIT to choose otherwise)",
		"limit_mib", limit>>20, "live_heap_mib", ms.HeapAlloc>>20)
	return func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}, limit
}
