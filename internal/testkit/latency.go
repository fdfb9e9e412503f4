package testkit

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// TimeQuestions asks b.N questions, cycling, timing each, and reports the
// latency percentiles of one question as the metrics p50-ms and p99-ms. The
// tail is a few questions, not noise: it logs the slowest (with how many
// sentences matched when search says; 0 means it does not).
func TimeQuestions(b *testing.B, questions []string, search func(q string) (matched uint64)) {
	took := make([]time.Duration, 0, b.N)
	slowest := map[string]time.Duration{}
	matched := map[string]uint64{}
	for i := range b.N {
		q := questions[i%len(questions)]
		start := time.Now()
		n := search(q)
		d := time.Since(start)
		took = append(took, d)
		slowest[q] = max(slowest[q], d)
		matched[q] = n
	}
	b.StopTimer()
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(Percentile(took, 0.50)), "p50-ms")
	b.ReportMetric(ms(Percentile(took, 0.99)), "p99-ms")
	if b.N < len(questions) {
		return
	}
	qs := slices.SortedFunc(maps.Keys(slowest), func(x, y string) int { return cmp.Compare(slowest[y], slowest[x]) })
	var top []string
	for _, q := range qs[:min(len(qs), 6)] {
		s := fmt.Sprintf("%s %.1fms", q, ms(slowest[q]))
		if matched[q] > 0 {
			s += fmt.Sprintf(" (%d matched)", matched[q])
		}
		top = append(top, s)
	}
	b.Logf("%d questions, slowest: %s", b.N, strings.Join(top, ", "))
}

// Percentile of sorted durations, nearest rank.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
