package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/digest"
)

// Keys of the daily digest (see package digest for the rules they serve):
//
//	<prefix>digest:{<day>}:lock    string token, SET NX PX = the push's lock TTL
//	<prefix>digest:{<day>}:status  hash target -> JSON digest.Record, 90 days
//	<prefix>digest:subscriptions   set of WeChat group names, no expiry
//
// Claim's script touches a day's lock and status, so both carry the day as
// their hash tag: in a Redis Cluster they share one hash slot.
//
// The subscriptions are configuration made by 订阅 / 退订, so they are the
// one key kept without an expiry: it holds a set of group names and grows
// only when an admin subscribes a group.

// digestStatusTTL is how long a day's delivery records stay for `digest status`.
const digestStatusTTL = 90 * 24 * time.Hour

// DigestState is the digest's StateStore in Redis: shared by every bot
// process using the same Redis and prefix, and kept across restarts.
type DigestState struct {
	s *Store
}

var _ digest.StateStore = (*DigestState)(nil)

// DigestState returns the daily digest's state kept in this store's Redis.
func (s *Store) DigestState() *DigestState { return &DigestState{s: s} }

func (d *DigestState) lockKey(day string) string   { return d.s.slotKey("digest", day, "lock") }
func (d *DigestState) statusKey(day string) string { return d.s.slotKey("digest", day, "status") }
func (d *DigestState) subsKey() string             { return d.s.key("digest", "subscriptions") }

// TryLock takes the day's lock with SET NX PX.
func (d *DigestState) TryLock(ctx context.Context, day, token string, ttl time.Duration) (bool, error) {
	ok, err := d.s.client.SetNX(ctx, d.lockKey(day), token, pxTTL(ttl)).Result()
	if err := d.s.observe(err); err != nil {
		return false, fmt.Errorf("redisstore: lock digest %s: %w", day, err)
	}
	return ok, nil
}

// unlockScript deletes the lock only if it still holds the caller's token,
// so a process whose lock expired cannot free another process's lock.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0`)

// Unlock releases the day's lock if token holds it (compare-and-delete).
func (d *DigestState) Unlock(ctx context.Context, day, token string) error {
	err := unlockScript.Run(ctx, d.s.client, []string{d.lockKey(day)}, token).Err()
	if err := d.s.observe(err); err != nil {
		return fmt.Errorf("redisstore: unlock digest %s: %w", day, err)
	}
	return nil
}

// LockHolder returns the token holding the day's lock, "" if none.
func (d *DigestState) LockHolder(ctx context.Context, day string) (string, error) {
	token, err := d.s.client.Get(ctx, d.lockKey(day)).Result()
	if err == redis.Nil {
		return "", nil
	}
	if err := d.s.observe(err); err != nil {
		return "", fmt.Errorf("redisstore: read digest lock %s: %w", day, err)
	}
	return token, nil
}

