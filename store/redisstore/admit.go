package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
)

// admitScript is bot.Admitter in one atomic step (a Lua script runs alone
// on the server): mark the message seen, then take a token from each
// bucket in order, stopping at the first refusal.
//
// KEYS: the seen key when ARGV[2] (its TTL in ms) is not "0", then the
// buckets. ARGV: now in ms, seen TTL ms, then burst and ms per token of
// each bucket. Returns {duplicate, allowed, warn}.
//
// A bucket is a hash: tokens left (fractional), ts, the time in ms they were
// counted at, taken from the caller's now rather than the server clock so
// that tests control time and processes with slightly different clocks
// agree well enough, and warned, "1" once a refusal since the last allowed
// take has been told. It expires once it would be full again (plus a
// second of slack), when forgetting it changes nothing.
var admitScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local first = 1
if ARGV[2] ~= '0' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then
    return {1, 0, 0}
  end
  first = 2
end
for i = first, #KEYS do
  local a = 3 + (i - first) * 2
  local burst = tonumber(ARGV[a])
  local per = tonumber(ARGV[a + 1])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts', 'warned')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  local warned = state[3] == '1'
  if tokens == nil or ts == nil then
    tokens = burst
    ts = now
    warned = false
  end
  if now > ts then
    tokens = tokens + (now - ts) / per
    ts = now
  end
  if tokens > burst then
    tokens = burst
  end
  local allowed = false
  local warn = 0
  if tokens >= 1 then
    tokens = tokens - 1
    allowed = true
    warned = false
  elseif not warned then
    warn = 1
    warned = true
  end
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'ts', tostring(ts), 'warned', warned and '1' or '0')
  redis.call('PEXPIRE', KEYS[i], math.ceil((burst - tokens) * per) + 1000)
  if not allowed then
    return {0, 0, warn}
  end
end
return {0, 1, 0}
`)

// maxIDLen is the longest message ID kept as it is; a longer one (no
// transport sends one, but a forged message may carry anything) is kept as
// its SHA-256, so a seen key stays small whatever arrives.
const maxIDLen = 64

// Admit marks r.MsgID seen and takes r's tokens in one script, one round
// trip; see bot.Admitter. Every key it touches carries the hash tag of
// r.Scope, so in a Cluster they share one hash slot.
func (s *Store) Admit(ctx context.Context, r bot.AdmitRequest) (bot.Admission, error) {
	if r.MsgID != "" && r.DedupeTTL <= 0 {
		return bot.Admission{}, fmt.Errorf("redisstore: admit message %q: dedupe ttl %v is not positive", r.MsgID, r.DedupeTTL)
	}
	tag := scopeTag(r.Scope)
	keys := make([]string, 0, 1+len(r.Buckets))
	args := make([]any, 0, 2+2*len(r.Buckets))
	args = append(args, r.Now.UnixMilli(), "0")
	if r.MsgID != "" {
		id := r.MsgID
		if len(id) > maxIDLen {
			sum := sha256.Sum256([]byte(id))
			id = "sha256-" + hex.EncodeToString(sum[:])
		}
		keys = append(keys, s.slotKey("seen", tag, id))
		args[1] = strconv.FormatInt(pxTTL(r.DedupeTTL).Milliseconds(), 10)
	}
	for _, b := range r.Buckets {
		if b.Limit.Burst <= 0 || b.Limit.Per <= 0 {
			continue // no limit
		}
		keys = append(keys, s.slotKey("rate", tag, b.Key))
		args = append(args, b.Limit.Burst, max(b.Limit.Per.Milliseconds(), 1))
	}
	if len(keys) == 0 {
		return bot.Admission{Allowed: true}, nil
	}
	res, err := admitScript.Run(ctx, s.client, keys, args...).Int64Slice()
	if err := s.observe(err); err != nil {
		return bot.Admission{}, fmt.Errorf("redisstore: admit message %q of %q: %w", r.MsgID, r.Scope, err)
	}
	if len(res) != 3 {
		return bot.Admission{}, fmt.Errorf("redisstore: admit message %q of %q: script returned %v", r.MsgID, r.Scope, res)
	}
	return bot.Admission{Duplicate: res[0] == 1, Allowed: res[1] == 1, Warn: res[2] == 1}, nil
}

// scopeTag is the hash tag of a scope (a chat): short and of fixed length
// whatever the chat's name, since it only has to place the scope's keys in
// one slot (the keys themselves keep the full names).
func scopeTag(scope string) string {
	h := fnv.New32a()
	h.Write([]byte(scope))
	return fmt.Sprintf("%08x", h.Sum32())
}
