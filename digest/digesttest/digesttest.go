// Package digesttest checks that a digest.StateStore keeps the rules the
// digest's exactly-once delivery rests on. The memory store and the Redis
// store both run it.
package digesttest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reportbot/reportbot/digest"
)

// Run runs the conformance tests; newStore returns an empty store.
func Run(t *testing.T, newStore func(t *testing.T) digest.StateStore) {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	sending := func(token string) digest.Record {
		return digest.Record{State: digest.StateSending, At: at, Token: token}
	}

	t.Run("LockIsExclusiveAndReleasedOnlyByItsToken", func(t *testing.T) {
		s := newStore(t)
		mustLock(t, s, "2026-12-01", "a", true)
		mustLock(t, s, "2026-12-01", "b", false)
		mustLock(t, s, "2026-12-02", "b", true) // days are independent
		if err := s.Unlock(ctx, "2026-12-01", "b"); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.LockHolder(ctx, "2026-12-01"); h != "a" {
			t.Fatalf("after Unlock with the wrong token the holder is %q, want a", h)
		}
		if err := s.Unlock(ctx, "2026-12-01", "a"); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.LockHolder(ctx, "2026-12-01"); h != "" {
			t.Fatalf("after Unlock the holder is %q, want none", h)
		}
		mustLock(t, s, "2026-12-01", "b", true)
	})

	t.Run("LockExpires", func(t *testing.T) {
		s := newStore(t)
		if ok, err := s.TryLock(ctx, "d", "a", 50*time.Millisecond); err != nil || !ok {
			t.Fatalf("TryLock = %v, %v", ok, err)
		}
		waitFor(t, func() bool {
			ok, err := s.TryLock(ctx, "d", "b", time.Minute)
			return err == nil && ok
		})
		if _, _, err := s.Claim(ctx, "d", "wechat:A", "a", time.Minute, sending("a"), false); !errors.Is(err, digest.ErrLockLost) {
			t.Fatalf("Claim with an expired lock: err = %v, want ErrLockLost", err)
		}
	})

	t.Run("ClaimNeedsTheLock", func(t *testing.T) {
		s := newStore(t)
		if _, _, err := s.Claim(ctx, "d", "wechat:A", "a", time.Minute, sending("a"), false); !errors.Is(err, digest.ErrLockLost) {
			t.Fatalf("Claim without the lock: err = %v, want ErrLockLost", err)
		}
		recs, err := s.Records(ctx, "d")
		if err != nil || len(recs) != 0 {
			t.Fatalf("Claim without the lock wrote %v (err %v)", recs, err)
		}
	})

	t.Run("ClaimFinishAndNeverTwice", func(t *testing.T) {
		s := newStore(t)
		mustLock(t, s, "d", "a", true)
		mustClaim(t, s, "d", "wechat:A", "a", false, true)
		// A second claim by the same push, or while sending: refused.
		mustClaim(t, s, "d", "wechat:A", "a", true, false)
		sent := digest.Record{State: digest.StateSent, At: at.Add(time.Second), Token: "a"}
		if ok, err := s.Finish(ctx, "d", "wechat:A", "b", sent); err != nil || ok {
			t.Fatalf("Finish by another token = %v, %v; want false", ok, err)
		}
		if ok, err := s.Finish(ctx, "d", "wechat:A", "a", sent); err != nil || !ok {
			t.Fatalf("Finish = %v, %v; want true", ok, err)
		}
		recs, err := s.Records(ctx, "d")
		if err != nil {
			t.Fatal(err)
		}
		if got := recs["wechat:A"]; got.State != digest.StateSent || !got.At.Equal(sent.At) || got.Token != "a" {
			t.Fatalf("record = %+v, want %+v", got, sent)
		}
		// Sent is final, even for a named take-over by a later push.
		must(t, s.Unlock(ctx, "d", "a"))
		mustLock(t, s, "d", "b", true)
		_, cur := mustClaim(t, s, "d", "wechat:A", "b", true, false)
		if cur.State != digest.StateSent {
			t.Fatalf("refused claim returned %+v, want the sent record", cur)
		}
		if ok, _ := s.Finish(ctx, "d", "wechat:A", "a", digest.Record{State: digest.StateFailed}); ok {
			t.Fatal("Finish rewrote a sent record")
		}
	})

	t.Run("InterruptedSendIsTakenOverOnlyByName", func(t *testing.T) {
		s := newStore(t)
		mustLock(t, s, "d", "a", true)
		mustClaim(t, s, "d", "wechat:A", "a", false, true)
		must(t, s.Unlock(ctx, "d", "a")) // push "a" died while sending
		mustLock(t, s, "d", "b", true)
		mustClaim(t, s, "d", "wechat:A", "b", false, false)
		_, prev := mustClaim(t, s, "d", "wechat:A", "b", true, true)
		if prev.State != digest.StateSending || prev.Token != "a" {
			t.Fatalf("take-over returned previous record %+v, want a's sending marker", prev)
		}
		// The dead push's late Finish no longer applies.
		if ok, _ := s.Finish(ctx, "d", "wechat:A", "a", digest.Record{State: digest.StateSent}); ok {
			t.Fatal("Finish by the old token applied after a take-over")
		}
		unknown := digest.Record{State: digest.StateUnknown, At: at, Reason: "reply lost", Token: "b"}
		if ok, err := s.Finish(ctx, "d", "wechat:A", "b", unknown); err != nil || !ok {
			t.Fatalf("Finish unknown = %v, %v", ok, err)
		}
		mustClaim(t, s, "d", "wechat:A", "b", false, false)
	})

	t.Run("FailedMissedSkippedMayBeClaimed", func(t *testing.T) {
		s := newStore(t)
		for _, st := range []digest.State{digest.StateMissed, digest.StateSkipped} {
			target := "wecom:" + string(st)
			if ok, err := s.RecordIfAbsent(ctx, "d", target, digest.Record{State: st, At: at, Reason: "r"}); err != nil || !ok {
				t.Fatalf("RecordIfAbsent %s = %v, %v", st, ok, err)
			}
			if ok, _ := s.RecordIfAbsent(ctx, "d", target, digest.Record{State: digest.StateMissed}); ok {
				t.Fatalf("RecordIfAbsent wrote over %s", st)
			}
		}
		mustLock(t, s, "d", "a", true)
		mustClaim(t, s, "d", "wechat:F", "a", false, true)
		if ok, err := s.Finish(ctx, "d", "wechat:F", "a", digest.Record{State: digest.StateFailed, Reason: "down", Token: "a"}); err != nil || !ok {
			t.Fatalf("Finish failed = %v, %v", ok, err)
		}
		for _, target := range []string{"wechat:F", "wecom:missed", "wecom:skipped"} {
			mustClaim(t, s, "d", target, "a", false, true)
		}
		recs, _ := s.Records(ctx, "d")
		if len(recs) != 3 {
			t.Fatalf("records = %v, want 3", recs)
		}
	})

	t.Run("ConcurrentClaimsGiveOneWinner", func(t *testing.T) {
		s := newStore(t)
		mustLock(t, s, "d", "a", true)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := s.Claim(ctx, "d", "wechat:A", "a", time.Minute, sending("a"), false)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d claims won, want 1", wins)
		}
	})

	t.Run("Subscriptions", func(t *testing.T) {
		s := newStore(t)
		for _, g := range []string{"群 B", "群:A", "群 B"} {
			if _, err := s.Subscribe(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Subscriptions(ctx)
		if err != nil || !slices.Equal(got, []string{"群 B", "群:A"}) {
			t.Fatalf("Subscriptions = %q, %v", got, err)
		}
		if ok, _ := s.Unsubscribe(ctx, "群 B"); !ok {
			t.Fatal("Unsubscribe of a subscribed group reported false")
		}
		if ok, _ := s.Unsubscribe(ctx, "群 B"); ok {
			t.Fatal("second Unsubscribe reported true")
		}
		if ok, _ := s.Subscribe(ctx, "群:A"); ok {
			t.Fatal("Subscribe of a subscribed group reported true")
		}
		got, _ = s.Subscriptions(ctx)
		if !slices.Equal(got, []string{"群:A"}) {
			t.Fatalf("Subscriptions = %q", got)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustLock(t *testing.T, s digest.StateStore, day, token string, want bool) {
	t.Helper()
	ok, err := s.TryLock(context.Background(), day, token, time.Minute)
	if err != nil || ok != want {
		t.Fatalf("TryLock(%s, %s) = %v, %v; want %v", day, token, ok, err, want)
	}
}

func mustClaim(t *testing.T, s digest.StateStore, day, target, token string, takeOver, want bool) (bool, digest.Record) {
	t.Helper()
	rec := digest.Record{State: digest.StateSending, At: time.Now(), Token: token}
	ok, cur, err := s.Claim(context.Background(), day, target, token, time.Minute, rec, takeOver)
	if err != nil || ok != want {
		t.Fatalf("Claim(%s, %s, %s, takeOver=%v) = %v, %+v, %v; want %v", day, target, token, takeOver, ok, cur, err, want)
	}
	return ok, cur
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(fmt.Errorf("condition not reached within 5s"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
