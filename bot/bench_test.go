package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/ops"
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
// does, for throughput (its msgs/s is the capacity); "serial" one at a
// time, for the latency of a message when the machine is not saturated;
// "halfload" lets messages arrive at half the capacity, for the latency
// under a load the machine carries.
func BenchmarkHandleRedis(b *testing.B) {
	srv, store := benchRedis(b)
	rdb := srv.Client(b)
	benchModes(b, benchIndex(b), store, func() time.Duration { return redisCPU(b, rdb) })
}

// redisCPU is the CPU time redis-server has used (INFO cpu).
func redisCPU(b *testing.B, rdb *redis.Client) time.Duration {
	info, err := rdb.InfoMap(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var sec float64
	for _, f := range []string{"used_cpu_sys", "used_cpu_user"} {
		v, _ := strconv.ParseFloat(info["CPU"][f], 64)
		sec += v
	}
	return time.Duration(sec * float64(time.Second))
}

// processCPU is the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRedis is a fresh redis-server and a store on it.
func benchRedis(b *testing.B) (*redistest.Server, *redisstore.Store) {
	srv := redistest.Start(b)
	store, err := redisstore.Open(context.Background(), srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	return srv, store
}

// BenchmarkHandleMemory is the same with the in-memory store: the cost of
// the bot itself, without Redis round trips.
func BenchmarkHandleMemory(b *testing.B) {
	benchModes(b, benchIndex(b), memstore.New(), func() time.Duration { return 0 })
}

// benchModes runs the three modes. serverCPU is the CPU time the store's
// server has used so far (0 without a server): with the process's own, it
// gives the CPU a message costs, which a busy shared machine does not skew
// as it skews msgs/s.
//
// The process runs with the collector policy `reportbot serve` sets
// (ops.TuneGC), unless GOGC or GOMEMLIMIT chooses another.
func benchModes(b *testing.B, ix *index.Index, store bot.Store, serverCPU func() time.Duration) {
	restoreGC, _ := ops.TuneGC(os.Getenv, slog.New(slog.DiscardHandler))
	b.Cleanup(restoreGC)
	var capacity float64 // msgs/s of the last parallel run
	b.Run("parallel", func(b *testing.B) { capacity = newLoad(b, ix, store, serverCPU).parallel(b) })
	b.Run("serial", func(b *testing.B) { newLoad(b, ix, store, serverCPU).serial(b) })
	b.Run("halfload", func(b *testing.B) {
		if capacity == 0 { // run alone: measure the capacity first
			capacity = newLoad(b, ix, store, serverCPU).capacity(b)
		}
		newLoad(b, ix, store, serverCPU).openLoop(b, capacity/2)
	})
}

// handleParallelism is goroutines per core handling messages in the
// parallel runs: the bot waits on Redis most of the time, so a busy
// deployment has several messages in flight on each core.
const handleParallelism = 4

// benchRun makes message IDs unique across all runs of a test binary.
var benchRun atomic.Int64

// load sends messages from 1,000 people, half of them in 50 groups (with
// an @), the rest in private chats; each person asks three questions, then
// 更多. Every message has its own ID. Rate limits are generous so that
// every message is answered: this measures handling, not refusing.
type load struct {
	bot       *bot.Bot
	questions []string
	run       int64
	serverCPU func() time.Duration
	next      atomic.Int64
	silences  atomic.Int64

	mu   sync.Mutex
	took []time.Duration
}

func newLoad(b *testing.B, ix *index.Index, store bot.Store, serverCPU func() time.Duration) *load {
	generous := bot.RateLimit{Burst: 1 << 30, Per: time.Millisecond}
	return &load{
		bot:       bot.New(ix, store, bot.Options{UserRate: generous, GroupRate: generous}),
		questions: benchQuestions(b),
		run:       benchRun.Add(1),
		serverCPU: serverCPU,
		took:      make([]time.Duration, 0, b.N),
	}
}

// handle hands the next message to the bot and returns how long it took.
func (l *load) handle() time.Duration {
	const people, groups = 1000, 50
	i := int(l.next.Add(1) - 1)
	person, round := i%people, i/people
	m := bot.Message{
		ID:     fmt.Sprintf("bench%d-%d", l.run, i),
		Sender: "用户" + strconv.Itoa(person),
		Text:   l.questions[i%len(l.questions)],
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
	replies := l.bot.Handle(context.Background(), m)
	d := time.Since(t0)
	if len(replies) == 0 {
		l.silences.Add(1)
	}
	return d
}

func (l *load) record(took []time.Duration) {
	l.mu.Lock()
	l.took = append(l.took, took...)
	l.mu.Unlock()
}

// parallel handles b.N messages, handleParallelism goroutines per core, and
// returns the msgs/s.
func (l *load) parallel(b *testing.B) float64 {
	b.SetParallelism(handleParallelism)
	return l.measure(b, func() {
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			for pb.Next() {
				mine = append(mine, l.handle())
			}
			l.record(mine)
		})
	})
}

// serial handles b.N messages one after another.
func (l *load) serial(b *testing.B) {
	l.measure(b, func() {
		for range b.N {
			l.took = append(l.took, l.handle())
		}
	})
}

// openLoop lets message i arrive at start + i/rate whatever the bot is
// doing, each handled in its own goroutine; its latency runs from its
// handover.
func (l *load) openLoop(b *testing.B, rate float64) {
	b.ReportMetric(rate, "offered-msgs/s")
	l.measure(b, func() {
		interval := time.Duration(float64(time.Second) / rate)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range b.N {
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				time.Sleep(d)
			}
			wg.Go(func() { l.record([]time.Duration{l.handle()}) })
		}
		wg.Wait()
	})
}

