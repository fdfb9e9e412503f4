package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkFor returns the validation the check tag names. Every value also
// gets the check its kind implies (a rate must be a usable bucket).
func checkFor(name string, k kind) func(any) error {
	base := func(any) error { return nil }
	if k == kindRate {
		base = func(v any) error { return v.(Rate).validate() }
	}
	var check func(any) error
	switch {
	case name == "":
		return base
	case name == "nonempty":
		check = func(v any) error {
			if strings.TrimSpace(asString(v)) == "" {
				return errors.New("must not be empty")
			}
			return nil
		}
	case name == "positive":
		check = func(v any) error {
			if n := asInt64(v); n <= 0 {
				return fmt.Errorf("must be greater than zero (got %s)", show(v))
			}
			return nil
		}
	case name == "nonnegative":
		check = func(v any) error {
			if n := asInt64(v); n < 0 {
				return fmt.Errorf("must not be negative (got %s)", show(v))
			}
			return nil
		}
	case name == "timezone":
		check = func(v any) error { return checkTimeZone(asString(v)) }
	case name == "redis_url":
		check = func(v any) error { return checkRedisURL(asString(v)) }
	case name == "http_url" && k == kindMap:
		check = func(v any) error {
			for name, u := range v.(map[string]string) {
				if err := checkHTTPURL(u); err != nil {
					return entryError{name, err}
				}
			}
			return nil
		}
	case name == "http_url":
		check = func(v any) error { return checkHTTPURL(asString(v)) }
	case name == "ws_url":
		check = func(v any) error { return checkWSURL(asString(v)) }
	case name == "addr":
		check = func(v any) error { return checkAddr(asString(v)) }
	case name == "cron":
		check = func(v any) error { return checkCron(asString(v)) }
	case name == "date":
		check = func(v any) error { return checkDate(asString(v)) }
	case strings.HasPrefix(name, "oneof="):
		allowed := strings.Fields(strings.TrimPrefix(name, "oneof="))
		check = func(v any) error {
			s := asString(v)
			for _, a := range allowed {
				if s == a {
					return nil
				}
			}
			return fmt.Errorf("invalid value %q (want %s)", s, strings.Join(allowed, " or "))
		}
	default:
		panic("config: unknown check " + name)
	}
	return func(v any) error {
		if err := base(v); err != nil {
			return err
		}
		return check(v)
	}
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case TimeZone:
		return string(x)
	}
	panic(fmt.Sprintf("config: check wants a string, got %T", v))
}

func asInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case time.Duration:
		return int64(x)
	}
	panic(fmt.Sprintf("config: check wants a number, got %T", v))
}

func show(v any) string {
	if d, ok := v.(time.Duration); ok {
		return formatDuration(d)
	}
	return fmt.Sprint(v)
}

func checkTimeZone(name string) error {
	if name == "" {
		return errors.New("must not be empty (an IANA zone such as Asia/Shanghai)")
	}
	// time.LoadLocation takes "" and "Local" to mean the machine's zone,
	// which would make the bot's days depend on where it runs.
	if name == "Local" {
		return errors.New(`"Local" is not allowed; name the zone, e.g. Asia/Shanghai`)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("unknown time zone %q", name)
	}
	return nil
}

// checkRedisURL accepts the forms redisstore.Open reads: one server
// (redis://host:port/db), a Cluster (several comma-separated host:port,
// database 0 only) and Sentinel (redis+sentinel://host:port,.../master/db).
func checkRedisURL(s string) error {
	if s == "" {
		return nil // in-memory state
	}
	scheme, _, _ := strings.Cut(s, "://")
	scheme, sentinel := strings.CutSuffix(scheme, "+sentinel")
	if scheme != "redis" && scheme != "rediss" {
		return fmt.Errorf("must start with redis:// or rediss:// (or redis+sentinel:// for Sentinel) (got %q)", redact(s))
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || slices.Contains(strings.Split(u.Host, ","), "") {
		return fmt.Errorf("invalid URL %q (want redis://host:port/db, redis://host:port,host:port,... for a Cluster or redis+sentinel://host:port,.../master/db)", redact(s))
	}
	path := strings.Trim(u.Path, "/")
	db := path
	switch {
	case sentinel:
		master, rest, _ := strings.Cut(path, "/")
		if strings.Contains(rest, "/") || (master == "" && rest != "") {
			return fmt.Errorf("invalid Sentinel path %q in %q (want /master or /master/db)", u.Path, redact(s))
		}
		db = rest
	case strings.Contains(u.Host, ",") && path != "" && path != "0":
		return fmt.Errorf("database %q in %q: a Redis Cluster has only database 0", path, redact(s))
	}
	if db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return fmt.Errorf("invalid database number %q in %q", db, redact(s))
		}
	}
	return nil
}

func checkHTTPURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("must be an https:// or http:// URL (got %q)", redact(s))
	}
	return nil
}

func checkAddr(s string) error {
	if s == "" {
		return nil // disabled
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("invalid address %q (want host:port such as 127.0.0.1:8080)", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid port in %q", s)
	}
	return nil
}

// cronDescriptors are the spec shorthands the digest's scheduler
// (gocron, on robfig/cron) accepts.
var cronDescriptors = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

// checkCron checks the shape of a cron spec only: five fields of cron
// characters, or a descriptor. The digest's scheduler parses it for real at
// start and reports a finer error.
func checkCron(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New(`must not be empty (a cron spec such as "0 8 * * *")`)
	}
	if strings.HasPrefix(s, "@") {
		for _, d := range cronDescriptors {
			if s == d {
				return nil
			}
		}
		if every, ok := strings.CutPrefix(s, "@every "); ok {
			if d, err := time.ParseDuration(strings.TrimSpace(every)); err == nil && d > 0 {
				return nil
			}
		}
		return fmt.Errorf("invalid cron spec %q", s)
	}
	parts := strings.Fields(s)
	if len(parts) != 5 {
		return fmt.Errorf("invalid cron spec %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", s, len(parts))
	}
	for _, p := range parts {
		for _, r := range p {
			ok := r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || strings.ContainsRune("*,-/?", r)
			if !ok {
				return fmt.Errorf("invalid cron spec %q: unexpected %q", s, r)
			}
		}
	}
	return nil
}

func checkDate(s string) error {
	if s == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Errorf("invalid date %q (want YYYY-MM-DD)", s)
	}
	return nil
}

// redact hides what may be a secret in a URL an error message repeats: the
// password of a Redis URL, the key of a webhook URL.
func redact(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		scheme := ""
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			scheme = s[:j+3]
		}
		s = scheme + "***@" + s[i+1:]
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "?***"
	}
	return s
}
