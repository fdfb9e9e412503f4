package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/internal/redistest"
)

func newLoginTestStore(t *testing.T) (*Store, *redistest.Server, *redis.Client) {
	t.Helper()
	srv := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	return New(client, WithPrefix("test:")), srv, client
}

func TestLoginStorageMissingKeyIsErrNoLogin(t *testing.T) {
	s, _, _ := newLoginTestStore(t)
	ls := s.LoginStorage(context.Background(), "default")
	_, err := ls.Read(make([]byte, 16))
	if !errors.Is(err, ErrNoLogin) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Read of a missing session: err = %v, want ErrNoLogin wrapping fs.ErrNotExist", err)
	}
}

func TestLoginStorageWriteThenReadWholeSession(t *testing.T) {
	s, _, client := newLoginTestStore(t)
	ctx := context.Background()
	ls := s.LoginStorage(ctx, "会计:bot")

	// openwechat encodes its session with a json.Encoder into the storage
	// and decodes it with a json.Decoder: do the same.
	type session struct {
		UUID    string
		SyncKey []int
	}
	in := session{UUID: "abc", SyncKey: []int{1, 2, 3}}
	if err := json.NewEncoder(ls).Encode(in); err != nil {
		t.Fatal(err)
	}
	var out session
	if err := json.NewDecoder(ls).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.UUID != "abc" || len(out.SyncKey) != 3 {
		t.Fatalf("decoded %+v, want %+v", out, in)
	}

	if got := ls.Key(); got != "test:login:会计%3Abot" {
		t.Fatalf("key %q", got)
	}
	ttl, err := client.TTL(ctx, ls.Key()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl != -1 {
		t.Fatalf("TTL %v, want none (-1): the session must not expire in Redis", ttl)
	}
}

func TestLoginStorageEachReadToEOFFetchesTheNewestSession(t *testing.T) {
	s, _, _ := newLoginTestStore(t)
	ctx := context.Background()
	ls := s.LoginStorage(ctx, "default")
	if _, err := ls.Write([]byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	first, err := io.ReadAll(ls)
	if err != nil || string(first) != `{"v":1}` {
		t.Fatalf("first read %q, %v", first, err)
	}
	// Another process (or a later sync) replaces the session.
	other := s.LoginStorage(ctx, "default")
	if _, err := other.Write([]byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	}
	second, err := io.ReadAll(ls)
	if err != nil || string(second) != `{"v":2}` {
		t.Fatalf("second read %q, %v; want the newer session", second, err)
	}

	if err := ls.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ls.Read(make([]byte, 8)); !errors.Is(err, ErrNoLogin) {
		t.Fatalf("after Delete: err = %v, want ErrNoLogin", err)
	}
}

func TestLoginStorageRedisDownIsNotErrNoLogin(t *testing.T) {
	s, srv, _ := newLoginTestStore(t)
	ls := s.LoginStorage(context.Background(), "default")
	srv.Stop()
	_, err := ls.Read(make([]byte, 8))
	if err == nil || errors.Is(err, ErrNoLogin) {
		t.Fatalf("Read with Redis down: err = %v, want a Redis error (not ErrNoLogin)", err)
	}
	if _, err := ls.Write([]byte("x")); err == nil {
		t.Fatal("Write with Redis down succeeded")
	}
}
