package bot_test

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/internal/outage"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/redisstore"
)

const (
	storeDownLog = "state store unavailable"
	storeUpLog   = "state store reachable again"
)

// TestRedisGoesAwayAndReturns stops the real redis-server under a running
// bot: the bot keeps answering, follow-ups degrade with a message, the fault
// is logged once while Redis is away, and when Redis returns the bot recovers
// by itself and says so in the log.
func TestRedisGoesAwayAndReturns(t *testing.T) {
	out := redisOutage(t)
	if n := strings.Count(out, storeUpLog); n == 0 {
		t.Errorf("recovery not logged:\n%s", out)
	}
}

// TestRedisOutageLoggedOnce wants the fault and the recovery logged once
// each over a whole outage, recovery included, with messages arriving while
// Redis comes back.
func TestRedisOutageLoggedOnce(t *testing.T) {
	srv, logs := redistest.Start(t), &testkit.LogBuffer{}
	b := loggedRedisBot(t, srv, logs, bot.Options{})
	one(t, b, private("张三", manyHits))

	srv.Stop()
	// Enough failing store operations to open go-redis's dial breaker.
	for range 4 {
		one(t, b, private("张三", "中欧班列目标"))
	}
	srv.Restart(t)
	deadline := time.Now().Add(15 * time.Second)
	for stable := 0; stable < 10; {
		one(t, b, private("张三", manyHits))
		if more := one(t, b, private("张三", "更多")); strings.Contains(more, "第2条") {
			stable++
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			t.Fatalf("15 s after Redis returned, the bot has not recovered:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Recovery is declared after a quiet period without failures.
	time.Sleep(outage.Quiet)
	one(t, b, private("张三", manyHits))
	out := logs.String()
	if n := strings.Count(out, storeDownLog); n != 1 {
		t.Errorf("store fault logged %d times over the outage; want once:\n%s", n, out)
	}
	if n := strings.Count(out, storeUpLog); n != 1 {
		t.Errorf("recovery logged %d times; want once:\n%s", n, out)
	}
}

// TestRedisOutageForgetsTheQuestionBefore: a question asked while Redis is
// unreachable cannot be remembered; once Redis is reachable again (its data
// intact), 更多 and 详情 must not continue the question stored before.
func TestRedisOutageForgetsTheQuestionBefore(t *testing.T) {
	srv := sharedRedis(t)
	link := startTCPLink(t, srv.Addr)
	store, err := redisstore.Open(t.Context(), "redis://"+link.addr+"/0", redisstore.WithPrefix(fmt.Sprintf("bottest-cut%d:", prefixes.Add(1))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	b := newBot(t, store, bot.Options{})
	one(t, b, private("张三", manyHits))

	link.cut()
	mustContain(t, "question with Redis unreachable", one(t, b, private("张三", "中欧班列目标")), "200列以上")
	link.restore(t)

	deadline := time.Now().Add(15 * time.Second)
	for _, cmd := range []string{"更多", "详情2"} {
		for {
			reply := one(t, b, private("张三", cmd))
			if !strings.Contains(reply, "暂时读不到") {
				if strings.Contains(reply, "营商环境") || strings.Contains(reply, "第2条") {
					t.Errorf("%s after the outage continues the question asked before it:\n%s", cmd, reply)
				}
				mustContain(t, cmd+" after the outage", reply, "请先提一个问题")
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("15 s after Redis became reachable, %s still cannot read the store", cmd)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// A question asked now is remembered again.
	one(t, b, private("张三", manyHits))
	mustContain(t, "更多 on a new question", one(t, b, private("张三", "更多")), "第2条")
}

// tcpLink forwards a loopback port to a redis-server, and can cut the line
// (a network outage: Redis keeps its data) and restore it on the same port.
type tcpLink struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func startTCPLink(t *testing.T, target string) *tcpLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &tcpLink{addr: ln.Addr().String(), target: target}
	l.serve(ln)
	t.Cleanup(l.cut)
	return l
}

func (l *tcpLink) serve(ln net.Listener) {
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", l.target)
			if err != nil {
				c.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, c, up)
			l.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection through it.
func (l *tcpLink) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		l.ln.Close()
		l.ln = nil
	}
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// restore listens again on the same address.
func (l *tcpLink) restore(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", l.addr, err)
	}
	l.serve(ln)
}

// loggedRedisBot is a bot on its own Redis store, logging into logs.
func loggedRedisBot(t *testing.T, srv *redistest.Server, logs *testkit.LogBuffer, opts bot.Options) *bot.Bot {
	t.Helper()
	store, err := redisstore.Open(t.Context(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return newBot(t, store, opts)
}

// redisOutage runs a bot on a Redis store through an outage of its
// redis-server and returns what the bot logged.
func redisOutage(t *testing.T) string {
	t.Helper()
	srv, logs := redistest.Start(t), &testkit.LogBuffer{}
	b := loggedRedisBot(t, srv, logs, bot.Options{Admins: []string{"管理员甲"}})

	mustContain(t, "with Redis", one(t, b, private("张三", manyHits)), "营商环境")
	mustContain(t, "更多 with Redis", one(t, b, private("张三", "更多")), "第2条")

	srv.Stop()
	for i, q := range []string{"中欧班列目标", "新增床位", "5G", "中欧班列目标"} {
		m := private("张三", q)
		replies := handle(t, b, m)
		if len(replies) != 1 {
			t.Fatalf("Redis down, question %d %q: %d replies; want the answer", i+1, q, len(replies))
		}
		if strings.Contains(replies[0].Text, "没有找到") || !strings.Contains(replies[0].Text, "出处:《") {
			t.Errorf("Redis down, question %q: %q; want an answer", q, replies[0].Text)
		}
	}
	more := one(t, b, private("张三", "更多"))
	if strings.Contains(more, "第2条") || strings.Contains(strings.ToLower(more), "redis") {
		t.Errorf("更多 with Redis down: %q; want a plain follow-up message", more)
	}
	mustContain(t, "更多 with Redis down", more, "更多")
	mustContain(t, "详情 with Redis down", one(t, b, private("张三", "详情1")), "详情1")
	mustContain(t, "目录 with Redis down", whole(t, b, private("张三", "目录")), sevenParts...)
	mustContain(t, "统计 with Redis down", one(t, b, private("管理员甲", "统计")), "暂时不可用")
	if n := strings.Count(logs.String(), storeDownLog); n != 1 {
		t.Errorf("store fault logged %d times over several messages; want once:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), storeUpLog) {
		t.Errorf("recovery logged while Redis is down:\n%s", logs.String())
	}

	srv.Restart(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		one(t, b, private("张三", manyHits))
		if more := one(t, b, private("张三", "更多")); strings.Contains(more, "第2条") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("15 s after Redis returned, 更多 still fails:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Fully working again: sessions, de-duplication.
	mustContain(t, "详情1 after recovery", one(t, b, private("张三", "详情1")), "营商环境")
	m := private("张三", "中欧班列目标")
	one(t, b, m)
	if r := handle(t, b, m); len(r) != 0 {
		t.Errorf("after recovery a duplicate message was answered: %q", texts(r))
	}
	// Recovery is declared after a quiet period without failures.
	time.Sleep(outage.Quiet)
	one(t, b, private("张三", "新增床位"))
	return logs.String()
}

// TestRedisOneReplyAcrossProcesses: bot processes each with their own Redis
// client, sharing one Redis, answer a message delivered to all of them once.
func TestRedisOneReplyAcrossProcesses(t *testing.T) {
	srv := sharedRedis(t)
	prefix := fmt.Sprintf("bottest-procs%d:", prefixes.Add(1))
	var bots []*bot.Bot
	for range 3 {
		s, err := redisstore.Open(t.Context(), srv.URL(), redisstore.WithPrefix(prefix))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		bots = append(bots, newBot(t, s, bot.Options{}))
	}
	exactlyOneAnswers(t, bots, 10)
	// A session started on one process continues on another.
	one(t, bots[0], private("李四", manyHits))
	mustContain(t, "更多 on another process", one(t, bots[1], private("李四", "更多")), "第2条")
}
