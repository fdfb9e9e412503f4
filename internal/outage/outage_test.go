package outage

import (
	"errors"
	"testing"
	"time"
)

func TestFlappingIsOneOutage(t *testing.T) {
	now := time.Unix(0, 0)
	var downs, ups int
	tr := &Tracker{Down: func(error) { downs++ }, Up: func() { ups++ }, Now: func() time.Time { return now }}
	boom := errors.New("connection refused")

	tr.Observe(nil)
	if downs != 0 || ups != 0 || tr.IsDown() {
		t.Fatalf("healthy start: downs %d ups %d", downs, ups)
	}
	// Failures and successes interleave while the dependency comes back.
	for i := 0; i < 10; i++ {
		tr.Observe(boom)
		now = now.Add(100 * time.Millisecond)
		tr.Observe(nil)
	}
	if downs != 1 || ups != 0 || !tr.IsDown() {
		t.Fatalf("while flapping: downs %d ups %d down %v, want 1 0 true", downs, ups, tr.IsDown())
	}
	now = now.Add(Quiet)
	tr.Observe(nil)
	tr.Observe(nil)
	if ups != 1 || tr.IsDown() {
		t.Fatalf("after a quiet period: ups %d down %v, want 1 false", ups, tr.IsDown())
	}
	tr.Observe(boom)
	if downs != 2 {
		t.Fatalf("a new outage: downs %d, want 2", downs)
	}
}
