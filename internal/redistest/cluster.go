package redistest

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clusterSlots is the number of hash slots of a Redis Cluster.
const clusterSlots = 16384

// Cluster is a Redis Cluster of redis-server processes on loopback ports.
type Cluster struct {
	Masters  []*Server
	Replicas []*Server // Replicas[i] replicates Masters[i]; empty without replicas
}

// Addrs are the addresses of every node, masters first.
func (c *Cluster) Addrs() []string {
	var out []string
	for _, s := range c.nodes() {
		out = append(out, s.Addr)
	}
	return out
}

// URL is the redis:// URL of the cluster, its seed nodes comma-separated.
func (c *Cluster) URL() string { return "redis://" + strings.Join(c.Addrs(), ",") }

// StartCluster starts masters nodes sharing the 16,384 slots in equal
// ranges and, with replicas, one replica for each master; it returns once
// every node sees cluster_state:ok. Everything stops when the test ends.
// The node timeout is 2 s, so a killed master's replica takes over within
// a few seconds.
func StartCluster(tb testing.TB, masters int, replicas bool) *Cluster {
	tb.Helper()
	c, err := startCluster(tb, masters, replicas)
	if err != nil {
		tb.Fatalf("start a Redis Cluster of %d masters: %v", masters, err)
	}
	return c
}

