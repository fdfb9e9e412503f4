package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
)

// takeScript is a token bucket taking one token, atomically (a Lua script
// runs alone on the server). The bucket's hash holds the tokens left
// (fractional), ts, the time in ms they were counted at, taken from the
// caller's now rather than the server clock so that tests control time and
// processes with slightly different clocks agree well enough, and warned,
// "1" once a refusal since the last allowed take has been told.
//
// KEYS[1] bucket; ARGV now ms, burst, ms per token. Returns {allowed, warn}.
// The hash expires once the bucket would be full again (plus a second of
// slack), when forgetting it changes nothing.
var takeScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local per = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'warned')
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
local allowed = 0
local warn = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
  warned = false
elseif not warned then
  warn = 1
  warned = true
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts), 'warned', warned and '1' or '0')
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * per) + 1000)
return {allowed, warn}
`)

// Take takes one token from the bucket named key at time now. A limit with
// Burst or Per not positive means no limit.
func (s *Store) Take(ctx context.Context, key string, limit bot.RateLimit, now time.Time) (bot.RateDecision, error) {
	if limit.Burst <= 0 || limit.Per <= 0 {
		return bot.RateDecision{Allowed: true}, nil
	}
	perMs := max(limit.Per.Milliseconds(), 1)
	res, err := takeScript.Run(ctx, s.client, []string{s.key("rate", key)}, now.UnixMilli(), limit.Burst, perMs).Int64Slice()
	if err := s.observe(err); err != nil {
		return bot.RateDecision{}, fmt.Errorf("redisstore: take from rate bucket %q: %w", key, err)
	}
	if len(res) != 2 {
		return bot.RateDecision{}, fmt.Errorf("redisstore: take from rate bucket %q: script returned %v", key, res)
	}
	return bot.RateDecision{Allowed: res[0] == 1, Warn: res[1] == 1}, nil
}