// claimScript is digest.StateStore.Claim in one atomic step: check and
// extend the lock, then write the sending marker if the current record
// allows it (the rule of digest.MayClaim).
//
// KEYS: lock, status hash. ARGV: token, lock TTL ms, target, record JSON,
// takeOver "1"/"0", status TTL s.
// Returns {"lost", ""}, {"no", current JSON} or {"ok", previous JSON or ""}.
var claimScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return {'lost', ''}
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local cur = redis.call('HGET', KEYS[2], ARGV[3])
if cur then
	local r = cjson.decode(cur)
	if r.state == 'sent' then
		return {'no', cur}
	end
	if r.state == 'sending' or r.state == 'unknown' then
		if ARGV[5] ~= '1' or r.token == ARGV[1] then
			return {'no', cur}
		end
	end
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {'ok', cur or ''}`)

// Claim writes the sending marker of target if token holds the day's lock
// and the target's record allows a send; see digest.StateStore.
func (d *DigestState) Claim(ctx context.Context, day, target, token string, ttl time.Duration, rec digest.Record, takeOver bool) (bool, digest.Record, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return false, digest.Record{}, fmt.Errorf("redisstore: encode digest record: %w", err)
	}
	over := "0"
	if takeOver {
		over = "1"
	}
	res, err := d.s.evalReplicated(ctx, claimScript, []string{d.lockKey(day), d.statusKey(day)},
		token, pxTTL(ttl).Milliseconds(), target, data, over, int64(digestStatusTTL/time.Second)).StringSlice()
	if err := d.s.observe(err); err != nil {
		return false, digest.Record{}, fmt.Errorf("redisstore: claim digest %s for %s: %w", day, target, err)
	}
	if len(res) != 2 {
		return false, digest.Record{}, fmt.Errorf("redisstore: claim digest %s for %s: unexpected reply %q", day, target, res)
	}
	var cur digest.Record
	if res[1] != "" {
		if err := json.Unmarshal([]byte(res[1]), &cur); err != nil {
			return false, digest.Record{}, fmt.Errorf("redisstore: digest record of %s on %s: %w", target, day, err)
		}
	}
	switch res[0] {
	case "lost":
		return false, digest.Record{}, digest.ErrLockLost
	case "no":
		return false, cur, nil
	}
	return true, cur, nil
}

// finishScript replaces a sending marker by the outcome, only if the marker
// is still the caller's. KEYS: status hash. ARGV: target, token, JSON, TTL s.
var finishScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
	return 0
end
local r = cjson.decode(cur)
if r.state ~= 'sending' or r.token ~= ARGV[2] then
	return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1`)

// replicaWait bounds how long a digest record waits to reach a replica.
const replicaWait = time.Second

// evalReplicated runs script and, when the store is replicated (Sentinel,
// Cluster), then waits up to replicaWait for a replica to acknowledge it
// (WAIT 1, on the same connection: WAIT covers that connection's writes).
// A digest record lost in a failover would let a target be sent twice; one
// that a replica holds survives the replica's promotion. Without a replica
// (none configured, or one still resyncing after a failover) the wait runs
// out, a warning says so, and the record stands on the master alone.
// The script is sent whole (EVAL): digest records are written a few times
// a day, and a newly promoted master has no cached scripts.
func (s *Store) evalReplicated(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	node := s.replicatedNode(ctx, keys[0])
	if node == nil {
		return script.Run(ctx, s.client, keys, args...)
	}
	conn := node.Conn()
	defer conn.Close()
	cmd := script.Eval(ctx, conn, keys, args...)
	if cmd.Err() != nil {
		return cmd
	}
	if n, err := conn.Wait(ctx, 1, replicaWait).Result(); err != nil || n < 1 {
		s.log.Warn("digest record not acknowledged by a replica; a failover now could lose it and send a target twice",
			"key", keys[0], "waited", replicaWait, "err", err)
	}
	return cmd
}

// replicatedNode is the client of the master holding key when the store is
// replicated, else nil.
func (s *Store) replicatedNode(ctx context.Context, key string) *redis.Client {
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		node, err := c.MasterForKey(ctx, key)
		if err != nil {
			return nil // the write then goes through the cluster client, unwaited
		}
		return node
	case *redis.Client:
		if s.sentinel {
			return c
		}
	}
	return nil
}

// Finish records the outcome of a target claimed with token.
func (d *DigestState) Finish(ctx context.Context, day, target, token string, rec digest.Record) (bool, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return false, fmt.Errorf("redisstore: encode digest record: %w", err)
	}
	n, err := d.s.evalReplicated(ctx, finishScript, []string{d.statusKey(day)}, target, token, data, int64(digestStatusTTL/time.Second)).Int()
	if err := d.s.observe(err); err != nil {
		return false, fmt.Errorf("redisstore: record digest %s for %s: %w", day, target, err)
	}
	return n == 1, nil
}

// recordIfAbsentScript writes a record unless the target has one.
// KEYS: status hash. ARGV: target, JSON, TTL s.
var recordIfAbsentScript = redis.NewScript(`
local n = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return n`)

