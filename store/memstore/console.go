package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/reportbot/reportbot/bot"
)

// consoleSessions are the web console's sign-in sessions, kept apart from
// the chat sessions.
type consoleSessions = expiring[[]byte]

// PutConsoleSession stores a console session for ttl.
func (s *Store) PutConsoleSession(_ context.Context, id string, data []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.console.entries == nil {
		s.console = newExpiring[[]byte]()
	}
	s.console.put(id, slices.Clone(data), s.now(), ttl)
	return nil
}

// GetConsoleSession returns a live console session; ok=false when there is none.
func (s *Store) GetConsoleSession(_ context.Context, id string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.console.get(id, s.now())
	return slices.Clone(data), ok, nil
}

// DeleteConsoleSession ends a console session.
func (s *Store) DeleteConsoleSession(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.console.entries, id)
	return nil
}

// DayQuestions is the whole of a day's statistics, for the console: every
// question asked, most asked first, and the unanswered ones kept, newest
// first.
func (s *Store) DayQuestions(_ context.Context, day string) (bot.StatsSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.days[day]
	if !ok {
		return bot.StatsSummary{}, nil
	}
	sum := d.summary(len(d.counts), len(d.unanswered))
	return sum, nil
}
