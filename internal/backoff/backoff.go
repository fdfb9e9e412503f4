// Package backoff is the pause before a retry that the chat channels share:
// doubling from a base up to a ceiling, optionally jittered, and a sleep
// that ends early with its context.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff doubles from Base up to Max. The zero cur starts at Base.
type Backoff struct {
	Base, Max time.Duration
	cur       time.Duration
}

// Next is the pause before the next try.
func (b *Backoff) Next() time.Duration {
	if b.cur == 0 {
		b.cur = b.Base
	} else {
		b.cur = min(b.cur*2, b.Max)
	}
	return b.cur
}

// Reset starts over at Base (after a success).
func (b *Backoff) Reset() { b.cur = 0 }

// Jitter spreads d over [d/2, d], so that many clients cut off together do
// not come back in step.
func Jitter(d time.Duration) time.Duration {
	if d < 2 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits d or until ctx is done; it reports whether d passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
