package digest

import (
	"time"

	"github.com/robfig/cron/v3"
)

// lastAtOrBefore returns the latest time ≤ now the schedule fires, read in
// loc, or the zero time when it fired at no time in the last two years.
// cron only computes forward, so look back a widening span until a firing
// falls in it, then walk forward to the last one not after now.
func lastAtOrBefore(s cron.Schedule, now time.Time, loc *time.Location) time.Time {
	now = now.In(loc)
	for back := time.Minute; back <= 2*366*24*time.Hour; back *= 2 {
		t := s.Next(now.Add(-back))
		if t.IsZero() {
			return time.Time{}
		}
		if t.After(now) {
			continue
		}
		for {
			next := s.Next(t)
			if next.IsZero() || next.After(now) {
				return t
			}
			t = next
		}
	}
	return time.Time{}
}

// sameDay reports whether a and b fall on the same date in loc.
func sameDay(a, b time.Time, loc *time.Location) bool {
	return civilOf(a.In(loc)) == civilOf(b.In(loc))
}
