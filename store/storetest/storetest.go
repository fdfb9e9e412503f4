// Package storetest is the conformance suite every bot.Store passes: the
// in-memory store and the Redis store run the same tests, so the bot behaves
// the same on either.
package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reportbot/reportbot/bot"
)

// shortTTL is short enough to wait out in a test; expiry is polled with a
// deadline, never asserted at an exact instant.
const (
	shortTTL     = 200 * time.Millisecond
	longTTL      = time.Hour
	expiryWithin = 10 * time.Second
)

// Run runs the suite. newStore returns a fresh, empty store for each subtest
// (subtests run in parallel, so stores sharing a server must not share keys).
func Run(t *testing.T, newStore func(t *testing.T) bot.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s bot.Store)
	}{
		{"SessionRoundTrip", testSessionRoundTrip},
		{"SessionExpires", testSessionExpires},
		{"SessionKeysDistinct", testSessionKeysDistinct},
		{"SessionTTLNotPositive", testSessionTTLNotPositive},
		{"FirstSeen", testFirstSeen},
		{"FirstSeenRace", testFirstSeenRace},
		{"FirstSeenExpires", testFirstSeenExpires},
		{"FirstSeenPerScope", testFirstSeenPerScope},
		{"DedupeTTLNotPositive", testDedupeTTLNotPositive},
		{"DuplicateTakesNoToken", testDuplicateTakesNoToken},
		{"AdmitStopsAtFirstRefusal", testAdmitStopsAtFirstRefusal},
		{"RateLimitWarnsOnce", testRateLimitWarnsOnce},
		{"RateLimitRefill", testRateLimitRefill},
		{"RateLimitSeparateKeys", testRateLimitSeparateKeys},
		{"RateLimitConcurrent", testRateLimitConcurrent},
		{"RateLimitDisabled", testRateLimitDisabled},
		{"Stats", testStats},
		{"StatsEmptyDay", testStatsEmptyDay},
		{"StatsRankingBounded", testStatsRankingBounded},
		{"RecordQuestionStoresSession", testRecordQuestionStoresSession},
		{"Ping", testPing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// awkwardNames are names as chats and people really have them, and names
// that would collide under careless key building.
var awkwardNames = []string{
	"张三", "测试群", "😀 家", "with space", "a:b", "a%3Ab", "a%b", "a", "b:c", "a:b:c",
	"a\x00b", "", "*", "[x]", "line\nbreak",
}

// sessionKey joins chat and sender the way a careful caller would, so the
// suite can show that such keys survive the store intact.
func sessionKey(chat, sender string) string { return fmt.Sprintf("%q/%q", chat, sender) }

func sampleSession(q string) bot.Session {
	return bot.Session{
		Question: q,
		Hits:     []bot.HitRef{{Report: "2025-national", Paragraph: 3, Sentence: 1}, {Report: "2025-national", Paragraph: 7, Sentence: 0}},
		Cursor:   1,
	}
}

func sameSession(a, b bot.Session) bool {
	return a.Question == b.Question && a.Cursor == b.Cursor && slices.Equal(a.Hits, b.Hits)
}

func mustGet(t *testing.T, s bot.Store, key string) (bot.Session, bool) {
	t.Helper()
	sess, ok, err := s.GetSession(ctx(t), key)
	if err != nil {
		t.Fatalf("GetSession(%q): %v", key, err)
	}
	return sess, ok
}

func mustPut(t *testing.T, s bot.Store, key string, sess bot.Session, ttl time.Duration) {
	t.Helper()
	if err := s.PutSession(ctx(t), key, sess, ttl); err != nil {
		t.Fatalf("PutSession(%q): %v", key, err)
	}
}

func testSessionRoundTrip(t *testing.T, s bot.Store) {
	key := sessionKey("测试群", "张三")
	if _, ok := mustGet(t, s, key); ok {
		t.Fatal("a fresh store has a session")
	}
	want := sampleSession("中欧班列目标")
	mustPut(t, s, key, want, longTTL)
	got, ok := mustGet(t, s, key)
	if !ok || !sameSession(got, want) {
		t.Fatalf("GetSession = %+v, %v; want %+v, true", got, ok, want)
	}

	// The stored session is a copy: changing what was put or got changes nothing.
	want.Hits[0].Paragraph = 99
	got.Hits[1].Paragraph = 98
	again, _ := mustGet(t, s, key)
	if again.Hits[0].Paragraph != 3 || again.Hits[1].Paragraph != 7 {
		t.Fatalf("stored session changed through a caller's slice: %+v", again)
	}

	// Put replaces.
	next := bot.Session{Question: "更多", Cursor: 0}
	mustPut(t, s, key, next, longTTL)
	if got, ok := mustGet(t, s, key); !ok || !sameSession(got, next) {
		t.Fatalf("after replacing: %+v, %v; want %+v", got, ok, next)
	}
}

func testSessionExpires(t *testing.T, s bot.Store) {
	short, long := sessionKey("群", "short"), sessionKey("群", "long")
	mustPut(t, s, short, sampleSession("expires"), shortTTL)
	mustPut(t, s, long, sampleSession("stays"), longTTL)
	deadline := time.Now().Add(expiryWithin)
	for {
		if _, ok := mustGet(t, s, short); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a session with TTL %v still there after %v", shortTTL, expiryWithin)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got, ok := mustGet(t, s, long); !ok || got.Question != "stays" {
		t.Fatalf("the long-lived session went with the short one: %+v, %v", got, ok)
	}
	// An expired key can be used again.
	mustPut(t, s, short, sampleSession("back"), longTTL)
	if got, ok := mustGet(t, s, short); !ok || got.Question != "back" {
		t.Fatalf("re-put after expiry: %+v, %v", got, ok)
	}
}

func testSessionKeysDistinct(t *testing.T, s bot.Store) {
	keys := map[string]bool{}
	var order []string
	add := func(k string) {
		if !keys[k] {
			keys[k] = true
			order = append(order, k)
		}
	}
	for _, n := range awkwardNames {
		add(n)
	}
	// chat "a:b" + sender "c" against chat "a" + sender "b:c", and friends.
	for _, pair := range [][2]string{{"a:b", "c"}, {"a", "b:c"}, {"测试群", "张 三"}, {"测试群 张", "三"}, {"😀", "😀:"}, {"😀:", "😀"}} {
		add(sessionKey(pair[0], pair[1]))
		add(pair[0] + "\x1f" + pair[1]) // the separator bot uses between chat and sender
	}
	for i, k := range order {
		mustPut(t, s, k, bot.Session{Question: k, Cursor: i}, longTTL)
	}
	for i, k := range order {
		got, ok := mustGet(t, s, k)
		if !ok || got.Question != k || got.Cursor != i {
			t.Errorf("key %q: got %+v, %v; want its own session (cursor %d)", k, got, ok, i)
		}
	}
}

func testSessionTTLNotPositive(t *testing.T, s bot.Store) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := s.PutSession(ctx(t), "k", sampleSession("q"), ttl); err == nil {
			t.Errorf("PutSession with TTL %v: no error; a session that never expires would leak", ttl)
		}
	}
	if _, ok := mustGet(t, s, "k"); ok {
		t.Error("a refused PutSession stored the session")
	}
}

