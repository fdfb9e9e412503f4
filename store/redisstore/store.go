// Package redisstore keeps the bot's state (bot.Store) in Redis, so several
// bot processes can share sessions, de-duplication, rate limits and
// statistics, and a restart loses nothing.
//
// # Key names
//
// Every key this package (and the other files in it: digest.go, login.go)
// writes is built with Store.key:
//
//	s.key("session", sessionKey) // "reportbot:session:<escaped sessionKey>"
//
// key joins the configured prefix (default "reportbot:") and the parts with
// ":", after escaping "%" as "%25" and ":" as "%3A" inside each part. So a
// part may hold anything (Chinese, emoji, spaces, colons) and two different
// part lists never give the same key: ("a:b", "c") and ("a", "b:c") differ.
// Always pass user-supplied names (chat, sender, group) as separate parts;
// never join them yourself.
//
// Keys that one script touches share a hash tag, so that in a Redis Cluster
// they live in one hash slot (Store.slotKey): an admission's keys carry
// their chat's tag, a day's statistics the day. Every key of the chat state
// has an expiry and every family a bound, so Redis memory stays bounded
// (login.go and digest.go keep a login session and subscriptions on
// purpose):
//
//	<prefix>session:<key>                 string (JSON bot.Session), PX = session TTL
//	<prefix>seen:{<chat tag>}:<msg ID>     string "1", SET NX PX = dedupe TTL
//	<prefix>rate:{<chat tag>}:<bucket>     hash tokens/ts/warned, expires once refilled
//	<prefix>stats:{<day>}:count            hash questions/found/notfound, 35 days
//	<prefix>stats:{<day>}:top              sorted set question -> count, at most bot.TopQuestionsKept, 35 days
//	<prefix>stats:{<day>}:unanswered       list, newest first, trimmed to 50, 35 days
//
// Open reads one server's, a Cluster's and a Sentinel set's URLs (see Open);
// the store holds a go-redis UniversalClient either way.
//
// # When Redis goes away
//
// The client built by Open uses short timeouts (500 ms dial, read and write)
// and one retry, so a dead Redis costs a chat message well under two seconds
// instead of stalling it. Operations then return errors; the store logs the
// outage once (and once more when Redis answers again) rather than per
// operation. go-redis redials on its own: once Redis is back, operations
// succeed again without a restart.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/internal/outage"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "reportbot:"

// Store is a bot.Store held in Redis: one server, a Sentinel-watched master
// or a Cluster, through go-redis's UniversalClient.
type Store struct {
	client     redis.UniversalClient
	prefix     string
	log        *slog.Logger
	ownsClient bool // Close closes the client only when Open made it
	sentinel   bool // the client is a Sentinel-backed failover client
	// health logs an outage once and its end once, even while the client
	// flaps as Redis comes back.
	health *outage.Tracker
}

var _ bot.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the prefix of every key (default "reportbot:"), so several
// bots, or tests, can share one Redis database. It must not contain braces,
// which would make it a Redis Cluster hash tag.
func WithPrefix(prefix string) Option {
	return func(s *Store) { s.prefix = prefix }
}

// WithLogger sets where the store reports Redis going away and coming back.
// The default discards.
func WithLogger(log *slog.Logger) Option {
	return func(s *Store) {
		if log != nil {
			s.log = log
		}
	}
}

