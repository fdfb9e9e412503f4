package digest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// State is where one target stands for one day.
type State string

const (
	// StatePending: nothing recorded yet; the digest has not gone out.
	StatePending State = "pending"
	// StateSending: the marker written just before the send. Seen while a
	// push runs; once that push is gone, Status shows it as StateUnknown.
	StateSending State = "sending"
	// StateUnknown: the send was interrupted (the process stopped between
	// the marker and the result, or the reply was lost), so the message may
	// or may not be in the group. It is never resent automatically.
	StateUnknown State = "unknown"
	StateSent    State = "sent"
	// StateFailed: the send certainly did not happen; a later push within
	// the catch-up window, or `digest send`, tries again.
	StateFailed State = "failed"
	// StateMissed: the scheduled run passed while the bot was down and the
	// catch-up window was over when it came back.
	StateMissed State = "missed"
	// StateSkipped: there was no digest that day (after the last item with
	// after_last = "stop", before start_date, or an empty override file).
	StateSkipped State = "skipped"
)

// Record is the stored state of one (day, target).
type Record struct {
	State  State     `json:"state"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
	// Token names the push that wrote the record (its lock token).
	Token string `json:"token,omitempty"`
}

// ErrLockLost is returned by StateStore.Claim when the token no longer holds
// the day's lock: the lock expired and another process may be pushing.
var ErrLockLost = errors.New("digest: the day's push lock was lost")

// StateStore keeps what the digest needs to send each (day, target) at most
// once across restarts and processes. Days are "YYYY-MM-DD" in the digest's
// time zone; targets are names such as "wechat:<group>" and "wecom:<name>".
//
// The lock keeps two processes from pushing the same day at once, but
// at-most-once does not rest on it: Claim checks the lock and the target's
// record in one atomic step, so a process whose lock expired mid-push can
// claim nothing more, and no target is claimed twice.
//
// store/redisstore implements it in Redis (shared, restart-safe); NewMemoryState
// in this package keeps it in memory.
type StateStore interface {
	// TryLock takes the day's lock for token, for ttl, unless someone holds
	// it (SET NX PX).
	TryLock(ctx context.Context, day, token string, ttl time.Duration) (bool, error)
	// Unlock releases the day's lock if token still holds it
	// (compare-and-delete); otherwise it does nothing.
	Unlock(ctx context.Context, day, token string) error
	// LockHolder returns the token holding the day's lock, "" if none.
	LockHolder(ctx context.Context, day string) (string, error)

	// Claim atomically checks that token holds the day's lock (else it
	// returns ErrLockLost and writes nothing), extends the lock to ttl, and
	// writes rec (State sending, Token token) as the target's record when
	// the current record allows a send. It returns claimed=false and the
	// current record when it does not.
	//
	// A send is allowed when there is no record, or the record is failed,
	// missed or skipped; a sending or unknown record of another token only
	// when takeOver is true; a sent record never.
	Claim(ctx context.Context, day, target, token string, ttl time.Duration, rec Record, takeOver bool) (claimed bool, current Record, err error)
	// Finish replaces the target's record with rec if it is still the
	// sending record written by token, and reports whether it did.
	Finish(ctx context.Context, day, target, token string, rec Record) (bool, error)
	// RecordIfAbsent writes rec only when the target has no record.
	RecordIfAbsent(ctx context.Context, day, target string, rec Record) (bool, error)
	// Records returns the day's records by target.
	Records(ctx context.Context, day string) (map[string]Record, error)

	// Subscribe adds a WeChat group to the subscriptions; added is false
	// when it was there already.
	Subscribe(ctx context.Context, group string) (added bool, err error)
	// Unsubscribe removes a group; removed is false when it was not there.
	Unsubscribe(ctx context.Context, group string) (removed bool, err error)
	// Subscriptions returns the subscribed groups, sorted.
	Subscriptions(ctx context.Context) ([]string, error)
}

// MayClaim reports whether a target whose current record is cur (ok=false:
// none) may be claimed by token; StateStore implementations share it.
func MayClaim(cur Record, ok bool, token string, takeOver bool) bool {
	if !ok {
		return true
	}
	switch cur.State {
	case StateSent:
		return false
	case StateSending, StateUnknown:
		return takeOver && cur.Token != token
	}
	return true
}

// MemoryState is a StateStore in process memory, for a bot without Redis.
// It is not restart-safe: a restart forgets what was sent today, so a
// restart inside the catch-up window sends today's digest again, and two
// processes each have their own. Use Redis for exactly-once delivery.
type MemoryState struct {
	mu      sync.Mutex
	locks   map[string]memLock
	records map[string]map[string]Record
	subs    map[string]bool
}

type memLock struct {
	token   string
	expires time.Time
}

var _ StateStore = (*MemoryState)(nil)

// NewMemoryState returns an empty in-memory StateStore.
func NewMemoryState() *MemoryState {
	return &MemoryState{locks: map[string]memLock{}, records: map[string]map[string]Record{}, subs: map[string]bool{}}
}

// holder returns the live token of day's lock; the caller holds m.mu. Lock
// expiry follows the real clock, as Redis's PX does.
func (m *MemoryState) holder(day string) string {
	l, ok := m.locks[day]
	if !ok || !time.Now().Before(l.expires) {
		delete(m.locks, day)
		return ""
	}
	return l.token
}

func (m *MemoryState) TryLock(_ context.Context, day, token string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder(day) != "" {
		return false, nil
	}
	m.locks[day] = memLock{token: token, expires: time.Now().Add(ttl)}
	return true, nil
}

func (m *MemoryState) Unlock(_ context.Context, day, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder(day) == token {
		delete(m.locks, day)
	}
	return nil
}

func (m *MemoryState) LockHolder(_ context.Context, day string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.holder(day), nil
}

func (m *MemoryState) Claim(_ context.Context, day, target, token string, ttl time.Duration, rec Record, takeOver bool) (bool, Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder(day) != token {
		return false, Record{}, ErrLockLost
	}
	m.locks[day] = memLock{token: token, expires: time.Now().Add(ttl)}
	cur, ok := m.records[day][target]
	if !MayClaim(cur, ok, token, takeOver) {
		return false, cur, nil
	}
	m.put(day, target, rec)
	return true, cur, nil
}

func (m *MemoryState) Finish(_ context.Context, day, target, token string, rec Record) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.records[day][target]
	if !ok || cur.State != StateSending || cur.Token != token {
		return false, nil
	}
	m.put(day, target, rec)
	return true, nil
}

func (m *MemoryState) RecordIfAbsent(_ context.Context, day, target string, rec Record) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.records[day][target]; ok {
		return false, nil
	}
	m.put(day, target, rec)
	return true, nil
}

func (m *MemoryState) put(day, target string, rec Record) {
	if m.records[day] == nil {
		m.records[day] = map[string]Record{}
	}
	m.records[day][target] = rec
}

func (m *MemoryState) Records(_ context.Context, day string) (map[string]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Record, len(m.records[day]))
	for k, v := range m.records[day] {
		out[k] = v
	}
	return out, nil
}

func (m *MemoryState) Subscribe(_ context.Context, group string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.subs[group] {
		return false, nil
	}
	m.subs[group] = true
	return true, nil
}

func (m *MemoryState) Unsubscribe(_ context.Context, group string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.subs[group] {
		return false, nil
	}
	delete(m.subs, group)
	return true, nil
}

func (m *MemoryState) Subscriptions(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.subs))
	for g := range m.subs {
		out = append(out, g)
	}
	slices.Sort(out)
	return out, nil
}
