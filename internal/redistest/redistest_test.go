package redistest

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	if pid, err := serverPID(s.Addr); err != nil || pid != s.cmd.Process.Pid {
		t.Fatalf("fresh server: pid %d, %v; want ours", pid, err)
	}
	s.Stop()
	if _, err := serverPID(s.Addr); err == nil {
		t.Fatal("stopped server still answers")
	}
	s.Restart(t)
	if pid, err := serverPID(s.Addr); err != nil || pid != s.cmd.Process.Pid {
		t.Fatalf("restarted server: pid %d, %v; want ours", pid, err)
	}
}

// TestStartNotFooledByAnImpostor: something else listens on the port found
// free and answers PING (and INFO) as a Redis would. The start must not
// take it for its own redis-server.
func TestStartNotFooledByAnImpostor(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if strings.HasPrefix(line, "*") || strings.HasPrefix(line, "$") {
						continue // array and bulk headers; answer the words
					}
					switch strings.ToUpper(strings.TrimSpace(line)) {
					case "PING":
						c.Write([]byte("+PONG\r\n"))
					case "INFO":
						body := "# Server\r\nprocess_id:1\r\n"
						c.Write([]byte("$" + strconv.Itoa(len(body)) + "\r\n" + body + "\r\n"))
					case "HELLO":
						c.Write([]byte("-ERR unknown command\r\n"))
					}
				}
			}()
		}
	}()
	s := &Server{Addr: l.Addr().String(), dir: t.TempDir(), args: []string{"--save", ""}}
	err = s.start()
	if err == nil {
		s.Stop()
		t.Fatal("start succeeded on a port an impostor holds")
	}
	if !strings.Contains(err.Error(), errPortTaken.Error()) {
		t.Errorf("error %q; want it to say the port is taken", err)
	}
}

func TestCluster(t *testing.T) {
	c := StartCluster(t, 3, false)
	if len(c.Masters) != 3 || len(c.Addrs()) != 3 {
		t.Fatalf("cluster of %d masters, %d nodes; want 3, 3", len(c.Masters), len(c.Addrs()))
	}
	seen := map[*Server]bool{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		seen[c.MasterOf(t, k)] = true
	}
	if len(seen) < 2 {
		t.Errorf("8 keys all on one master; slots not spread")
	}
}

func TestSentinelFailover(t *testing.T) {
	s := StartSentinel(t)
	old := s.Master(t)
	if old != s.Servers[0] {
		t.Fatalf("master at start is %s; want %s", old.Addr, s.Servers[0].Addr)
	}
	if next := s.Failover(t); next == old {
		t.Fatal("SENTINEL FAILOVER kept the master")
	}
}
