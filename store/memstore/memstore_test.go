package memstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store { return New() })
}

func TestWithNowExpiresByTheGivenClock(t *testing.T) {
	clock := testkit.NewClock(time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC))
	s := New(WithNow(clock.Now))
	ctx := t.Context()
	if err := s.PutSession(ctx, "k", bot.Session{Question: "q"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Admit(ctx, seenOnce("m")); d.Duplicate {
		t.Fatal("a new message is a duplicate")
	}
	clock.Advance(59 * time.Second)
	if _, ok, _ := s.GetSession(ctx, "k"); !ok {
		t.Fatal("session gone before its TTL")
	}
	if d, _ := s.Admit(ctx, seenOnce("m")); !d.Duplicate {
		t.Fatal("message forgotten before its TTL")
	}
	clock.Advance(time.Second)
	if _, ok, _ := s.GetSession(ctx, "k"); ok {
		t.Fatal("session still there at its TTL")
	}
	if d, _ := s.Admit(ctx, seenOnce("m")); d.Duplicate {
		t.Fatal("message still seen at its TTL")
	}
}

// seenOnce admits message id for a minute, with no rate limit.
func seenOnce(id string) bot.AdmitRequest {
	return bot.AdmitRequest{Scope: "群", MsgID: id, DedupeTTL: time.Minute}
}

// TestMemoryBounded writes far more short-lived entries than are ever live
// at once and checks expired ones are swept out.
func TestMemoryBounded(t *testing.T) {
	clock := testkit.NewClock(time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC))
	s := New(WithNow(clock.Now))
	ctx := t.Context()
	limit := bot.RateLimit{Burst: 2, Per: time.Second}
	const live = 100 // entries written per TTL
	for i := range 100 * minSweep {
		if i%live == 0 {
			clock.Advance(time.Minute)
		}
		id := fmt.Sprint(i)
		if err := s.PutSession(ctx, id, bot.Session{Question: id}, time.Minute); err != nil {
			t.Fatal(err)
		}
		r := seenOnce(id)
		r.Buckets, r.Now = []bot.Bucket{{Key: id, Limit: limit}}, clock.Now()
		if _, err := s.Admit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A sweep runs when a map reaches max(minSweep, twice its size after the
	// last sweep), so a map never holds more than 2*minSweep entries here.
	for name, n := range map[string]int{
		"sessions": len(s.sessions.entries),
		"seen":     len(s.seen.entries),
		"buckets":  len(s.buckets),
	} {
		if n > 2*minSweep {
			t.Errorf("%s holds %d entries after %d writes of which at most %d live", name, n, 100*minSweep, live)
		}
	}
}

func TestStatsKeepLatestDays(t *testing.T) {
	s := New()
	ctx := t.Context()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		day := start.AddDate(0, 0, i).Format(time.DateOnly)
		if err := s.RecordQuestion(ctx, bot.QuestionEvent{Day: day, Question: "q"}, "k", bot.Session{}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.days); n != statsDaysKept {
		t.Errorf("%d days kept; want %d", n, statsDaysKept)
	}
	last := start.AddDate(0, 0, 99).Format(time.DateOnly)
	if sum, _ := s.Summary(ctx, last); sum.Questions != 1 {
		t.Errorf("latest day %s: %+v; want 1 question", last, sum)
	}
	if sum, _ := s.Summary(ctx, start.Format(time.DateOnly)); sum.Questions != 0 {
		t.Errorf("first day, 100 days back, still kept: %+v", sum)
	}
}

func TestUnansweredBounded(t *testing.T) {
	s := New()
	ctx := t.Context()
	for i := range 1000 {
		if err := s.RecordQuestion(ctx, bot.QuestionEvent{Day: "2025-03-05", Question: fmt.Sprint(i)}, "k", bot.Session{}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.days["2025-03-05"].unanswered); n > 2*unansweredKept {
		t.Errorf("%d unanswered questions kept; want at most %d", n, 2*unansweredKept)
	}
	sum, _ := s.Summary(ctx, "2025-03-05")
	if len(sum.Unanswered) != 5 || sum.Unanswered[0] != "999" || sum.Unanswered[4] != "995" {
		t.Errorf("Unanswered = %q; want 999 down to 995", sum.Unanswered)
	}
}

func TestRankingBounded(t *testing.T) {
	s := New()
	ctx := t.Context()
	for i := range 3 * bot.TopQuestionsKept {
		if err := s.RecordQuestion(ctx, bot.QuestionEvent{Day: "2025-03-05", Question: fmt.Sprint(i), Found: true}, "k", bot.Session{}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.days["2025-03-05"].counts); n != bot.TopQuestionsKept {
		t.Errorf("the day's ranking holds %d questions; want %d", n, bot.TopQuestionsKept)
	}
}
