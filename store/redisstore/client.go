package redisstore

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// defaultMaster is the Sentinel master name when the URL names none (the
// name in Redis's own sentinel.conf example).
const defaultMaster = "mymaster"

// newClient is the go-redis client a URL describes (see Open): a Client for
// one server, a ClusterClient for several addresses, a FailoverClient for
// redis+sentinel://. go-redis's own URL parsers read the query, so every
// option they know can be set there.
func newClient(rawURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	scheme, sentinel := strings.CutSuffix(u.Scheme, "+sentinel")
	if scheme != "redis" && scheme != "rediss" {
		return nil, fmt.Errorf("scheme %q: want redis://, rediss://, redis+sentinel:// or rediss+sentinel://", u.Scheme)
	}
	addrs := strings.Split(u.Host, ",")
	for _, a := range addrs {
		if a == "" {
			return nil, errors.New("an empty address in the list of hosts")
		}
	}
	if sentinel {
		return newFailoverClient(u, scheme, addrs, q)
	}
	if len(addrs) == 1 {
		o, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, err
		}
		failFast(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled)
		// Plain Redis has no maintenance notifications; probing for them on
		// every new connection only adds a round trip and a log line.
		o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
		return redis.NewClient(o), nil
	}
	// A Cluster: the first address stays the URL's host, the others go to
	// addr= parameters, as redis.ParseClusterURL wants.
	if db := strings.Trim(u.Path, "/"); db != "" && db != "0" {
		return nil, fmt.Errorf("database %q: a Redis Cluster has only database 0", db)
	}
	c := *u
	c.Host, c.Path = addrs[0], ""
	cq := url.Values{}
	for k, v := range q {
		cq[k] = v
	}
	for _, a := range addrs[1:] {
		cq.Add("addr", a)
	}
	c.RawQuery = cq.Encode()
	o, err := redis.ParseClusterURL(c.String())
	if err != nil {
		return nil, err
	}
	failFast(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled)
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClusterClient(o), nil
}

// newFailoverClient is the client of a redis+sentinel:// URL, whose path is
// /master/db and whose user and password are the Redis servers' (the
// sentinels' come from sentinel_username and sentinel_password).
func newFailoverClient(u *url.URL, scheme string, addrs []string, q url.Values) (redis.UniversalClient, error) {
	master, db := defaultMaster, ""
	switch parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' }); len(parts) {
	case 0:
	case 1:
		master = parts[0]
	case 2:
		master, db = parts[0], parts[1]
	default:
		return nil, fmt.Errorf("path %q: want /master or /master/db", u.Path)
	}
	if db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return nil, fmt.Errorf("invalid database number %q", db)
		}
	}
	sentinelUser, sentinelPassword := q.Get("sentinel_username"), q.Get("sentinel_password")
	fq := url.Values{}
	for k, v := range q {
		if k != "sentinel_username" && k != "sentinel_password" {
			fq[k] = v
		}
	}
	fq.Set("master_name", master)
	for _, a := range addrs[1:] {
		fq.Add("addr", a)
	}
	f := url.URL{Scheme: scheme, Host: addrs[0], Path: "/" + db, RawQuery: fq.Encode()}
	o, err := redis.ParseFailoverURL(f.String())
	if err != nil {
		return nil, err
	}
	o.SentinelUsername, o.SentinelPassword = sentinelUser, sentinelPassword
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	failFast(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled)
	return redis.NewFailoverClient(o), nil
}

// isSentinelURL reports whether rawURL names a Sentinel-watched master.
func isSentinelURL(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && strings.HasSuffix(u.Scheme, "+sentinel")
}

// failFast shortens go-redis's defaults (5 s timeouts, 3 retries, 5 dial
// attempts) where the URL's query did not set them.
func failFast(q url.Values, dial, read, write *time.Duration, retries, dialerRetries *int, contextTimeout *bool) {
	if !q.Has("dial_timeout") {
		*dial = 500 * time.Millisecond
	}
	if !q.Has("read_timeout") {
		*read = 500 * time.Millisecond
	}
	if !q.Has("write_timeout") {
		*write = 500 * time.Millisecond
	}
	if !q.Has("max_retries") {
		*retries = 1
	}
	if !q.Has("dialer_retries") {
		*dialerRetries = 1
	}
	*contextTimeout = true
}
