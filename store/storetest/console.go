package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/reportbot/reportbot/bot"
)

// ConsoleStore is what the web console keeps in a store (see package
// console's Store): its sessions and a day's full statistics.
type ConsoleStore interface {
	bot.Stats
	PutConsoleSession(ctx context.Context, id string, data []byte, ttl time.Duration) error
	GetConsoleSession(ctx context.Context, id string) ([]byte, bool, error)
	DeleteConsoleSession(ctx context.Context, id string) error
	DayQuestions(ctx context.Context, day string) (bot.StatsSummary, error)
}

// RunConsole runs the console's part of the suite.
func RunConsole(t *testing.T, newStore func(t *testing.T) ConsoleStore) {
	t.Run("ConsoleSessions", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := ctx(t)
		if _, ok, err := s.GetConsoleSession(c, "none"); err != nil || ok {
			t.Fatalf("missing session: ok %v, err %v", ok, err)
		}
		data := []byte(`{"user":"王芳"}`)
		if err := s.PutConsoleSession(c, "a", data, longTTL); err != nil {
			t.Fatal(err)
		}
		data[2] = 'X' // the store keeps its own copy
		if got, ok, err := s.GetConsoleSession(c, "a"); err != nil || !ok || string(got) != `{"user":"王芳"}` {
			t.Fatalf("session a = %q, %v, %v", got, ok, err)
		}
		if err := s.PutConsoleSession(c, "short", []byte("x"), shortTTL); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteConsoleSession(c, "a"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.GetConsoleSession(c, "a"); ok {
			t.Error("session a still there after delete")
		}
		if err := s.DeleteConsoleSession(c, "never"); err != nil {
			t.Errorf("deleting a missing session: %v", err)
		}
		deadline := time.Now().Add(expiryWithin)
		for {
			if _, ok, _ := s.GetConsoleSession(c, "short"); !ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("a session with a %v TTL still there after %v", shortTTL, expiryWithin)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("DayQuestionsListsAll", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := ctx(t)
		day := "2026-12-05"
		for i := range 8 {
			q := fmt.Sprintf("问题%d", i)
			for range i + 1 {
				if err := s.RecordQuestion(c, bot.QuestionEvent{Day: day, Question: q, Found: i%2 == 0}, "", bot.Session{}, time.Minute); err != nil {
					t.Fatal(err)
				}
			}
		}
		sum, err := s.DayQuestions(c, day)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Questions != 36 || sum.Found+sum.NotFound != 36 || len(sum.Top) != 8 {
			t.Fatalf("summary %+v: want 36 questions, 8 distinct", sum)
		}
		if sum.Top[0].Question != "问题7" || sum.Top[0].Count != 8 || sum.Top[7].Question != "问题0" {
			t.Errorf("top not most asked first: %+v", sum.Top)
		}
		if len(sum.Unanswered) != 20 || sum.Unanswered[0] != "问题7" {
			t.Errorf("unanswered: %d, newest %q; want all 20, newest first", len(sum.Unanswered), sum.Unanswered)
		}
		if empty, err := s.DayQuestions(c, "2026-01-01"); err != nil || empty.Questions != 0 || len(empty.Top) != 0 {
			t.Errorf("empty day: %+v, %v", empty, err)
		}
	})
}
