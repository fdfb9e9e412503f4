package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/redis/go-redis/v9"
)

// ErrNoLogin is what LoginStorage.Read returns when no login session is
// stored for the account. It wraps fs.ErrNotExist so that a caller can tell
// "nothing stored, scan the QR code" from "Redis failed" without importing
// this package.
var ErrNoLogin = fmt.Errorf("no stored WeChat login session: %w", fs.ErrNotExist)

// LoginStorage keeps one WeChat account's login session (openwechat's
// hot-login JSON) in the Redis key <prefix>login:<account>, with no expiry:
// WeChat itself decides when the session is no longer good, and the bot
// then falls back to the QR scan and overwrites the key.
//
// It is the io.ReadWriter openwechat's HotLogin wants:
//   - Read streams the value of the key. The first Read after construction,
//     after a Write, or after a Read that returned io.EOF fetches the key
//     again, so every login attempt reads the newest session.
//   - Write replaces the whole value with the bytes written (openwechat
//     writes the whole session in one Write, after login and after every
//     message sync).
//
// All Redis calls use the context given to Store.LoginStorage.
type LoginStorage struct {
	s   *Store
	ctx context.Context
	key string

	mu     sync.Mutex
	reader *bytes.Reader // nil: the next Read fetches the key
}

// LoginStorage returns the login storage of account (a stable name of the bot
// account such as "default"). ctx bounds every GET and SET it makes, so
// pass a context that lives as long as the bot.
func (s *Store) LoginStorage(ctx context.Context, account string) *LoginStorage {
	return &LoginStorage{s: s, ctx: ctx, key: s.key("login", account)}
}

// Key is the Redis key holding the session.
func (l *LoginStorage) Key() string { return l.key }

// Read reads the stored session. It returns ErrNoLogin when there is none.
func (l *LoginStorage) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reader == nil {
		data, err := l.s.client.Get(l.ctx, l.key).Bytes()
		if errors.Is(err, redis.Nil) {
			_ = l.s.observe(nil)
			return 0, ErrNoLogin
		}
		if err := l.s.observe(err); err != nil {
			return 0, fmt.Errorf("redisstore: read login session %s: %w", l.key, err)
		}
		l.reader = bytes.NewReader(data)
	}
	n, err := l.reader.Read(p)
	if err == io.EOF {
		l.reader = nil
	}
	return n, err
}

// Write stores p as the whole session, replacing the previous one.
func (l *LoginStorage) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reader = nil
	if err := l.s.observe(l.s.client.Set(l.ctx, l.key, p, 0).Err()); err != nil {
		return 0, fmt.Errorf("redisstore: write login session %s: %w", l.key, err)
	}
	return len(p), nil
}

// Delete forgets the stored session, so the next login needs a QR scan.
func (l *LoginStorage) Delete(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reader = nil
	if err := l.s.observe(l.s.client.Del(ctx, l.key).Err()); err != nil {
		return fmt.Errorf("redisstore: delete login session %s: %w", l.key, err)
	}
	return nil
}