// scope is the chat the de-duplication tests' messages come from.
const scope = "测试群"

// firstSeen admits message id of scope with no rate limit: whether it was
// new.
func firstSeen(ctx context.Context, s bot.Store, id string, ttl time.Duration) (bool, error) {
	d, err := s.Admit(ctx, bot.AdmitRequest{Scope: scope, MsgID: id, DedupeTTL: ttl})
	return !d.Duplicate, err
}

func mustFirstSeen(t *testing.T, s bot.Store, id string, ttl time.Duration) bool {
	t.Helper()
	first, err := firstSeen(ctx(t), s, id, ttl)
	if err != nil {
		t.Fatalf("Admit(%q): %v", id, err)
	}
	return first
}

func testFirstSeen(t *testing.T, s bot.Store) {
	for _, id := range []string{"msg-1", "msg:2", "消息3", "😀 4"} {
		if !mustFirstSeen(t, s, id, longTTL) {
			t.Errorf("FirstSeen(%q) the first time = false", id)
		}
		for range 3 {
			if mustFirstSeen(t, s, id, longTTL) {
				t.Errorf("FirstSeen(%q) again = true", id)
			}
		}
	}
	// IDs are not confused with session keys or with each other.
	mustPut(t, s, "msg-9", sampleSession("q"), longTTL)
	if !mustFirstSeen(t, s, "msg-9", longTTL) {
		t.Error("a session key made FirstSeen of the same string false")
	}
	if !mustFirstSeen(t, s, "a%3Ab", longTTL) || !mustFirstSeen(t, s, "a:b", longTTL) {
		t.Error(`"a%3Ab" and "a:b" are confused`)
	}
	// An empty ID cannot be de-duplicated: every message without one is handled.
	if !mustFirstSeen(t, s, "", longTTL) || !mustFirstSeen(t, s, "", longTTL) {
		t.Error(`FirstSeen("") = false; a message without an ID would be dropped`)
	}
}

