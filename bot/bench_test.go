package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/memstore"
	"github.com/reportbot/reportbot/store/redisstore"
)

// Benchmarks of the whole chat core. The numbers and how to reproduce them
// are in docs/benchmarks.md (scripts/bench runs them all). BenchmarkAsk is
// compared with index.BenchmarkPlainBleve, run by the same command.

// benchQuestionFiles: the shared dev set when the workspace has it (it lives
// outside the repo), and the index's test questions, which are always there.
var benchQuestionFiles = []string{
	filepath.Join("..", "testdata", "questions", "dev.jsonl"),
	filepath.Join("..", "testdata", "questions", "tuning-lanzhou.jsonl"),
}

// benchQuestions are the questions of the sets that exist.
func benchQuestions(tb testing.TB) []string {
	tb.Helper()
	return testkit.QuestionTexts(tb, benchQuestionFiles...)
}

// benchIndex is the in-memory index of the embedded report, as `reportbot
// ask` and `reportbot chat` build it without --index.
func benchIndex(tb testing.TB) *index.Index {
	tb.Helper()
	reports, err := corpus.Default()
	if err != nil {
		tb.Fatalf("load the embedded report: %v", err)
	}
	ix, err := index.Build(context.Background(), reports, index.Options{})
	if err != nil {
		tb.Fatalf("build index: %v", err)
	}
	tb.Cleanup(func() { ix.Close() })
	return ix
}

// BenchmarkAsk is a question to the reply text a user sees, in process: what
// `reportbot ask` does after start-up, cycling through the dev questions.
func BenchmarkAsk(b *testing.B) {
	ctx := context.Background()
	bt := bot.New(benchIndex(b), memstore.New(), bot.Options{})
	questions := benchQuestions(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if a := bt.Ask(ctx, questions[i%len(questions)]); a.Text == "" {
			b.Fatalf("no reply to %q", questions[i%len(questions)])
		}
		i++
	}
}

// BenchmarkHandleRedis is messages through the whole bot (de-duplication,
// rate limits, search, session, statistics) with the state in a real
// redis-server: "parallel" handles several messages at once, as a busy bot
// does, for throughput; "serial" one at a time, for the latency of a
// message when the machine is not saturated.
func BenchmarkHandleRedis(b *testing.B) {
	srv := redistest.Start(b)
	store, err := redisstore.Open(context.Background(), srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	ix := benchIndex(b)
	b.Run("parallel", func(b *testing.B) { benchHandle(b, ix, store, modeParallel) })
	b.Run("serial", func(b *testing.B) { benchHandle(b, ix, store, modeSerial) })
	b.Run("rate5000", func(b *testing.B) { benchHandle(b, ix, store, modeRate) })
}

// BenchmarkHandleMemory is the same with the in-memory store: the cost of
// the bot itself, without Redis round trips.
func BenchmarkHandleMemory(b *testing.B) {
	ix := benchIndex(b)
	store := memstore.New()
	b.Run("parallel", func(b *testing.B) { benchHandle(b, ix, store, modeParallel) })
	b.Run("serial", func(b *testing.B) { benchHandle(b, ix, store, modeSerial) })
	b.Run("rate5000", func(b *testing.B) { benchHandle(b, ix, store, modeRate) })
}

// How messages reach the bot: as fast as 8 goroutines can hand them over
// (saturation: throughput), one after another (latency of an idle bot), or
// arriving at a steady 5,000 a second, each handled as it comes, as in
// production (latency at the target load).
type handleMode int

const (
	modeParallel handleMode = iota
	modeSerial
	modeRate
)

// arrivalRate is the offered load of modeRate, the throughput target.
const arrivalRate = 5000

// handleParallelism is goroutines per core handling messages in the
// parallel runs: the bot waits on Redis most of the time, so a busy
// deployment has several messages in flight on each core.
const handleParallelism = 4

// benchRun makes message IDs unique across all runs of a test binary.
var benchRun atomic.Int64

// benchHandle sends messages from 1,000 people, half of them in 50 groups
// (with an @), the rest in private chats; each person asks three questions,
// then 更多. Every message has its own ID. Rate limits are generous so that
// every message is answered: this measures handling, not refusing.
func benchHandle(b *testing.B, ix *index.Index, store bot.Store, mode handleMode) {
	const people, groups = 1000, 50
	ctx := context.Background()
	generous := bot.RateLimit{Burst: 1 << 30, Per: time.Millisecond}
	bt := bot.New(ix, store, bot.Options{UserRate: generous, GroupRate: generous})
	questions := benchQuestions(b)
	run := benchRun.Add(1)

	var (
		next     atomic.Int64
		mu       sync.Mutex
		took     = make([]time.Duration, 0, b.N)
		silences atomic.Int64
	)
	handle := func(mine *[]time.Duration) {
		i := int(next.Add(1) - 1)
		person, round := i%people, i/people
		m := bot.Message{
			ID:     fmt.Sprintf("bench%d-%d", run, i),
			Sender: "用户" + strconv.Itoa(person),
			Text:   questions[i%len(questions)],
			Kind:   bot.KindText,
		}
		if round%4 == 3 {
			m.Text = "更多"
		}
		if person%2 == 0 {
			m.Chat, m.Group, m.Mentioned = "测试群"+strconv.Itoa(person%groups), true, true
		} else {
			m.Chat = m.Sender
		}
		t0 := time.Now()
		replies := bt.Handle(ctx, m)
		*mine = append(*mine, time.Since(t0))
		if len(replies) == 0 {
			silences.Add(1)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	switch mode {
	case modeRate:
		// Open loop: message i arrives at start + i/arrivalRate whatever
		// the bot is doing; its latency runs from its handover.
		interval := time.Second / arrivalRate
		var wg sync.WaitGroup
		for i := range b.N {
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				time.Sleep(d)
			}
			wg.Go(func() {
				var mine []time.Duration
				handle(&mine)
				mu.Lock()
				took = append(took, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
	case modeParallel:
		b.SetParallelism(handleParallelism)
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			for pb.Next() {
				handle(&mine)
			}
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
		})
	default:
		for range b.N {
			handle(&took)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if n := silences.Load(); n > 0 {
		b.Fatalf("%d of %d messages got no reply: a rate limit or the de-duplication bit", n, b.N)
	}
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(ms(percentile(took, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(took, 0.99)), "p99-ms")
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
