package redisstore

import (
	"context"
	"fmt"
	"time"
)

// FirstSeen reports whether msgID is seen for the first time within ttl, by
// any process sharing this Redis (SET NX PX: exactly one caller wins).
// An empty msgID cannot be de-duplicated and is always first seen.
func (s *Store) FirstSeen(ctx context.Context, msgID string, ttl time.Duration) (bool, error) {
	if msgID == "" {
		return true, nil
	}
	if ttl <= 0 {
		return false, fmt.Errorf("redisstore: mark message %q seen: ttl %v is not positive", msgID, ttl)
	}
	first, err := s.client.SetNX(ctx, s.key("seen", msgID), "1", pxTTL(ttl)).Result()
	if err := s.observe(err); err != nil {
		return false, fmt.Errorf("redisstore: mark message %q seen: %w", msgID, err)
	}
	return first, nil
}