// RecordIfAbsent writes rec only when target has no record that day.
func (d *DigestState) RecordIfAbsent(ctx context.Context, day, target string, rec digest.Record) (bool, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return false, fmt.Errorf("redisstore: encode digest record: %w", err)
	}
	n, err := d.s.evalReplicated(ctx, recordIfAbsentScript, []string{d.statusKey(day)}, target, data, int64(digestStatusTTL/time.Second)).Int()
	if err := d.s.observe(err); err != nil {
		return false, fmt.Errorf("redisstore: record digest %s for %s: %w", day, target, err)
	}
	return n == 1, nil
}

// Records returns the day's records by target.
func (d *DigestState) Records(ctx context.Context, day string) (map[string]digest.Record, error) {
	all, err := d.s.client.HGetAll(ctx, d.statusKey(day)).Result()
	if err := d.s.observe(err); err != nil {
		return nil, fmt.Errorf("redisstore: read digest records of %s: %w", day, err)
	}
	out := make(map[string]digest.Record, len(all))
	for target, data := range all {
		var rec digest.Record
		if err := json.Unmarshal([]byte(data), &rec); err != nil {
			return nil, fmt.Errorf("redisstore: digest record of %s on %s: %w", target, day, err)
		}
		out[target] = rec
	}
	return out, nil
}

// Subscribe adds a group to the digest's subscriptions.
func (d *DigestState) Subscribe(ctx context.Context, group string) (bool, error) {
	n, err := d.s.client.SAdd(ctx, d.subsKey(), group).Result()
	if err := d.s.observe(err); err != nil {
		return false, fmt.Errorf("redisstore: subscribe %q to the digest: %w", group, err)
	}
	return n == 1, nil
}

// Unsubscribe removes a group from the digest's subscriptions.
func (d *DigestState) Unsubscribe(ctx context.Context, group string) (bool, error) {
	n, err := d.s.client.SRem(ctx, d.subsKey(), group).Result()
	if err := d.s.observe(err); err != nil {
		return false, fmt.Errorf("redisstore: unsubscribe %q from the digest: %w", group, err)
	}
	return n == 1, nil
}

// Subscriptions returns the subscribed groups, sorted.
func (d *DigestState) Subscriptions(ctx context.Context) ([]string, error) {
	groups, err := d.s.client.SMembers(ctx, d.subsKey()).Result()
	if err := d.s.observe(err); err != nil {
		return nil, fmt.Errorf("redisstore: read digest subscriptions: %w", err)
	}
	slices.Sort(groups)
	return groups, nil
}

// migrateDigestKeys renames the digest's lock and status keys of the last
// 92 days from their names before hash tags (<prefix>digest:status:<day>)
// to the current ones, so an upgrade in the middle of a day does not
// forget what was sent that day and send it again. RENAMENX leaves a key
// already under its new name alone. Earlier versions knew no Cluster, so a
// Cluster has nothing to migrate (and RENAME across slots would fail).
func (s *Store) migrateDigestKeys(ctx context.Context, today time.Time) error {
	if _, ok := s.client.(*redis.ClusterClient); ok {
		return nil
	}
	type move struct{ from, to string }
	var moves []move
	d := s.DigestState()
	for i := -1; i <= 92; i++ {
		day := today.AddDate(0, 0, -i).Format(time.DateOnly)
		moves = append(moves, move{s.key("digest", "status", day), d.statusKey(day)}, move{s.key("digest", "lock", day), d.lockKey(day)})
	}
	exists := make([]*redis.IntCmd, len(moves))
	if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range moves {
			exists[i] = p.Exists(ctx, m.from)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("redisstore: look for digest keys to rename: %w", err)
	}
	for i, m := range moves {
		if exists[i].Val() == 0 {
			continue
		}
		// Another process starting at once may have moved it: no error then.
		if err := s.client.RenameNX(ctx, m.from, m.to).Err(); err != nil && !strings.Contains(err.Error(), "no such key") {
			return fmt.Errorf("redisstore: rename %s to %s: %w", m.from, m.to, err)
		}
		s.log.Info("renamed a digest key to its hash-tagged name", "from", m.from, "to", m.to)
	}
	return nil
}
