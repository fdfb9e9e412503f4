package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// MasterName is the name the Sentinels of StartSentinel monitor.
const MasterName = "mymaster"

// Sentinel is a master and a replica watched by three Sentinels, quorum 2.
type Sentinel struct {
	Servers   []*Server // the master at start, then the replica
	Sentinels []*Server
}

// URL is the redis+sentinel:// URL of the set (the sentinels' addresses
// and the master's name).
func (s *Sentinel) URL() string {
	var addrs []string
	for _, x := range s.Sentinels {
		addrs = append(addrs, x.Addr)
	}
	return "redis+sentinel://" + strings.Join(addrs, ",") + "/" + MasterName
}

// StartSentinel starts a master, its replica and three Sentinels
// (down-after 1 s), and returns once every Sentinel knows the replica and
// the other Sentinels, so a failover can happen. Everything stops when the
// test ends.
func StartSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	s, err := startSentinel(tb)
	if err != nil {
		tb.Fatalf("start a master, a replica and 3 sentinels: %v", err)
	}
	return s
}

func startSentinel(tb testing.TB) (*Sentinel, error) {
	set := &Sentinel{}
	master, err := startNew(tb.TempDir(), "--save", "", "--appendonly", "no")
	if err != nil {
		return nil, fmt.Errorf("master: %w", err)
	}
	tb.Cleanup(master.Stop)
	host, port := splitAddr(master.Addr)
	replica, err := startNew(tb.TempDir(), "--save", "", "--appendonly", "no", "--replicaof", host, fmt.Sprint(port))
	if err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	tb.Cleanup(replica.Stop)
	set.Servers = []*Server{master, replica}
	if err := waitFor(20*time.Second, "the replica in sync", func() error { return replicaInSync(replica.Addr) }); err != nil {
		return nil, err
	}
	for i := range 3 {
		dir := tb.TempDir()
		// Sentinel rewrites its config file, so each has its own.
		conf := filepath.Join(dir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor %s %s %d 2\n"+
			"sentinel down-after-milliseconds %s 1000\n"+
			"sentinel failover-timeout %s 10000\n"+
			"sentinel parallel-syncs %s 1\n", MasterName, host, port, MasterName, MasterName, MasterName)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			return nil, err
		}
		s, err := startNew(dir, conf, "--sentinel")
		if err != nil {
			return nil, fmt.Errorf("sentinel %d: %w", i+1, err)
		}
		tb.Cleanup(s.Stop)
		// Sentinel polls INFO every 10 s and says hello every 2 s; a test
		// need not wait that long to learn of the replica and the others,
		// or to see a resynced replica (SENTINEL DEBUG, Redis 7.0+).
		if err := do(context.Background(), s.Addr, "SENTINEL", "DEBUG", "info-period", 200, "publish-period", 200).Err(); err != nil {
			return nil, fmt.Errorf("sentinel %d: SENTINEL DEBUG: %w", i+1, err)
		}
		set.Sentinels = append(set.Sentinels, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := waitFor(30*time.Second, "every sentinel knows the replica and the other sentinels", func() error {
		for _, s := range set.Sentinels {
			replicas, err := do(ctx, s.Addr, "SENTINEL", "REPLICAS", MasterName).Slice()
			if err != nil {
				return err
			}
			others, err := do(ctx, s.Addr, "SENTINEL", "SENTINELS", MasterName).Slice()
			if err != nil {
				return err
			}
			if len(replicas) != 1 || len(others) != 2 {
				return fmt.Errorf("sentinel %s knows %d replicas and %d other sentinels", s.Addr, len(replicas), len(others))
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return set, nil
}

// Master is the server the Sentinels name as master now.
func (s *Sentinel) Master(tb testing.TB) *Server {
	tb.Helper()
	addr, err := s.masterAddr(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	for _, x := range s.Servers {
		if x.Addr == addr {
			return x
		}
	}
	tb.Fatalf("the sentinels name %s master, which is none of ours", addr)
	return nil
}

func (s *Sentinel) masterAddr(ctx context.Context) (string, error) {
	var last error
	for _, x := range s.Sentinels {
		a, err := do(ctx, x.Addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MasterName).StringSlice()
		if err == nil && len(a) == 2 {
			return a[0] + ":" + a[1], nil
		}
		last = err
	}
	return "", fmt.Errorf("no sentinel names the master: %v", last)
}

// Failover makes the Sentinels promote the replica (SENTINEL FAILOVER) and
// waits until the new master accepts writes and the sentinels name it. It
// returns the new master.
func (s *Sentinel) Failover(tb testing.TB) *Server {
	tb.Helper()
	ctx := tb.Context()
	old := s.Master(tb)
	if err := do(ctx, s.Sentinels[0].Addr, "SENTINEL", "FAILOVER", MasterName).Err(); err != nil {
		tb.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	return s.waitNewMaster(tb, old)
}

// waitNewMaster waits until every sentinel names a master other than old
// and that master says it is one.
func (s *Sentinel) waitNewMaster(tb testing.TB, old *Server) *Server {
	tb.Helper()
	ctx := tb.Context()
	var next string
	err := waitFor(30*time.Second, "a new master", func() error {
		for _, x := range s.Sentinels {
			if !x.Running() {
				continue
			}
			a, err := do(ctx, x.Addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MasterName).StringSlice()
			if err != nil || len(a) != 2 {
				return fmt.Errorf("sentinel %s: %v", x.Addr, err)
			}
			if addr := a[0] + ":" + a[1]; addr == old.Addr {
				return fmt.Errorf("sentinel %s still names %s", x.Addr, addr)
			} else {
				next = addr
			}
		}
		info, err := infoSection(next, "replication")
		if err != nil {
			return err
		}
		if info["role"] != "master" {
			return fmt.Errorf("%s is %s", next, info["role"])
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s.Master(tb)
}

// WaitReplica waits until a running server replicates the master with its
// link up (after a failover the old master is turned into a replica and
// resyncs first).
func (s *Sentinel) WaitReplica(tb testing.TB) {
	tb.Helper()
	master := s.Master(tb)
	err := waitFor(30*time.Second, "a replica of "+master.Addr+" in sync", func() error {
		for _, x := range s.Servers {
			if x != master && x.Running() {
				if err := replicaInSync(x.Addr); err != nil {
					return err
				}
				return nil
			}
		}
		return fmt.Errorf("no running server besides the master %s", master.Addr)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// KillMaster kills the master's process and waits until the Sentinels have
// promoted the replica (about down-after plus an election: a few seconds).
func (s *Sentinel) KillMaster(tb testing.TB) *Server {
	tb.Helper()
	old := s.Master(tb)
	old.Stop()
	return s.waitNewMaster(tb, old)
}

// Sync waits until the master's writes so far have reached the replica,
// so that a failover loses none of them. After a failover the old master,
// turned replica, may first need a full resync: Sync waits for it.
func (s *Sentinel) Sync(tb testing.TB) {
	tb.Helper()
	if err := syncWrites(tb.Context(), s.Master(tb).Addr, "redistest:sync"); err != nil {
		tb.Fatal(err)
	}
}
