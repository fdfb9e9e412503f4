package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
)

// GetSession returns the live session stored under key, ok=false when there
// is none (never stored, or expired).
func (s *Store) GetSession(ctx context.Context, key string) (bot.Session, bool, error) {
	raw, err := s.client.Get(ctx, s.key("session", key)).Bytes()
	if err := s.observe(err); err != nil {
		if errors.Is(err, redis.Nil) {
			return bot.Session{}, false, nil
		}
		return bot.Session{}, false, fmt.Errorf("redisstore: get session %q: %w", key, err)
	}
	var sess bot.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return bot.Session{}, false, fmt.Errorf("redisstore: decode session %q: %w", key, err)
	}
	return sess, true, nil
}

// PutSession stores the session under key for ttl, replacing any earlier one.
func (s *Store) PutSession(ctx context.Context, key string, sess bot.Session, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redisstore: put session %q: ttl %v is not positive", key, ttl)
	}
	raw, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("redisstore: encode session %q: %w", key, err)
	}
	if err := s.observe(s.client.Set(ctx, s.key("session", key), raw, pxTTL(ttl)).Err()); err != nil {
		return fmt.Errorf("redisstore: put session %q: %w", key, err)
	}
	return nil
}