func startCluster(tb testing.TB, masters int, replicas bool) (*Cluster, error) {
	c := &Cluster{}
	n := masters
	if replicas {
		n *= 2
	}
	var buses []int
	for i := range n {
		dir := tb.TempDir()
		bus, err := freePort() // the bus port, set explicitly: port+10000 may be taken or out of range
		if err != nil {
			return nil, err
		}
		s, err := startNew(dir, "--save", "", "--appendonly", "no",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-node-timeout", "2000", "--cluster-port", strconv.Itoa(bus))
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", i+1, err)
		}
		tb.Cleanup(s.Stop)
		buses = append(buses, bus)
		if i < masters {
			c.Masters = append(c.Masters, s)
		} else {
			c.Replicas = append(c.Replicas, s)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i, m := range c.Masters {
		from, to := i*clusterSlots/masters, (i+1)*clusterSlots/masters-1
		if err := do(ctx, m.Addr, "CLUSTER", "ADDSLOTSRANGE", from, to).Err(); err != nil {
			return nil, fmt.Errorf("assign slots %d-%d to %s: %w", from, to, m.Addr, err)
		}
	}
	first := c.Masters[0]
	host, port := splitAddr(first.Addr)
	for _, s := range c.Addrs()[1:] {
		if err := do(ctx, s, "CLUSTER", "MEET", host, port, buses[0]).Err(); err != nil {
			return nil, fmt.Errorf("%s meets %s: %w", s, first.Addr, err)
		}
	}
	if err := waitFor(30*time.Second, "every node knows every other", func() error {
		for _, a := range c.Addrs() {
			nodes, err := do(ctx, a, "CLUSTER", "NODES").Text()
			if err != nil {
				return err
			}
			if k := strings.Count(strings.TrimSpace(nodes), "\n") + 1; k != n {
				return fmt.Errorf("%s knows %d nodes", a, k)
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for i, r := range c.Replicas {
		id, err := do(ctx, c.Masters[i].Addr, "CLUSTER", "MYID").Text()
		if err != nil {
			return nil, err
		}
		if err := do(ctx, r.Addr, "CLUSTER", "REPLICATE", id).Err(); err != nil {
			return nil, fmt.Errorf("%s replicates %s: %w", r.Addr, c.Masters[i].Addr, err)
		}
	}
	if err := waitFor(30*time.Second, "cluster_state:ok on every node, replicas in sync", func() error {
		for _, a := range c.Addrs() {
			info, err := do(ctx, a, "CLUSTER", "INFO").Text()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") {
				return fmt.Errorf("%s: cluster state not ok", a)
			}
		}
		for _, r := range c.Replicas {
			if err := replicaInSync(r.Addr); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// replicaInSync is nil when addr is a replica whose link to its master is up.
func replicaInSync(addr string) error {
	info, err := infoSection(addr, "replication")
	if err != nil {
		return err
	}
	if info["role"] != "slave" || info["master_link_status"] != "up" {
		return fmt.Errorf("%s: role %s, master link %s", addr, info["role"], info["master_link_status"])
	}
	return nil
}

// anyRunning is a running node to ask about the cluster.
func (c *Cluster) anyRunning() *Server {
	for _, s := range c.nodes() {
		if s.Running() {
			return s
		}
	}
	return c.Masters[0]
}

func (c *Cluster) nodes() []*Server {
	return append(append([]*Server(nil), c.Masters...), c.Replicas...)
}

// MasterOf is the master node serving key's hash slot now.
func (c *Cluster) MasterOf(tb testing.TB, key string) *Server {
	tb.Helper()
	ctx := tb.Context()
	slot, err := do(ctx, c.anyRunning().Addr, "CLUSTER", "KEYSLOT", key).Int64()
	if err != nil {
		tb.Fatalf("CLUSTER KEYSLOT %s: %v", key, err)
	}
	for _, s := range c.nodes() {
		if !s.Running() {
			continue
		}
		info, err := infoSection(s.Addr, "replication")
		if err != nil || info["role"] != "master" {
			continue
		}
		if s.ownsSlot(ctx, int(slot)) {
			return s
		}
	}
	tb.Fatalf("no running master serves slot %d of %s", slot, key)
	return nil
}

// ownsSlot reports whether the node at s lists slot among its own.
func (s *Server) ownsSlot(ctx context.Context, slot int) bool {
	nodes, err := do(ctx, s.Addr, "CLUSTER", "NODES").Text()
	if err != nil {
		return false
	}
	for line := range strings.SplitSeq(nodes, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || !strings.Contains(f[2], "myself") {
			continue
		}
		for _, r := range f[8:] {
			lo, hi, ok := strings.Cut(r, "-")
			if !ok {
				hi = lo
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 == nil && err2 == nil && a <= slot && slot <= b {
				return true
			}
		}
	}
	return false
}

// WaitHealthy waits until every slot is served by a running master (after
// a master was killed: its replica has taken over) and every running node
// reports cluster_state:ok.
func (c *Cluster) WaitHealthy(tb testing.TB, within time.Duration) {
	tb.Helper()
	ctx := tb.Context()
	running := map[string]bool{}
	for _, s := range c.nodes() {
		if s.Running() {
			running[s.Addr] = true
		}
	}
	err := waitFor(within, "every slot served by a running master, cluster_state:ok", func() error {
		for addr := range running {
			info, err := do(ctx, addr, "CLUSTER", "INFO").Text()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") {
				return fmt.Errorf("%s: cluster state not ok", addr)
			}
			nodes, err := do(ctx, addr, "CLUSTER", "NODES").Text()
			if err != nil {
				return err
			}
			for line := range strings.SplitSeq(nodes, "\n") {
				f := strings.Fields(line)
				if len(f) <= 8 {
					continue // serves no slot
				}
				at, _, _ := strings.Cut(f[1], "@")
				if !running[at] || strings.Contains(f[2], "fail") {
					return fmt.Errorf("%s: slots %s still on %s (%s)", addr, f[8], at, f[2])
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func splitAddr(addr string) (host string, port int) {
	h, p, _ := strings.Cut(addr, ":")
	n, _ := strconv.Atoi(p)
	return h, n
}

// Sync waits until every running master's writes so far have reached its
// replica, so that killing a master loses none of them.
func (c *Cluster) Sync(tb testing.TB) {
	tb.Helper()
	ctx := tb.Context()
	for i, m := range c.Masters {
		if !m.Running() || i >= len(c.Replicas) {
			continue
		}
		// A key of the master's own slots, or the write would be MOVED.
		key := ""
		for n := 0; key == ""; n++ {
			k := fmt.Sprintf("redistest:sync:%d", n)
			slot, err := do(ctx, m.Addr, "CLUSTER", "KEYSLOT", k).Int()
			if err != nil {
				tb.Fatal(err)
			}
			if m.ownsSlot(ctx, slot) {
				key = k
			}
		}
		if err := syncWrites(ctx, m.Addr, key); err != nil {
			tb.Fatal(err)
		}
	}
}

// DBSize is the number of keys on each master, in order.
func (c *Cluster) DBSize(tb testing.TB) []int64 {
	tb.Helper()
	var out []int64
	for _, m := range c.Masters {
		n, err := do(tb.Context(), m.Addr, "DBSIZE").Int64()
		if err != nil {
			tb.Fatalf("DBSIZE on %s: %v", m.Addr, err)
		}
		out = append(out, n)
	}
	return out
}
