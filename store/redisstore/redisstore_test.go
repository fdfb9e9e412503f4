package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/internal/outage"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/storetest"
)

// server is the redis-server shared by the tests of this binary; each store
// gets its own key prefix, so tests do not see each other's keys.
var server *redistest.Server

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "redisstore-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// go-redis logs every failed dial to stderr; the tests that stop Redis
	// check the store's own once-per-outage log instead.
	RouteDriverLog(slog.New(slog.DiscardHandler))
	server, err = redistest.StartServer(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	server.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

var prefixes atomic.Int64

// newStore opens a store on the shared server with a prefix no other store
// in this binary uses.
func newStore(tb testing.TB, opts ...Option) *Store {
	tb.Helper()
	prefix := fmt.Sprintf("test%d:", prefixes.Add(1))
	s, err := Open(context.Background(), server.URL(), append([]Option{WithPrefix(prefix)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store { return newStore(t) })
}

func TestKey(t *testing.T) {
	s := New(nil)
	for _, tc := range []struct {
		parts []string
		want  string
	}{
		{[]string{"session", "测试群"}, "reportbot:session:测试群"},
		{[]string{"session", "a:b", "c"}, "reportbot:session:a%3Ab:c"},
		{[]string{"session", "a", "b:c"}, "reportbot:session:a:b%3Ac"},
		{[]string{"session", "a%3Ab"}, "reportbot:session:a%253Ab"},
		{[]string{"rate", "😀 x"}, "reportbot:rate:😀 x"},
		{[]string{"seen", ""}, "reportbot:seen:"},
		{[]string{"session", "{tag}"}, "reportbot:session:%7Btag%7D"},
	} {
		if got := s.key(tc.parts...); got != tc.want {
			t.Errorf("key(%q) = %q; want %q", tc.parts, got, tc.want)
		}
	}
	if got := New(nil, WithPrefix("bot2:")).key("x", "y"); got != "bot2:x:y" {
		t.Errorf("with prefix bot2: key = %q", got)
	}
	if got, want := s.slotKey("stats", "2025-03-05", "top"), "reportbot:stats:{2025-03-05}:top"; got != want {
		t.Errorf("slotKey = %q; want %q", got, want)
	}
	if got, want := s.slotKey("rate", "a}b", "x:{y}"), "reportbot:rate:{a%7Db}:x%3A%7By%7D"; got != want {
		t.Errorf("slotKey with braces = %q; want %q (only the tag's own braces)", got, want)
	}

	// No two different part lists share a key.
	names := []string{"", "a", "b", "a:b", "b:c", "c", "a%3Ab", "%", "%25", ":", "::", "测试", "😀"}
	var lists [][]string
	for _, x := range names {
		lists = append(lists, []string{x})
		for _, y := range names {
			lists = append(lists, []string{x, y})
		}
	}
	seen := map[string][]string{}
	for _, parts := range lists {
		k := s.key(parts...)
		if prev, ok := seen[k]; ok {
			t.Fatalf("key(%q) = key(%q) = %q", parts, prev, k)
		}
		seen[k] = parts
	}
}

// TestEveryKeyExpires: whatever the store writes has a TTL, so Redis
// memory stays bounded.
func TestEveryKeyExpires(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if err := s.PutSession(ctx, "张三", bot.Session{Question: "q"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	limit := bot.RateLimit{Burst: 2, Per: time.Minute}
	for i := range 3 {
		r := bot.AdmitRequest{Scope: "群", MsgID: fmt.Sprint("m", i%2), DedupeTTL: time.Hour,
			Buckets: []bot.Bucket{{Key: "张三", Limit: limit}}, Now: time.Now()}
		if _, err := s.Admit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, found := range []bool{true, false} {
		if err := s.RecordQuestion(ctx, bot.QuestionEvent{Day: "2025-03-05", Question: "q", Found: found}, "张三", bot.Session{Question: "q"}, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := s.Client().Keys(ctx, s.Prefix()+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 7 {
		t.Errorf("keys = %q; want 7 (session, 2 seen, rate, 3 stats)", keys)
	}
	for _, k := range keys {
		ttl, err := s.Client().PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 {
			t.Errorf("key %q has no expiry (PTTL %v)", k, ttl)
		}
		if strings.Contains(k, ":stats:") && ttl < 34*24*time.Hour {
			t.Errorf("stats key %q expires in %v; want 35 days", k, ttl)
		}
	}
}

func TestPrefixesSeparate(t *testing.T) {
	a, b := newStore(t), newStore(t)
	ctx := t.Context()
	if err := a.PutSession(ctx, "k", bot.Session{Question: "a's"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.GetSession(ctx, "k"); err != nil || ok {
		t.Fatalf("store with another prefix sees the session: ok=%v err=%v", ok, err)
	}
	m := bot.AdmitRequest{Scope: "群", MsgID: "m", DedupeTTL: time.Hour}
	if d, err := b.Admit(ctx, m); err != nil || d.Duplicate {
		t.Fatalf("b.Admit = %+v, %v", d, err)
	}
	if d, err := a.Admit(ctx, m); err != nil || d.Duplicate {
		t.Fatalf("a.Admit after b saw the same ID = %+v, %v; want new", d, err)
	}
}

func TestOpenBadURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:6379", "redis://:secret@127.0.0.1:notaport/0", "redis://127.0.0.1:6379/notadb"} {
		_, err := Open(t.Context(), u)
		if err == nil {
			t.Errorf("Open(%q): no error", u)
			continue
		}
		if !strings.HasPrefix(err.Error(), "redisstore: parse URL ") {
			t.Errorf("Open(%q) error %q does not say it is the URL", u, err)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error shows the password: %q", u, err)
		}
	}
}

func TestOpenNoRedis(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = Open(t.Context(), "redis://user:secret@"+addr+"/0")
	if err == nil {
		t.Fatal("Open on a closed port: no error")
	}
	want := "redisstore: connect to redis://user@" + addr + "/0: "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q; want it to start %q", err, want)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the password: %q", err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"redis://127.0.0.1:6379/0":              "redis://127.0.0.1:6379/0",
		"redis://:pw@127.0.0.1:6379/0":          "redis://127.0.0.1:6379/0",
		"redis://bot:pw@127.0.0.1:6379/1?x=y":   "redis://bot@127.0.0.1:6379/1?x=y",
		"rediss://bot:p%40ss@redis.example:1/0": "rediss://bot@redis.example:1/0",
		"redis://%zz":                           "(unparsable Redis URL)",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestCloseLeavesCallersClient(t *testing.T) {
	owner := newStore(t)
	s := New(owner.Client())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := owner.Ping(t.Context()); err != nil {
		t.Fatalf("Close of a New store closed the caller's client: %v", err)
	}
}

// TestRecoversWhenRedisReturns stops the real redis-server under a store,
// sees operations fail (and the outage logged once), restarts it and sees
// operations succeed again without reopening the store.
func TestRecoversWhenRedisReturns(t *testing.T) {
	srv := redistest.Start(t)
	var logs testkit.LogBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := Open(t.Context(), srv.URL(), WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	limit := bot.RateLimit{Burst: 5, Per: time.Minute}
	if err := s.PutSession(ctx, "k", bot.Session{Question: "before"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	take := bot.AdmitRequest{Scope: "群", Buckets: []bot.Bucket{{Key: "k", Limit: limit}}}
	take.Now = time.Now()
	if _, err := s.Admit(ctx, take); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	failures := 0
	for i := range 10 {
		if _, _, err := s.GetSession(ctx, "k"); err != nil {
			failures++
		}
		if _, err := s.Admit(ctx, bot.AdmitRequest{Scope: "群", MsgID: "down-" + strconv.Itoa(i), DedupeTTL: time.Hour}); err != nil {
			failures++
		}
	}
	if failures != 20 {
		t.Fatalf("with redis-server stopped, %d of 20 operations failed; want all", failures)
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded with redis-server stopped")
	}

	srv.Restart(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := s.PutSession(ctx, "k", bot.Session{Question: "after"}, time.Hour)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store still failing 15s after redis-server returned: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got, ok, err := s.GetSession(ctx, "k"); err != nil || !ok || got.Question != "after" {
		t.Fatalf("after recovery GetSession = %+v, %v, %v", got, ok, err)
	}
	// The restarted server has an empty script cache: Admit and
	// RecordQuestion must load their scripts again by themselves.
	take.Now = time.Now()
	if d, err := s.Admit(ctx, take); err != nil || !d.Allowed {
		t.Fatalf("after recovery Admit = %+v, %v", d, err)
	}
	if err := s.RecordQuestion(ctx, bot.QuestionEvent{Day: "2025-03-05", Question: "q"}, "k", bot.Session{Question: "q"}, time.Hour); err != nil {
		t.Fatalf("after recovery RecordQuestion: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("after recovery Ping: %v", err)
	}

	// Recovery is declared after a quiet period without failures.
	time.Sleep(outage.Quiet)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("after the quiet period Ping: %v", err)
	}
	out := logs.String()
	if n := strings.Count(out, "redis unreachable"); n != 1 {
		t.Errorf("outage logged %d times; want once:\n%s", n, out)
	}
	if n := strings.Count(out, "redis reachable again"); n != 1 {
		t.Errorf("recovery logged %d times; want once:\n%s", n, out)
	}
}

func BenchmarkRedisSession(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	sess := bot.Session{Question: "中欧班列目标", Cursor: 1, Hits: []bot.HitRef{
		{Report: "2025-national", Paragraph: 3, Sentence: 1}, {Report: "2025-national", Paragraph: 7, Sentence: 0},
		{Report: "2025-national", Paragraph: 9, Sentence: 2},
	}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		key := "群/成员" + strconv.Itoa(i%1000)
		i++
		if err := s.PutSession(ctx, key, sess, 30*time.Minute); err != nil {
			b.Fatal(err)
		}
		if _, ok, err := s.GetSession(ctx, key); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkRedisAdmit is a group message's admission: its ID and both
// buckets, one script.
func BenchmarkRedisAdmit(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	limit := bot.RateLimit{Burst: 10, Per: time.Second}
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		group := "群" + strconv.Itoa(i%50)
		r := bot.AdmitRequest{Scope: group, MsgID: "msg-" + strconv.Itoa(i), DedupeTTL: time.Minute,
			Buckets: []bot.Bucket{{Key: "group/" + group, Limit: limit}, {Key: "user/成员" + strconv.Itoa(i%1000), Limit: limit}},
			Now:     now.Add(time.Duration(i) * time.Millisecond)}
		if _, err := s.Admit(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedisRecordQuestion is the write of an answered question: its
// statistics and the session it leaves, one pipeline.
func BenchmarkRedisRecordQuestion(b *testing.B) {
	s := newStore(b)
	ctx := context.Background()
	sess := bot.Session{Question: "中欧班列目标", Cursor: 1, Hits: []bot.HitRef{{Report: "2025-national", Paragraph: 3, Sentence: 1}}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		e := bot.QuestionEvent{Day: "2025-03-05", Question: "问题" + strconv.Itoa(i%300), Found: i%4 != 0}
		if err := s.RecordQuestion(ctx, e, "群/成员"+strconv.Itoa(i%1000), sess, 30*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNewClientKinds(t *testing.T) {
	for raw, want := range map[string]string{
		"redis://127.0.0.1:6379/0":                              "*redis.Client",
		"redis://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002":  "*redis.ClusterClient",
		"redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/m/1":  "*redis.Client",
		"rediss+sentinel://u:p@127.0.0.1:26379?dial_timeout=2s": "*redis.Client",
	} {
		c, err := newClient(raw)
		if err != nil {
			t.Errorf("newClient(%q): %v", raw, err)
			continue
		}
		if got := fmt.Sprintf("%T", c); got != want {
			t.Errorf("newClient(%q) is a %s; want %s", raw, got, want)
		}
		c.Close()
	}
	for _, raw := range []string{"redis://a:1,b:2/3", "redis://a:1,,b:2", "redis+sentinel://a:1/m/x", "redis+sentinel://a:1/m/1/2", "redis+cluster://a:1", "redis://a:1/0?no_such_option=1"} {
		if c, err := newClient(raw); err == nil {
			c.Close()
			t.Errorf("newClient(%q): no error", raw)
		}
	}
	if got := RedactURL("redis+sentinel://:pw@s1:26379,s2:26379/m?sentinel_password=sp&dial_timeout=1s"); strings.Contains(got, "pw") || strings.Contains(got, "sp") {
		t.Errorf("RedactURL shows a password: %s", got)
	}
}
