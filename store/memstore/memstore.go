// Package memstore keeps the bot's state (bot.Store) in process memory: the
// default when no Redis is configured. It behaves like package redisstore
// (the same conformance tests run against both) but is lost on restart and
// not shared between processes.
//
// Memory stays bounded: sessions and seen message IDs expire, and expired
// entries are swept out when a map has doubled since its last sweep (an
// amortised O(1) per write); full rate buckets are forgotten the same way;
// statistics keep the latest 35 days, and 50 unanswered questions a day.
package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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

// FirstSeen reports whether msgID is seen for the first time within ttl.
// An empty msgID cannot be de-duplicated and is always first seen.
func (s *Store) FirstSeen(_ context.Context, msgID string, ttl time.Duration) (bool, error) {
	if msgID == "" {
		return true, nil
	}
	if ttl <= 0 {
		return false, fmt.Errorf("memstore: mark message %q seen: ttl %v is not positive", msgID, ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if _, ok := s.seen.get(msgID, now); ok {
		return false, nil
	}
	s.seen.put(msgID, struct{}{}, now, ttl)
	return true, nil
}

// bucket is a token bucket: tokens left (fractional) as counted at ts.
type bucket struct {
	tokens float64
	ts     time.Time
	warned bool // a refusal since the last allowed take has been told
	fullAt time.Time
}

// Take takes one token from the bucket named key at time now. A limit with
// Burst or Per not positive means no limit.
func (s *Store) Take(_ context.Context, key string, limit bot.RateLimit, now time.Time) (bot.RateDecision, error) {
	if limit.Burst <= 0 || limit.Per <= 0 {
		return bot.RateDecision{Allowed: true}, nil
	}
	burst := float64(limit.Burst)
	s.mu.Lock()
	defer s.mu.Unlock()
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
	var d bot.RateDecision
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
	return d, nil
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

// RecordQuestion counts one question of e.Day.
func (s *Store) RecordQuestion(_ context.Context, e bot.QuestionEvent) error {
	if e.Day == "" {
		return fmt.Errorf("memstore: record question %q: no day", e.Question)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.days[e.Day]
	if !ok {
		d = &dayStats{counts: map[string]int{}}
		s.days[e.Day] = d
		s.dropOldDays()
	}
	d.questions++
	d.counts[e.Question]++
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
