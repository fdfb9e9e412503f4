// Package redistest starts real redis-server processes for tests on free
// loopback ports: one server (which a test can stop and restart to see what
// happens when Redis goes away), a Redis Cluster, and a master with a
// replica watched by three Sentinels.
//
// A port found free may be taken by someone else before redis-server binds
// it, and whatever then answers there is not ours. So a server counts as
// started only when the process listening reports our child's process ID
// (INFO server); a redis-server that could not bind exits, and the start is
// tried again on another port.
//
// It never skips: a missing redis-server fails the test with the exact
// command that installs it. scripts/test installs it before running the
// tests.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// InstallHint is the instruction shown when redis-server is missing.
const InstallHint = "redis-server not found: install it with `apt-get update && apt-get install -y redis-server` (or run scripts/test, which does)"

const (
	// startAttempts is how often a start is tried on a fresh port when the
	// one found free was taken before redis-server could bind it.
	startAttempts = 5
	startWithin   = 10 * time.Second
)

// Server is one redis-server (or sentinel) process owned by a test.
type Server struct {
	Addr string // 127.0.0.1:port
	dir  string
	args []string // after the port: what kind of server this is

	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan struct{} // closed when cmd has exited
}

// URL is the redis:// URL of database 0.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// Start starts a redis-server for the test and stops it when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := StartServer(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// StartServer starts a redis-server keeping its files in dir. The caller
// stops it. It is for TestMain, where there is no testing.TB.
func StartServer(dir string) (*Server, error) {
	return startNew(dir, "--save", "", "--appendonly", "no")
}

// startNew starts a server with args on a free port, trying another port
// when the one found free was taken meanwhile.
func startNew(dir string, args ...string) (*Server, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, errors.New(InstallHint)
	}
	var errs []error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("find a free port for redis-server: %w", err)
		}
		s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir, args: args}
		err = s.start()
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// errPortTaken: our redis-server exited at start while something else
// answered on its port.
var errPortTaken = errors.New("port taken by another process")

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, port, _ := net.SplitHostPort(s.Addr)
	var args []string
	if len(s.args) > 0 && strings.HasSuffix(s.args[0], ".conf") {
		args = append(args, s.args[0]) // a config file comes first
		args = append(args, "--port", port)
		args = append(args, s.args[1:]...)
	} else {
		args = append(args, "--port", port)
		args = append(args, s.args...)
	}
	args = append(args, "--bind", "127.0.0.1", "--dir", s.dir, "--daemonize", "no", "--loglevel", "warning")
	cmd := exec.Command("redis-server", args...)
	logPath := filepath.Join(s.dir, "redis-"+port+".log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("create redis-server log: %w", err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start redis-server: %w", err)
	}
	exit := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exit) }()
	s.cmd, s.exit = cmd, exit
	deadline := time.Now().Add(startWithin)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exit:
			s.cmd = nil
			log, _ := os.ReadFile(logPath)
			if strings.Contains(string(log), "Address already in use") {
				return fmt.Errorf("redis-server on %s: %w", s.Addr, errPortTaken)
			}
			return fmt.Errorf("redis-server on %s exited at start: %s", s.Addr, tail(log))
		default:
		}
		pid, err := serverPID(s.Addr)
		if err == nil && pid == cmd.Process.Pid {
			return nil
		}
		if err == nil {
			last = fmt.Errorf("the server answering on %s is process %d, not ours (%d)", s.Addr, pid, cmd.Process.Pid)
		} else {
			last = err
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	<-exit
	s.cmd = nil
	log, _ := os.ReadFile(logPath)
	return fmt.Errorf("redis-server on %s not ready within %v (%v): %s", s.Addr, startWithin, last, tail(log))
}

// tail is the end of a log, for an error message.
func tail(log []byte) string {
	s := strings.TrimSpace(string(log))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

// Stop kills the server and waits until it has exited.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exit := s.cmd, s.exit
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exit
}

// Running reports whether the server's process is up.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// Restart starts the server again on the same address (empty: no data is
// saved). It fails the test if the port has been taken meanwhile.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		tb.Fatal(err)
	}
}

// Client is a go-redis client of this one server, closed when the test
// ends.
func (s *Server) Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := newClient(s.Addr)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

func newClient(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr: addr, DialTimeout: time.Second, ReadTimeout: 2 * time.Second, MaxRetries: -1, DialerRetries: 1,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverPID is the process_id that the server on addr reports.
func serverPID(addr string) (int, error) {
	// A plain dial first: go-redis would log every refused connection
	// while the server starts.
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return 0, err
	}
	c.Close()
	info, err := infoSection(addr, "server")
	if err != nil {
		return 0, err
	}
	v, ok := info["process_id"]
	if !ok {
		return 0, fmt.Errorf("INFO server of %s has no process_id", addr)
	}
	return strconv.Atoi(v)
}

// infoSection is one section of INFO from addr, as field → value.
func infoSection(addr, section string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	text, err := do(ctx, addr, "INFO", section).Text()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for line := range strings.SplitSeq(text, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			out[k] = v
		}
	}
	return out, nil
}

// do runs one command on the server at addr.
func do(ctx context.Context, addr string, args ...any) *redis.Cmd {
	c := newClient(addr)
	defer c.Close()
	return c.Do(ctx, args...)
}

// syncWrites makes a write to key on the master at addr and waits, on the
// same connection, until a replica acknowledges it (WAIT covers the
// connection's own writes, and so everything the master had before them).
func syncWrites(ctx context.Context, addr, key string) error {
	return waitFor(20*time.Second, "a replica of "+addr+" acknowledging its writes", func() error {
		c := newClient(addr)
		defer c.Close()
		var wait *redis.Cmd
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, key)
			wait = p.Do(ctx, "WAIT", 1, 1000)
			return nil
		})
		if err != nil {
			return err
		}
		if n, _ := wait.Int(); n < 1 {
			return errors.New("no replica acknowledged")
		}
		return nil
	})
}

// waitFor polls cond every 50 ms until it holds or within passes.
func waitFor(within time.Duration, what string, cond func() error) error {
	deadline := time.Now().Add(within)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %v: %w", what, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