// capacity is the msgs/s of 20,000 messages handled as in parallel, for a
// halfload run started on its own.
func (l *load) capacity(b *testing.B) float64 {
	const n = 20000
	workers := handleParallelism * runtime.GOMAXPROCS(0)
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for l.next.Load() < n {
				l.handle()
			}
		})
	}
	wg.Wait()
	if l.silences.Load() > 0 {
		b.Fatalf("%d messages got no reply while measuring the capacity", l.silences.Load())
	}
	return float64(l.next.Load()) / time.Since(start).Seconds()
}

// measure runs handle-all, then checks every message was answered and
// reports msgs/s, p50 and p99; it returns the msgs/s.
func (l *load) measure(b *testing.B, all func()) float64 {
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0, server0 := time.Now(), processCPU(), l.serverCPU()
	all()
	elapsed := time.Since(start)
	cpu, server := processCPU()-cpu0, l.serverCPU()-server0
	b.StopTimer()
	perMsg := func(d time.Duration) float64 { return float64(d/time.Microsecond) / float64(b.N) }
	b.ReportMetric(perMsg(cpu+server), "cpu-µs/msg")
	if server > 0 {
		b.ReportMetric(perMsg(server), "redis-cpu-µs/msg")
	}
	if n := l.silences.Load(); n > 0 {
		b.Fatalf("%d of %d messages got no reply: a rate limit or the de-duplication bit", n, b.N)
	}
	slices.Sort(l.took)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(ms(testkit.Percentile(l.took, 0.50)), "p50-ms")
	b.ReportMetric(ms(testkit.Percentile(l.took, 0.99)), "p99-ms")
	return rate
}

// BenchmarkRedisMemory measures what Redis holds for the bot after the
// messages of the load above (1,000 people, 4 messages each): MEMORY USAGE
// of every key, summed by family, per active person and per message, and
// how much used_memory grew. Run it once: -benchtime 1x.
func BenchmarkRedisMemory(b *testing.B) {
	srv, store := benchRedis(b)
	ctx := context.Background()
	rdb := srv.Client(b)
	usedMemory := func() float64 {
		info, err := rdb.InfoMap(ctx, "memory").Result()
		if err != nil {
			b.Fatal(err)
		}
		n, _ := strconv.ParseFloat(info["Memory"]["used_memory"], 64)
		return n
	}
	const people, messages = 1000, 4000
	ix := benchIndex(b)
	for b.Loop() {
		if err := rdb.FlushAll(ctx).Err(); err != nil {
			b.Fatal(err)
		}
		before := usedMemory()
		l := newLoad(b, ix, store, nil)
		for range messages {
			l.handle()
		}
		if l.silences.Load() > 0 {
			b.Fatalf("%d messages unanswered", l.silences.Load())
		}
		grown := usedMemory() - before
		family := map[string]float64{}
		iter := rdb.Scan(ctx, 0, redisstore.DefaultPrefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			k := iter.Val()
			n, err := rdb.MemoryUsage(ctx, k).Result()
			if err != nil {
				b.Fatal(err)
			}
			name, _, _ := strings.Cut(strings.TrimPrefix(k, redisstore.DefaultPrefix), ":")
			family[name] += float64(n)
		}
		if err := iter.Err(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(family["session"]/people, "session-B/person")
		b.ReportMetric(family["rate"]/people, "rate-B/person")
		b.ReportMetric(family["seen"]/messages, "seen-B/msg")
		b.ReportMetric(family["stats"], "stats-B/day")
		b.ReportMetric(grown/people, "used-B/person")

		// The seen IDs alone, overhead included: 10,000 more messages
		// admitted without rate limits.
		before = usedMemory()
		for i := range 10000 {
			r := bot.AdmitRequest{Scope: "测试群" + strconv.Itoa(i%50), MsgID: "9" + strconv.Itoa(4824837373767353672+i), DedupeTTL: bot.DefaultDedupeTTL}
			if _, err := store.Admit(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((usedMemory()-before)/10000, "used-B/msg")
	}
}
