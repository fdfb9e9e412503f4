package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
)

const (
	// statsTTL keeps a day's statistics a month and a few days, so 统计 can
	// look back while Redis memory stays bounded.
	statsTTL = 35 * 24 * time.Hour
	// unansweredKept is how many not-found questions a day keeps (newest).
	unansweredKept = 50
	// summaryLen is how many top and unanswered questions Summary returns.
	summaryLen = 5
)

// recordScript counts one question in its day's statistics, atomically.
// KEYS: count hash, top sorted set, unanswered list (one day: one hash tag).
// ARGV: question, found "1"/"0", ranking cap, unanswered kept, TTL s.
// A question new to a full ranking first pops the least asked (ZPOPMIN:
// lowest count, of those tied the first in byte order).
var recordScript = redis.NewScript(`
redis.call('HINCRBY', KEYS[1], 'questions', 1)
if ARGV[2] == '1' then
  redis.call('HINCRBY', KEYS[1], 'found', 1)
else
  redis.call('HINCRBY', KEYS[1], 'notfound', 1)
  redis.call('LPUSH', KEYS[3], ARGV[1])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  redis.call('ZPOPMIN', KEYS[2])
end
redis.call('ZINCRBY', KEYS[2], 1, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
`)

// RecordQuestion counts one question of e.Day (in its totals, its ranking,
// capped at bot.TopQuestionsKept, and, when not found, its latest
// unanswered questions) and stores the session it leaves under key: the
// script and the SET go in one pipeline, one round trip (in a Cluster, one
// per node the two keys live on, concurrently).
func (s *Store) RecordQuestion(ctx context.Context, e bot.QuestionEvent, key string, sess bot.Session, ttl time.Duration) error {
	if e.Day == "" {
		return fmt.Errorf("redisstore: record question %q: no day", e.Question)
	}
	if ttl <= 0 {
		return fmt.Errorf("redisstore: record question %q: session ttl %v is not positive", e.Question, ttl)
	}
	raw, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("redisstore: encode session %q: %w", key, err)
	}
	countKey, topKey, unansweredKey := s.statsKeys(e.Day)
	keys := []string{countKey, topKey, unansweredKey}
	found := "0"
	if e.Found {
		found = "1"
	}
	args := []any{e.Question, found, bot.TopQuestionsKept, unansweredKept, int64(statsTTL / time.Second)}
	var record *redis.Cmd
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.key("session", key), raw, pxTTL(ttl))
		record = recordScript.EvalSha(ctx, p, keys, args...)
		return nil
	})
	if err != nil && redis.HasErrorPrefix(record.Err(), "NOSCRIPT") {
		// A restarted or newly promoted server has an empty script cache:
		// Run loads the script (the session was written already).
		err = recordScript.Run(ctx, s.client, keys, args...).Err()
	}
	if err := s.observe(err); err != nil {
		return fmt.Errorf("redisstore: record question of %s: %w", e.Day, err)
	}
	return nil
}

// Summary is what 统计 shows for day: totals, the most asked questions (ties
// in question order) and the latest unanswered ones, newest first.
func (s *Store) Summary(ctx context.Context, day string) (bot.StatsSummary, error) {
	sum, top, err := s.readDay(ctx, day, summaryLen, summaryLen)
	if err != nil {
		return bot.StatsSummary{}, fmt.Errorf("redisstore: summarise %s: %w", day, err)
	}
	_, topKey, _ := s.statsKeys(day)
	sum.Top, err = s.topQuestions(ctx, topKey, top)
	if err != nil {
		return bot.StatsSummary{}, fmt.Errorf("redisstore: summarise %s: %w", day, err)
	}
	return sum, nil
}

// readDay reads the day's totals, its top questions (up to top, by
// count) and its latest unanswered ones (up to unanswered; 0 for all), in
// one round trip.
func (s *Store) readDay(ctx context.Context, day string, top, unanswered int64) (bot.StatsSummary, []redis.Z, error) {
	countKey, topKey, unansweredKey := s.statsKeys(day)
	var (
		counts *redis.SliceCmd
		topCmd *redis.ZSliceCmd
		unCmd  *redis.StringSliceCmd
	)
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		counts = p.HMGet(ctx, countKey, "questions", "found", "notfound")
		topCmd = p.ZRevRangeWithScores(ctx, topKey, 0, top-1)
		unCmd = p.LRange(ctx, unansweredKey, 0, unanswered-1)
		return nil
	})
	if err := s.observe(err); err != nil {
		return bot.StatsSummary{}, nil, err
	}
	var sum bot.StatsSummary
	for i, field := range []*int{&sum.Questions, &sum.Found, &sum.NotFound} {
		if v, ok := counts.Val()[i].(string); ok {
			*field, _ = strconv.Atoi(v)
		}
	}
	if len(unCmd.Val()) > 0 {
		sum.Unanswered = unCmd.Val()
	}
	return sum, topCmd.Val(), nil
}

// topQuestions orders the highest-scored members by count, then question.
// ZREVRANGE breaks ties in reverse byte order and may cut a tie at the 5th
// place arbitrarily, so the members tied with the 5th are fetched again in
// byte order (ZRANGE BYSCORE orders equal scores that way), at most 5.
func (s *Store) topQuestions(ctx context.Context, topKey string, top []redis.Z) ([]bot.QuestionCount, error) {
	if len(top) == 0 {
		return nil, nil
	}
	var out []bot.QuestionCount
	last := top[len(top)-1].Score
	if len(top) == summaryLen {
		for _, z := range top {
			if z.Score > last {
				out = append(out, bot.QuestionCount{Question: z.Member.(string), Count: int(z.Score)})
			}
		}
		score := strconv.FormatFloat(last, 'f', -1, 64)
		tied, err := s.client.ZRangeArgs(ctx, redis.ZRangeArgs{
			Key: topKey, Start: score, Stop: score, ByScore: true, Count: int64(summaryLen - len(out)),
		}).Result()
		if err := s.observe(err); err != nil {
			return nil, err
		}
		for _, q := range tied {
			out = append(out, bot.QuestionCount{Question: q, Count: int(last)})
		}
	} else {
		for _, z := range top {
			out = append(out, bot.QuestionCount{Question: z.Member.(string), Count: int(z.Score)})
		}
	}
	sortTop(out)
	return out, nil
}

// sortTop orders questions by count, most asked first, then by question.
func sortTop(top []bot.QuestionCount) {
	slices.SortStableFunc(top, func(a, b bot.QuestionCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Question, b.Question))
	})
}

// statsKeys are a day's statistics, under the day's hash tag.
func (s *Store) statsKeys(day string) (count, top, unanswered string) {
	return s.slotKey("stats", day, "count"), s.slotKey("stats", day, "top"), s.slotKey("stats", day, "unanswered")
}
