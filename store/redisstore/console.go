package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
)

// The web console's sign-in sessions, by the hash of their cookie:
//
//	<prefix>console:session:<id hash>   string (the console's JSON), PX = session TTL

// PutConsoleSession stores a console session for ttl.
func (s *Store) PutConsoleSession(ctx context.Context, id string, data []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redisstore: put console session: ttl %v is not positive", ttl)
	}
	if err := s.observe(s.client.Set(ctx, s.key("console", "session", id), data, pxTTL(ttl)).Err()); err != nil {
		return fmt.Errorf("redisstore: put console session: %w", err)
	}
	return nil
}

// GetConsoleSession returns a live console session; ok=false when there is none.
func (s *Store) GetConsoleSession(ctx context.Context, id string) ([]byte, bool, error) {
	data, err := s.client.Get(ctx, s.key("console", "session", id)).Bytes()
	if err := s.observe(err); err != nil {
		if errors.Is(err, redis.Nil) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("redisstore: get console session: %w", err)
	}
	return data, true, nil
}

// DeleteConsoleSession ends a console session (signing out).
func (s *Store) DeleteConsoleSession(ctx context.Context, id string) error {
	if err := s.observe(s.client.Del(ctx, s.key("console", "session", id)).Err()); err != nil {
		return fmt.Errorf("redisstore: delete console session: %w", err)
	}
	return nil
}

// consoleListLen bounds the questions of a day the console lists.
const consoleListLen = 200

// DayQuestions is the whole of a day's statistics, for the console: the
// totals, up to 200 most asked questions and every unanswered one kept (50),
// newest first.
func (s *Store) DayQuestions(ctx context.Context, day string) (bot.StatsSummary, error) {
	sum, top, err := s.readDay(ctx, day, consoleListLen, 0)
	if err != nil {
		return bot.StatsSummary{}, fmt.Errorf("redisstore: questions of %s: %w", day, err)
	}
	for _, z := range top {
		sum.Top = append(sum.Top, bot.QuestionCount{Question: z.Member.(string), Count: int(z.Score)})
	}
	sortTop(sum.Top)
	return sum, nil
}
