package redisstore

import (
	"testing"
	"time"

	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/digest/digesttest"
)

func TestDigestStateConformance(t *testing.T) {
	digesttest.Run(t, func(t *testing.T) digest.StateStore { return newStore(t).DigestState() })
}

// TestDigestKeysMigrated: a day's status and lock written under the names
// before hash tags are found under the new names after Open.
func TestDigestKeysMigrated(t *testing.T) {
	old := newStore(t)
	ctx := t.Context()
	today := time.Now().Format(time.DateOnly)
	rec := `{"state":"sent","at":"2026-12-01T08:00:00Z"}`
	if err := old.Client().HSet(ctx, old.key("digest", "status", today), "wecom:team", rec).Err(); err != nil {
		t.Fatal(err)
	}
	if err := old.Client().Set(ctx, old.key("digest", "lock", today), "tok", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, server.URL(), WithPrefix(old.Prefix()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs, err := s.DigestState().Records(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	if recs["wecom:team"].State != "sent" {
		t.Errorf("after Open, today's records = %+v; want wecom:team sent", recs)
	}
	if holder, err := s.DigestState().LockHolder(ctx, today); err != nil || holder != "tok" {
		t.Errorf("after Open, the lock holder = %q, %v; want tok", holder, err)
	}
}
