package digest

import (
	"testing"
	"time"
)

func TestDigestLastAtOrBefore(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 9, 30, 15, 0, loc) // a Thursday
	for _, tc := range []struct {
		spec string
		want time.Time
	}{
		{"0 8 * * *", time.Date(2026, 12, 3, 8, 0, 0, 0, loc)},
		{"0 10 * * *", time.Date(2026, 12, 2, 10, 0, 0, 0, loc)},
		{"30 9 * * *", time.Date(2026, 12, 3, 9, 30, 0, 0, loc)},
		{"0 8 * * 1", time.Date(2026, 11, 30, 8, 0, 0, 0, loc)},
		{"0 8 1 1 *", time.Date(2026, 1, 1, 8, 0, 0, 0, loc)},
		{"* * * * * *", time.Date(2026, 12, 3, 9, 30, 15, 0, loc)},
		{"*/10 * * * * *", time.Date(2026, 12, 3, 9, 30, 10, 0, loc)},
		{"@daily", time.Date(2026, 12, 3, 0, 0, 0, 0, loc)},
	} {
		s, err := cronParser.Parse(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		// now given in UTC: the schedule is read in loc all the same.
		if got := lastAtOrBefore(s, now.UTC(), loc); !got.Equal(tc.want) {
			t.Errorf("%s: last run at or before %v = %v, want %v", tc.spec, now, got.In(loc), tc.want)
		}
	}
	never, _ := cronParser.Parse("0 8 30 2 *") // 30 February
	if got := lastAtOrBefore(never, now, loc); !got.IsZero() {
		t.Errorf("30 February: %v, want zero", got)
	}
}
