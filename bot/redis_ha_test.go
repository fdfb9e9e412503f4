package bot_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/store/redisstore"
)

// The bot on Redis Cluster and on Sentinel: several bot processes (each its
// own client) answer each message once and keep sessions, and keep doing so
// through a failover. The digest's side is in package digest.

// haBots opens n bot processes on the Redis at url.
func haBots(t *testing.T, url string, n int) ([]*bot.Bot, []*redisstore.Store) {
	t.Helper()
	var (
		bots   []*bot.Bot
		stores []*redisstore.Store
	)
	for range n {
		s, err := redisstore.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
		bots = append(bots, newBot(t, s, bot.Options{Admins: []string{"管理员"}}))
	}
	return bots, stores
}

// answeredBy hands m to every bot at once and returns how many answered.
func answeredBy(bots []*bot.Bot, m bot.Message) int {
	var n atomic.Int32
	var wg sync.WaitGroup
	for _, b := range bots {
		wg.Go(func() {
			if len(b.Handle(context.Background(), m)) > 0 {
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return int(n.Load())
}

// chatsAcrossSlots asks manyHits in 12 groups (their keys spread over the
// cluster's slots), each message handed to every bot, and returns the
// messages.
func chatsAcrossSlots(t *testing.T, bots []*bot.Bot) []bot.Message {
	t.Helper()
	var asked []bot.Message
	for i := range 12 {
		m := mention(fmt.Sprintf("群%02d", i), "张三", manyHits)
		if n := answeredBy(bots, m); n != 1 {
			t.Errorf("%s: %d of %d bots answered; want exactly 1", m.Chat, n, len(bots))
		}
		asked = append(asked, m)
	}
	return asked
}

// sessionsAndDedupeKept checks, on other processes than the ones asked,
// that each asked message delivered again is not answered and that 更多
// continues its session.
func sessionsAndDedupeKept(t *testing.T, bots []*bot.Bot, asked []bot.Message, when string) {
	t.Helper()
	for i, m := range asked {
		if n := answeredBy(bots, m); n != 0 {
			t.Errorf("%s: message %s to %s delivered again: answered %d times; want 0", when, m.ID, m.Chat, n)
		}
		more := one(t, bots[(i+1)%len(bots)], mention(m.Chat, m.Sender, "更多"))
		mustContain(t, when+": 更多 in "+m.Chat, more, "第2条")
	}
}

// waitWritable waits until every store accepts a write again (after a
// failover the clients find the new master by themselves).
func waitWritable(t *testing.T, stores []*redisstore.Store) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for i, s := range stores {
		for {
			r := bot.AdmitRequest{Scope: "probe", MsgID: nextID(), DedupeTTL: time.Minute}
			_, err := s.Admit(t.Context(), r)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("store %d still failing 30 s after the failover: %v", i, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func TestRedisClusterAnswersOnceAndKeepsSessions(t *testing.T) {
	c := redistest.StartCluster(t, 3, false)
	bots, _ := haBots(t, c.URL(), 3)
	exactlyOneAnswers(t, bots, 10)
	asked := chatsAcrossSlots(t, bots)
	sessionsAndDedupeKept(t, bots, asked, "cluster")
	used := 0
	for _, n := range c.DBSize(t) {
		if n > 0 {
			used++
		}
	}
	if used < 2 {
		t.Errorf("keys per master %v: the state is not spread over the cluster", c.DBSize(t))
	}
	stats := one(t, bots[2], private("管理员", "统计"))
	mustContain(t, "统计 on the cluster", stats, "提问", manyHits)
}

func TestRedisClusterMasterKilled(t *testing.T) {
	c := redistest.StartCluster(t, 3, true)
	bots, stores := haBots(t, c.URL(), 2)
	asked := chatsAcrossSlots(t, bots)
	c.Sync(t)
	c.Masters[0].Stop()
	c.WaitHealthy(t, 30*time.Second)
	waitWritable(t, stores)
	sessionsAndDedupeKept(t, bots, asked, "after a master was killed")
	exactlyOneAnswers(t, bots, 5)
}

func TestRedisSentinelFailover(t *testing.T) {
	set := redistest.StartSentinel(t)
	bots, stores := haBots(t, set.URL(), 2)
	exactlyOneAnswers(t, bots, 5)
	asked := chatsAcrossSlots(t, bots)

	// SENTINEL FAILOVER: the replica becomes master.
	set.Sync(t)
	set.Failover(t)
	waitWritable(t, stores)
	sessionsAndDedupeKept(t, bots, asked, "after SENTINEL FAILOVER")
	exactlyOneAnswers(t, bots, 5)

	// Killing the master: the sentinels promote the old one back.
	asked = chatsAcrossSlots(t, bots)
	set.Sync(t)
	set.KillMaster(t)
	waitWritable(t, stores)
	sessionsAndDedupeKept(t, bots, asked, "after the master was killed")
	exactlyOneAnswers(t, bots, 5)
}
