// Package memstore keeps the bot's state (bot.Store) in process memory: the
// default when no Redis is configured. It behaves like package redisstore
// (the same conformance tests run against both) but is lost on restart and
// not shared between processes.
//
// Memory stays bounded: sessions and seen message IDs expire, and expired
// entries are swept out when a map has doubled since its last sweep (an
// amortised O(1) per write); full rate buckets are forgotten the same way;
// statistics keep the latest 35 days, bot.TopQuestionsKept ranked and 50
// unanswered questions a day.
package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/reportbot/reportbot/bot"
)

const (
	minSweep       = 1024 // no sweep before a map holds this many entries
	statsDaysKept  = 35
	unansweredKept = 50
	summaryLen     = 5
)

// Store is a goroutine-safe in-memory bot.Store.
type Store struct {
	now func() time.Time

	mu       sync.Mutex
	sessions expiring[bot.Session]
	seen     expiring[struct{}]
	buckets  map[string]*bucket
	// bucketSweep is the number of buckets at which the next sweep runs.
	bucketSweep int
	days        map[string]*dayStats
	console     consoleSessions
}

var _ bot.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithNow sets the clock that session and de-duplication TTLs are measured
// by (default time.Now). Rate limits use the now passed to Take instead.
func WithNow(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{
		now:         time.Now,
		sessions:    newExpiring[bot.Session](),
		seen:        newExpiring[struct{}](),
		buckets:     map[string]*bucket{},
		bucketSweep: minSweep,
		days:        map[string]*dayStats{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Ping always succeeds: memory is always there.
func (s *Store) Ping(context.Context) error { return nil }

// GetSession returns the live session stored under key.
func (s *Store) GetSession(_ context.Context, key string) (bot.Session, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions.get(key, s.now())
	if !ok {
		return bot.Session{}, false, nil
	}
	return copySession(sess), true, nil
}

// PutSession stores a copy of the session under key for ttl.
func (s *Store) PutSession(_ context.Context, key string, sess bot.Session, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("memstore: put session %q: ttl %v is not positive", key, ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions.put(key, copySession(sess), s.now(), ttl)
	return nil
}

// copySession keeps callers from changing a stored session through its Hits.
func copySession(sess bot.Session) bot.Session {
	sess.Hits = slices.Clone(sess.Hits)
	return sess
}

// Admit marks r.MsgID seen (within r.Scope) and takes a token from each of
// r.Buckets in order, stopping at the first refusal; see bot.Admitter.
func (s *Store) Admit(_ context.Context, r bot.AdmitRequest) (bot.Admission, error) {
	if r.MsgID != "" && r.DedupeTTL <= 0 {
		return bot.Admission{}, fmt.Errorf("memstore: admit message %q: dedupe ttl %v is not positive", r.MsgID, r.DedupeTTL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.MsgID != "" {
		// IDs are remembered per scope, as in Redis, where they live in
		// the scope's hash slot.
		id, now := strconv.Quote(r.Scope)+"/"+r.MsgID, s.now()
		if _, ok := s.seen.get(id, now); ok {
			return bot.Admission{Duplicate: true}, nil
		}
		s.seen.put(id, struct{}{}, now, r.DedupeTTL)
	}
	for _, b := range r.Buckets {
		if d := s.take(b.Key, b.Limit, r.Now); !d.Allowed {
			return d, nil
		}
	}
	return bot.Admission{Allowed: true}, nil
}

// bucket is a token bucket: tokens left (fractional) as counted at ts.
type bucket struct {
	tokens float64
	ts     time.Time
	warned bool // a refusal since the last allowed take has been told
	fullAt time.Time
}

// take takes one token from the bucket named key at time now. A limit with
// Burst or Per not positive means no limit. s.mu is held.
func (s *Store) take(key string, limit bot.RateLimit, now time.Time) bot.Admission {
	if limit.Burst <= 0 || limit.Per <= 0 {
		return bot.Admission{Allowed: true}
	}
	burst := float64(limit.Burst)
	b, ok := s.buckets[key]
	if !ok {
		s.sweepBuckets(now)
		b = &bucket{tokens: burst, ts: now}
		s.buckets[key] = b
	}
	if now.After(b.ts) {
		b.tokens += float64(now.Sub(b.ts)) / float64(limit.Per)
		b.ts = now
	}
	b.tokens = min(b.tokens, burst)
	var d bot.Admission
	switch {
	case b.tokens >= 1:
		b.tokens--
		b.warned = false
		d.Allowed = true
	case !b.warned:
		b.warned = true
		d.Warn = true
	}
	b.fullAt = b.ts.Add(time.Duration((burst - b.tokens) * float64(limit.Per)))
	return d
}

// sweepBuckets forgets buckets that are full again by now (forgetting a full
// bucket changes nothing), once the map has doubled since the last sweep.
func (s *Store) sweepBuckets(now time.Time) {
	if len(s.buckets) < s.bucketSweep {
		return
	}
	for k, b := range s.buckets {
		if !now.Before(b.fullAt) {
			delete(s.buckets, k)
		}
	}
	s.bucketSweep = max(minSweep, 2*len(s.buckets))
}

// dayStats is one day's statistics.
type dayStats struct {
	questions, found, notFound int
	counts                     map[string]int
	unanswered                 []string // oldest first, at most unansweredKept
}

// RecordQuestion counts one question of e.Day and stores the session it
// leaves under key.
func (s *Store) RecordQuestion(_ context.Context, e bot.QuestionEvent, key string, sess bot.Session, ttl time.Duration) error {
	if e.Day == "" {
		return fmt.Errorf("memstore: record question %q: no day", e.Question)
	}
	if ttl <= 0 {
		return fmt.Errorf("memstore: record question %q: session ttl %v is not positive", e.Question, ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions.put(key, copySession(sess), s.now(), ttl)
	d, ok := s.days[e.Day]
	if !ok {
		d = &dayStats{counts: map[string]int{}}
		s.days[e.Day] = d
		s.dropOldDays()
	}
	d.questions++
	d.count(e.Question)
	if e.Found {
		d.found++
	} else {
		d.notFound++
		d.unanswered = append(d.unanswered, e.Question)
		if n := len(d.unanswered); n > 2*unansweredKept {
			// Trim in batches so appending stays amortised O(1).
			d.unanswered = slices.Clone(d.unanswered[n-unansweredKept:])
		}
	}
	return nil
}

// count adds one to q's count in the day's ranking. A full ranking
// (bot.TopQuestionsKept questions) first drops its least asked question, of
// those tied the first in byte order, as Redis's ZPOPMIN does.
func (d *dayStats) count(q string) {
	if _, ok := d.counts[q]; !ok && len(d.counts) >= bot.TopQuestionsKept {
		least, n := "", 0
		for other, c := range d.counts {
			if n == 0 || c < n || c == n && other < least {
				least, n = other, c
			}
		}
		delete(d.counts, least)
	}
	d.counts[q]++
}

// dropOldDays keeps the latest statsDaysKept days. Days are YYYY-MM-DD, so
// their byte order is their date order.
func (s *Store) dropOldDays() {
	if len(s.days) <= statsDaysKept {
		return
	}
	names := make([]string, 0, len(s.days))
	for day := range s.days {
		names = append(names, day)
	}
	slices.Sort(names)
	for _, day := range names[:len(names)-statsDaysKept] {
		delete(s.days, day)
	}
}

// Summary is what 统计 shows for day.
func (s *Store) Summary(_ context.Context, day string) (bot.StatsSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.days[day]
	if !ok {
		return bot.StatsSummary{}, nil
	}
	return d.summary(summaryLen, summaryLen), nil
}

// summary is the day's totals, its top questions (most asked first, ties
// in question order) and its latest unanswered ones, newest first.
func (d *dayStats) summary(top, unanswered int) bot.StatsSummary {
	sum := bot.StatsSummary{Questions: d.questions, Found: d.found, NotFound: d.notFound}
	for q, n := range d.counts {
		sum.Top = append(sum.Top, bot.QuestionCount{Question: q, Count: n})
	}
	slices.SortFunc(sum.Top, func(a, b bot.QuestionCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Question, b.Question))
	})
	sum.Top = slices.Clip(sum.Top[:min(len(sum.Top), top)])
	for i := len(d.unanswered) - 1; i >= 0 && len(sum.Unanswered) < min(unanswered, unansweredKept); i-- {
		sum.Unanswered = append(sum.Unanswered, d.unanswered[i])
	}
	return sum
}

// expiring is a map whose entries expire, swept once it has doubled since
// its last sweep.
type expiring[V any] struct {
	entries map[string]entry[V]
	sweepAt int
}

type entry[V any] struct {
	value   V
	expires time.Time
}

func newExpiring[V any]() expiring[V] {
	return expiring[V]{entries: map[string]entry[V]{}, sweepAt: minSweep}
}

func (m *expiring[V]) get(key string, now time.Time) (V, bool) {
	e, ok := m.entries[key]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

func (m *expiring[V]) put(key string, v V, now time.Time, ttl time.Duration) {
	if len(m.entries) >= m.sweepAt {
		for k, e := range m.entries {
			if !now.Before(e.expires) {
				delete(m.entries, k)
			}
		}
		m.sweepAt = max(minSweep, 2*len(m.entries))
	}
	m.entries[key] = entry[V]{value: v, expires: now.Add(ttl)}
}