func testFirstSeenRace(t *testing.T, s bot.Store) {
	const racers = 50
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		firsts int
		errs   []error
	)
	start := make(chan struct{})
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			first, err := firstSeen(context.Background(), s, "raced-message", longTTL)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			} else if first {
				firsts++
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("FirstSeen errors: %v", errs)
	}
	if firsts != 1 {
		t.Fatalf("%d of %d racing FirstSeen calls returned true; want exactly 1", firsts, racers)
	}
}

func testFirstSeenExpires(t *testing.T, s bot.Store) {
	if !mustFirstSeen(t, s, "short-lived", shortTTL) {
		t.Fatal("first FirstSeen = false")
	}
	deadline := time.Now().Add(expiryWithin)
	for !mustFirstSeen(t, s, "short-lived", shortTTL) {
		if time.Now().After(deadline) {
			t.Fatalf("a seen ID with TTL %v still seen after %v", shortTTL, expiryWithin)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// t0 is a fixed time the rate tests start at; Take's now is the only clock
// the limiter may use.
var t0 = time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC)

// take admits a message without an ID through the one bucket key.
func take(ctx context.Context, s bot.Store, key string, limit bot.RateLimit, now time.Time) (bot.Admission, error) {
	return s.Admit(ctx, bot.AdmitRequest{Scope: scope, Buckets: []bot.Bucket{{Key: key, Limit: limit}}, Now: now})
}

func mustTake(t *testing.T, s bot.Store, key string, limit bot.RateLimit, now time.Time) bot.Admission {
	t.Helper()
	d, err := take(ctx(t), s, key, limit, now)
	if err != nil {
		t.Fatalf("take from %q: %v", key, err)
	}
	return d
}

func expectTake(t *testing.T, s bot.Store, key string, limit bot.RateLimit, now time.Time, want bot.Admission, what string) {
	t.Helper()
	if got := mustTake(t, s, key, limit, now); got != want {
		t.Fatalf("%s: Take = %+v; want %+v", what, got, want)
	}
}

var (
	allowed = bot.Admission{Allowed: true}
	warned  = bot.Admission{Warn: true}
	silent  = bot.Admission{}
)

func testRateLimitWarnsOnce(t *testing.T, s bot.Store) {
	limit := bot.RateLimit{Burst: 3, Per: time.Minute}
	key := sessionKey("测试群", "张三")
	for i := range 3 {
		expectTake(t, s, key, limit, t0, allowed, fmt.Sprintf("take %d of a burst of 3", i+1))
	}
	expectTake(t, s, key, limit, t0, warned, "4th take")
	expectTake(t, s, key, limit, t0, silent, "5th take")
	expectTake(t, s, key, limit, t0, silent, "6th take")
	expectTake(t, s, key, limit, t0.Add(limit.Per), allowed, "one Per later")
	expectTake(t, s, key, limit, t0.Add(limit.Per), warned, "right after the refilled token")
	expectTake(t, s, key, limit, t0.Add(limit.Per), silent, "and again")
}

func testRateLimitRefill(t *testing.T, s bot.Store) {
	limit := bot.RateLimit{Burst: 3, Per: time.Minute}
	for range 3 {
		expectTake(t, s, "k", limit, t0, allowed, "burst")
	}
	expectTake(t, s, "k", limit, t0.Add(limit.Per/2), warned, "half a Per later")
	expectTake(t, s, "k", limit, t0.Add(limit.Per), allowed, "one Per later (the half token counts)")
	expectTake(t, s, "k", limit, t0.Add(limit.Per), warned, "one Per later, again")
	// A long pause refills to Burst, no more.
	later := t0.Add(100 * limit.Per)
	for range 3 {
		expectTake(t, s, "k", limit, later, allowed, "after a long pause")
	}
	expectTake(t, s, "k", limit, later, warned, "beyond Burst after a long pause")
	// A now earlier than the bucket's last (another process's clock a little
	// behind) refills nothing and does not break the bucket.
	expectTake(t, s, "k", limit, later.Add(-time.Second), silent, "clock behind")
	expectTake(t, s, "k", limit, later.Add(limit.Per), allowed, "one Per after the pause")
}

func testRateLimitSeparateKeys(t *testing.T, s bot.Store) {
	limit := bot.RateLimit{Burst: 1, Per: time.Hour}
	keys := append([]string{sessionKey("a:b", "c"), sessionKey("a", "b:c")}, awkwardNames...)
	for _, k := range keys {
		expectTake(t, s, k, limit, t0, allowed, fmt.Sprintf("first take of %q", k))
	}
	for _, k := range keys {
		expectTake(t, s, k, limit, t0, warned, fmt.Sprintf("second take of %q", k))
	}
}

func testRateLimitConcurrent(t *testing.T, s bot.Store) {
	const (
		takers = 30
		burst  = 5
	)
	limit := bot.RateLimit{Burst: burst, Per: time.Hour}
	var (
		wg              sync.WaitGroup
		mu              sync.Mutex
		nAllowed, nWarn int
		errs            []error
	)
	start := make(chan struct{})
	for range takers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			d, err := take(context.Background(), s, "flood", limit, t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case d.Allowed:
				nAllowed++
			case d.Warn:
				nWarn++
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("Take errors: %v", errs)
	}
	if nAllowed != burst || nWarn != 1 {
		t.Fatalf("%d concurrent takes: %d allowed, %d warned; want %d allowed, 1 warned", takers, nAllowed, nWarn, burst)
	}
}

func testRateLimitDisabled(t *testing.T, s bot.Store) {
	for _, limit := range []bot.RateLimit{{}, {Burst: 0, Per: time.Minute}, {Burst: 3, Per: 0}} {
		for i := range 10 {
			expectTake(t, s, "unlimited", limit, t0, allowed, fmt.Sprintf("take %d with limit %+v (no limit)", i+1, limit))
		}
	}
}

func record(t *testing.T, s bot.Store, day, q string, found bool, at time.Time) {
	t.Helper()
	e := bot.QuestionEvent{Day: day, Question: q, Found: found, At: at}
	if err := s.RecordQuestion(ctx(t), e, sessionKey(scope, "提问人"), bot.Session{Question: q}, longTTL); err != nil {
		t.Fatalf("RecordQuestion(%s, %q): %v", day, q, err)
	}
}

func qc(q string, n int) bot.QuestionCount { return bot.QuestionCount{Question: q, Count: n} }

func testStats(t *testing.T, s bot.Store) {
	const day, other = "2025-03-05", "2025-03-06"
	at := t0
	ask := func(day, q string, found bool) {
		at = at.Add(time.Second)
		record(t, s, day, q, found, at)
	}
	// Counts: 目标 3, 就业 2, 中欧班列 2, then once each. Asked out of order so
	// neither arrival nor reverse order passes for the expected one.
	for _, q := range []string{"中欧班列", "目标", "就业", "目标", "中欧班列", "就业", "目标"} {
		ask(day, q, true)
	}
	for _, q := range []string{"z 问题", "b 问题", "y 问题", "a 问题", "c 问题", "x 问题", "d 问题"} {
		ask(day, q, false)
	}
	ask(other, "明天的问题", false)
	ask(other, "目标", true)

	sum, err := s.Summary(ctx(t), day)
	if err != nil {
		t.Fatalf("Summary: %v", err)
	}
	if sum.Questions != 14 || sum.Found != 7 || sum.NotFound != 7 {
		t.Errorf("counts = %d questions, %d found, %d not found; want 14, 7, 7", sum.Questions, sum.Found, sum.NotFound)
	}
	wantTop := []bot.QuestionCount{qc("目标", 3), qc("中欧班列", 2), qc("就业", 2), qc("a 问题", 1), qc("b 问题", 1)}
	if !slices.Equal(sum.Top, wantTop) {
		t.Errorf("Top = %v; want %v (by count, ties by question)", sum.Top, wantTop)
	}
	wantUnanswered := []string{"d 问题", "x 问题", "c 问题", "a 问题", "y 问题"}
	if !slices.Equal(sum.Unanswered, wantUnanswered) {
		t.Errorf("Unanswered = %q; want %q (newest first, 5)", sum.Unanswered, wantUnanswered)
	}

	sum2, err := s.Summary(ctx(t), other)
	if err != nil {
		t.Fatalf("Summary(%s): %v", other, err)
	}
	want2 := bot.StatsSummary{Questions: 2, Found: 1, NotFound: 1,
		Top:        []bot.QuestionCount{qc("明天的问题", 1), qc("目标", 1)},
		Unanswered: []string{"明天的问题"}}
	if sum2.Questions != want2.Questions || sum2.Found != want2.Found || sum2.NotFound != want2.NotFound ||
		!slices.Equal(sum2.Top, want2.Top) || !slices.Equal(sum2.Unanswered, want2.Unanswered) {
		t.Errorf("Summary(%s) = %+v; want %+v", other, sum2, want2)
	}

	// Many unanswered questions: still the 5 newest.
	for i := range 60 {
		ask(other, fmt.Sprintf("未答 %02d", i), false)
	}
	sum2, err = s.Summary(ctx(t), other)
	if err != nil {
		t.Fatalf("Summary(%s): %v", other, err)
	}
	if want := []string{"未答 59", "未答 58", "未答 57", "未答 56", "未答 55"}; !slices.Equal(sum2.Unanswered, want) {
		t.Errorf("after 60 more: Unanswered = %q; want %q", sum2.Unanswered, want)
	}
	if sum2.NotFound != 61 {
		t.Errorf("after 60 more: %d not found; want 61", sum2.NotFound)
	}
	// 62 questions asked once each: the first 5 in byte order.
	wantTop = []bot.QuestionCount{qc("明天的问题", 1), qc("未答 00", 1), qc("未答 01", 1), qc("未答 02", 1), qc("未答 03", 1)}
	if !slices.Equal(sum2.Top, wantTop) {
		t.Errorf("after 60 more: Top = %v; want %v", sum2.Top, wantTop)
	}
}

func testStatsEmptyDay(t *testing.T, s bot.Store) {
	sum, err := s.Summary(ctx(t), "2001-01-01")
	if err != nil {
		t.Fatalf("Summary of a day without questions: %v", err)
	}
	if sum.Questions != 0 || sum.Found != 0 || sum.NotFound != 0 || len(sum.Top) != 0 || len(sum.Unanswered) != 0 {
		t.Fatalf("Summary of a day without questions = %+v; want zero", sum)
	}
	if err := s.RecordQuestion(ctx(t), bot.QuestionEvent{Question: "无日期"}, "k", bot.Session{}, longTTL); err == nil {
		t.Error("RecordQuestion without a day: no error")
	}
}

func testPing(t *testing.T, s bot.Store) {
	if err := s.Ping(ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testFirstSeenPerScope(t *testing.T, s bot.Store) {
	for _, sc := range []string{"群甲", "群乙", "a:b", ""} {
		d, err := s.Admit(ctx(t), bot.AdmitRequest{Scope: sc, MsgID: "same-id", DedupeTTL: longTTL})
		if err != nil {
			t.Fatal(err)
		}
		if d.Duplicate {
			t.Errorf("message ID in scope %q: a duplicate of the same ID in another scope", sc)
		}
	}
}

func testDedupeTTLNotPositive(t *testing.T, s bot.Store) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		if _, err := firstSeen(ctx(t), s, "m", ttl); err == nil {
			t.Errorf("dedupe TTL %v: no error; a seen ID that never expires would leak", ttl)
		}
	}
	if !mustFirstSeen(t, s, "m", longTTL) {
		t.Error("a refused admission marked the message seen")
	}
}

func testDuplicateTakesNoToken(t *testing.T, s bot.Store) {
	limit := bot.RateLimit{Burst: 1, Per: time.Hour}
	admit := func(id string) bot.Admission {
		t.Helper()
		d, err := s.Admit(ctx(t), bot.AdmitRequest{Scope: scope, MsgID: id, DedupeTTL: longTTL,
			Buckets: []bot.Bucket{{Key: "张三", Limit: limit}}, Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := admit("m1"); d != allowed {
		t.Fatalf("first message: %+v; want allowed", d)
	}
	for range 3 {
		if d := admit("m1"); d != (bot.Admission{Duplicate: true}) {
			t.Fatalf("the same message again: %+v; want a duplicate", d)
		}
	}
	// The duplicates took nothing: the next message is the first refusal.
	if d := admit("m2"); d != warned {
		t.Fatalf("second message after duplicates: %+v; want the one warning", d)
	}
	if d := admit("m2"); d != (bot.Admission{Duplicate: true}) {
		t.Fatalf("a refused message delivered again: %+v; want a duplicate", d)
	}
}

func testAdmitStopsAtFirstRefusal(t *testing.T, s bot.Store) {
	group := bot.Bucket{Key: "group", Limit: bot.RateLimit{Burst: 1, Per: time.Hour}}
	user := bot.Bucket{Key: "user", Limit: bot.RateLimit{Burst: 2, Per: time.Hour}}
	admit := func(buckets ...bot.Bucket) bot.Admission {
		t.Helper()
		d, err := s.Admit(ctx(t), bot.AdmitRequest{Scope: scope, Buckets: buckets, Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := admit(group, user); d != allowed {
		t.Fatalf("first message: %+v", d)
	}
	if d := admit(group, user); d != warned {
		t.Fatalf("group empty: %+v; want its warning", d)
	}
	// The group's refusal spent none of the user's tokens: one is left.
	if d := admit(user); d != allowed {
		t.Fatalf("the user's second token: %+v; want allowed", d)
	}
	if d := admit(user); d != warned {
		t.Fatalf("the user's third message: %+v; want the user's warning", d)
	}
	if d := admit(group, user); d != silent {
		t.Fatalf("group already warned: %+v; want silence", d)
	}
}

// testStatsRankingBounded fills a day's ranking past bot.TopQuestionsKept:
// a new question replaces the least asked (ties: first in byte order), the
// often asked stay, and the totals stay exact.
func testStatsRankingBounded(t *testing.T, s bot.Store) {
	const day = "2025-03-07"
	for range 3 {
		record(t, s, day, "热门", true, t0)
	}
	for i := range bot.TopQuestionsKept {
		record(t, s, day, fmt.Sprintf("q%05d", i), true, t0)
	}
	// q00000 was the least asked and first in byte order when the last
	// question came; asked again, it replaces q00001.
	record(t, s, day, "q00000", true, t0)
	sum, err := s.Summary(ctx(t), day)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 + bot.TopQuestionsKept + 1; sum.Questions != want {
		t.Errorf("%d questions counted; want %d", sum.Questions, want)
	}
	want := []bot.QuestionCount{qc("热门", 3), qc("q00000", 1), qc("q00002", 1), qc("q00003", 1), qc("q00004", 1)}
	if !slices.Equal(sum.Top, want) {
		t.Errorf("Top = %v; want %v", sum.Top, want)
	}
}

func testRecordQuestionStoresSession(t *testing.T, s bot.Store) {
	key := sessionKey(scope, "张三")
	want := sampleSession("中欧班列目标")
	e := bot.QuestionEvent{Day: "2025-03-08", Question: want.Question, Found: true, At: t0}
	if err := s.RecordQuestion(ctx(t), e, key, want, longTTL); err != nil {
		t.Fatal(err)
	}
	if got, ok := mustGet(t, s, key); !ok || !sameSession(got, want) {
		t.Fatalf("session after RecordQuestion = %+v, %v; want %+v", got, ok, want)
	}
	if err := s.RecordQuestion(ctx(t), e, sessionKey(scope, "李四"), want, 0); err == nil {
		t.Error("RecordQuestion with session TTL 0: no error; a session that never expires would leak")
	}
	if _, ok := mustGet(t, s, sessionKey(scope, "李四")); ok {
		t.Error("a refused RecordQuestion stored the session")
	}
	sum, err := s.Summary(ctx(t), e.Day)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Questions != 1 {
		t.Errorf("%d questions counted; want 1 (the refused one not counted)", sum.Questions)
	}
}
