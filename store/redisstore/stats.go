package redisstore

import (
	"cmp"
	"context"
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

// RecordQuestion counts one question of e.Day: in the day's totals, in its
// top questions and, when not found, in its latest unanswered questions.
func (s *Store) RecordQuestion(ctx context.Context, e bot.QuestionEvent) error {
	if e.Day == "" {
		return fmt.Errorf("redisstore: record question %q: no day", e.Question)
	}
	countKey, topKey, unansweredKey := s.statsKeys(e.Day)
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, countKey, "questions", 1)
		if e.Found {
			p.HIncrBy(ctx, countKey, "found", 1)
		} else {
			p.HIncrBy(ctx, countKey, "notfound", 1)
			p.LPush(ctx, unansweredKey, e.Question)
			p.LTrim(ctx, unansweredKey, 0, unansweredKept-1)
			p.Expire(ctx, unansweredKey, statsTTL)
		}
		p.ZIncrBy(ctx, topKey, 1, e.Question)
		p.Expire(ctx, countKey, statsTTL)
		p.Expire(ctx, topKey, statsTTL)
		return nil
	})
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

func (s *Store) statsKeys(day string) (count, top, unanswered string) {
	return s.key("stats", day, "count"), s.key("stats", day, "top"), s.key("stats", day, "unanswered")
}