// New wraps a client the caller configured and owns: Close leaves it open.
// A Sentinel client made by the caller is treated as one server (the
// digest's records do not wait for a replica); Open knows better.
func New(client redis.UniversalClient, opts ...Option) *Store {
	s := &Store{client: client, prefix: DefaultPrefix, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	s.health = &outage.Tracker{
		Down: func(err error) {
			s.log.Warn("redis unreachable; sessions, de-duplication, rate limits and statistics fail until it returns", "err", err)
		},
		Up: func() { s.log.Info("redis reachable again") },
	}
	return s
}

// Open connects to Redis and checks it answers PING. rawURL is one of
//
//	redis://[user:password@]host:port[/db]              one server
//	redis://[user:password@]host:port,host:port,...     a Redis Cluster (seed nodes; database 0 only)
//	redis+sentinel://[user:password@]host:port,...[/master[/db]]
//	                                                    Sentinel (the sentinels' addresses; master
//	                                                    name, default "mymaster"; the user and
//	                                                    password are the Redis servers')
//
// with rediss:// (and rediss+sentinel://) for TLS. The query may set
// go-redis's options (dial_timeout, read_timeout, write_timeout,
// max_retries, ...; sentinel_username and sentinel_password for sentinels
// that require them). Unless the query says otherwise, the client fails
// fast: 500 ms timeouts and one retry, because a chat message should not
// wait on a dead Redis.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Store, error) {
	shown := RedactURL(rawURL)
	client, err := newClient(rawURL)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("redisstore: parse URL %s: %w", shown, err)
	}
	s := New(client, opts...)
	s.ownsClient = true
	s.sentinel = isSentinelURL(rawURL)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("redisstore: connect to %s: %w", shown, err)
	}
	if err := s.migrateDigestKeys(ctx, time.Now()); err != nil {
		_ = client.Close()
		return nil, err
	}
	return s, nil
}

// RedactURL returns the URL without its passwords, for messages and logs.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable Redis URL)"
	}
	if u.User != nil {
		if name := u.User.Username(); name != "" {
			u.User = url.User(name)
		} else {
			u.User = nil
		}
	}
	if q := u.Query(); q.Has("sentinel_password") || q.Has("password") {
		q.Del("sentinel_password")
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Client is the underlying go-redis client.
func (s *Store) Client() redis.UniversalClient { return s.client }

// Prefix is the prefix of every key the store writes.
func (s *Store) Prefix() string { return s.prefix }

// Close closes the client when Open made it.
func (s *Store) Close() error {
	if !s.ownsClient {
		return nil
	}
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.observe(s.client.Ping(ctx).Err()); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}

// keyEscaper makes a key part free of the ":" separator and of the braces
// of a hash tag; "%" is escaped too so that "a%3Ab" and "a:b" stay
// different.
var keyEscaper = strings.NewReplacer("%", "%25", ":", "%3A", "{", "%7B", "}", "%7D")

// key is the Redis key of the given parts: the prefix, then the parts, each
// escaped, joined with ":". Different part lists never give the same key.
func (s *Store) key(parts ...string) string {
	var b strings.Builder
	b.WriteString(s.prefix)
	s.writeParts(&b, parts)
	return b.String()
}

// slotKey is a key with a hash tag: "<prefix><family>:{<tag>}:<parts>".
// Redis Cluster places a key by its tag alone, so keys that one script or
// transaction touches are given the same tag and land in one hash slot
// (the parts are escaped, so no user-supplied brace makes another tag).
func (s *Store) slotKey(family, tag string, parts ...string) string {
	var b strings.Builder
	b.WriteString(s.prefix)
	keyEscaper.WriteString(&b, family)
	b.WriteString(":{")
	keyEscaper.WriteString(&b, tag)
	b.WriteByte('}')
	if len(parts) > 0 {
		b.WriteByte(':')
		s.writeParts(&b, parts)
	}
	return b.String()
}

func (s *Store) writeParts(b *strings.Builder, parts []string) {
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(':')
		}
		keyEscaper.WriteString(b, p)
	}
}

// observe logs Redis going away (once per outage) and coming back, and
// returns err unchanged. redis.Nil (no such key) is an answer, not a fault.
func (s *Store) observe(err error) error {
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		s.health.Observe(nil)
	case errors.Is(err, context.Canceled):
		// The caller gave up; that says nothing about Redis.
	default:
		s.health.Observe(err)
		var reply redis.Error
		if c, ok := s.client.(*redis.ClusterClient); ok && !errors.As(err, &reply) {
			// A node is unreachable: it may have failed over. go-redis
			// re-reads the slot map by itself only on MOVED, or every
			// minute; ask for it now (in the background, coalesced).
			c.ReloadState(context.Background())
		}
	}
	return err
}

// pxTTL is ttl for a PX argument: Redis counts milliseconds, and a TTL that
// rounds to 0 would be refused.
func pxTTL(ttl time.Duration) time.Duration {
	return max(ttl, time.Millisecond)
}
