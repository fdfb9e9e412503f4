package digest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/internal/redistest"
)

// The digest on Sentinel and on Redis Cluster: two processes push each day
// once, and a failover between runs (SENTINEL FAILOVER, a killed master)
// makes nobody send a target again. The tests do not wait for replication
// themselves: the store waits for a replica after each record (WAIT 1).

// pushDayThroughFailover pushes day d from every service at once, fails
// Redis over, then reruns every service (retrying while the clients find
// the new master) and wants every target sent, once.
func pushDayThroughFailover(t *testing.T, f *fixture, services []*digest.Service, d int, failover func()) {
	t.Helper()
	ctx := context.Background()
	now := at(d, 8, 0)
	f.clock.Set(now)
	errs := make(chan error, len(services))
	for _, s := range services {
		go func() { errs <- s.RunDue(ctx, now) }()
	}
	for range services {
		if err := <-errs; err != nil && !errors.Is(err, digest.ErrBusy) {
			t.Fatalf("day %d: %v", d, err)
		}
	}
	failover()
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range services {
		for {
			err := s.RunDue(ctx, now.Add(time.Minute))
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("day %d: rerun still failing 30 s after the failover: %v", d, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	wantStates(t, status(t, services[0], now), map[string]digest.State{
		"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
}

func TestRedisSentinelDigestOnceThroughFailover(t *testing.T) {
	set := redistest.StartSentinel(t)
	f := newFixture(t)
	f.redis = set.URL()
	services := []*digest.Service{f.service(f.sender()), f.service(f.sender())}
	pushDayThroughFailover(t, f, services, 1, func() { set.Failover(t) })
	// A day later the old master is a replica again.
	set.WaitReplica(t)
	var killed *redistest.Server
	pushDayThroughFailover(t, f, services, 2, func() {
		killed = set.Master(t)
		set.KillMaster(t)
	})
	killed.Restart(t) // back empty; the sentinels make it a replica
	set.WaitReplica(t)
	pushDayThroughFailover(t, f, services, 3, func() {})
	wantCounts(t, f, 3, 3, 3)
}

func TestRedisClusterDigestOnceThroughFailover(t *testing.T) {
	c := redistest.StartCluster(t, 3, true)
	f := newFixture(t)
	f.redis = c.URL()
	services := []*digest.Service{f.service(f.sender()), f.service(f.sender())}
	// Kill the master holding day 1's lock and status (tag {2026-12-01}).
	pushDayThroughFailover(t, f, services, 1, func() {
		c.MasterOf(t, "{2026-12-01}").Stop()
		c.WaitHealthy(t, 30*time.Second)
	})
	pushDayThroughFailover(t, f, services, 2, func() {})
	wantCounts(t, f, 2, 2, 2)
}
