// Package outage tells when a dependency goes down and when it is back, once
// each: a dependency that flaps while it comes back (a Redis client whose
// dial circuit breaker still refuses some commands while others pass) must
// not flood the log with down/up pairs.
package outage

import (
	"sync"
	"time"
)

// Quiet is how long a dependency must go without a failure before it counts
// as back.
const Quiet = 2 * time.Second

// Tracker follows one dependency. Down is called when the first failure
// arrives; Up when a success arrives at least Quiet after the last failure.
type Tracker struct {
	Down func(err error)
	Up   func()
	// Now defaults to time.Now; the quiet period is about wall time, not
	// the bot's business clock.
	Now func() time.Time

	mu       sync.Mutex
	down     bool
	lastFail time.Time
}

// Observe records the result of one call.
func (t *Tracker) Observe(err error) {
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	t.mu.Lock()
	var fire func()
	switch {
	case err != nil:
		t.lastFail = now()
		if !t.down {
			t.down = true
			if t.Down != nil {
				fire = func() { t.Down(err) }
			}
		}
	case t.down && now().Sub(t.lastFail) >= Quiet:
		t.down = false
		fire = t.Up
	}
	t.mu.Unlock()
	if fire != nil {
		fire()
	}
}

// IsDown reports whether the dependency is in an outage.
func (t *Tracker) IsDown() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.down
}
