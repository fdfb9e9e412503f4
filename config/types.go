package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeZone is an IANA time zone name such as "Asia/Shanghai". Validate
// checks that it loads.
type TimeZone string

// Location loads the zone. It panics on a name Validate would reject, so
// call it only on a validated Config (the tz database is embedded, so a
// valid name always loads).
func (z TimeZone) Location() *time.Location {
	loc, err := time.LoadLocation(string(z))
	if err != nil {
		panic(fmt.Sprintf("config: time zone %q used without Validate: %v", string(z), err))
	}
	return loc
}

// Rate is a token bucket written "BURST/PERIOD": up to Burst messages at
// once, and the bucket refills completely in Period, one token every
// Period/Burst. "5/1m" allows 5 at once, then one every 12 s.
type Rate struct {
	Burst  int
	Period time.Duration
}

// Per is how long one token takes to come back.
func (r Rate) Per() time.Duration { return r.Period / time.Duration(r.Burst) }

// String returns the "BURST/PERIOD" form, e.g. "5/1m".
func (r Rate) String() string { return strconv.Itoa(r.Burst) + "/" + formatDuration(r.Period) }

// ParseRate reads "BURST/PERIOD" such as "5/1m", "20/1m" or "1/10s". A bare
// unit counts as one of it: "30/m" is "30/1m".
func ParseRate(s string) (Rate, error) {
	burstText, periodText, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rate{}, fmt.Errorf("invalid rate %q (want BURST/PERIOD such as \"5/1m\")", s)
	}
	burst, err := strconv.Atoi(strings.TrimSpace(burstText))
	if err != nil || burst < 1 {
		return Rate{}, fmt.Errorf("invalid rate %q: burst must be a whole number ≥ 1", s)
	}
	periodText = strings.TrimSpace(periodText)
	if periodText != "" && (periodText[0] < '0' || periodText[0] > '9') {
		periodText = "1" + periodText
	}
	period, err := time.ParseDuration(periodText)
	if err != nil || period <= 0 {
		return Rate{}, fmt.Errorf("invalid rate %q: period must be a positive duration such as 1m", s)
	}
	if period < time.Duration(burst) {
		return Rate{}, fmt.Errorf("invalid rate %q: period too short for the burst", s)
	}
	return Rate{Burst: burst, Period: period}, nil
}

// MarshalText writes the "BURST/PERIOD" form.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads the "BURST/PERIOD" form.
func (r *Rate) UnmarshalText(b []byte) error {
	parsed, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = parsed
	return nil
}

func (r Rate) validate() error {
	if r.Burst < 1 || r.Period <= 0 || r.Per() <= 0 {
		return fmt.Errorf("invalid rate %q: want a burst ≥ 1 and a positive period", r.String())
	}
	return nil
}

// formatDuration drops the zero tails time.Duration.String adds, so one
// minute reads "1m" rather than "1m0s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
