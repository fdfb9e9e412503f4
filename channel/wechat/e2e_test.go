package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/redisstore"
)

// The end-to-end tests run the real openwechat client against fakeWeChat,
// the real chat core (bot.New) searching the embedded report, and a real
// Redis for the chat core's state and the login session.

var testIndex = sync.OnceValues(func() (*index.Index, error) {
	reports, err := corpus.Default()
	if err != nil {
		return nil, err
	}
	return index.Build(context.Background(), reports, index.Options{})
})

// newHandler is the chat core the tests talk to. Its one admin is the
// contact the bot's account calls 王主任 (Bob).
func newHandler(t *testing.T, store *redisstore.Store, log *slog.Logger) Handler {
	t.Helper()
	ix, err := testIndex()
	if err != nil {
		t.Fatal(err)
	}
	// Rate limits out of the way: case 8 asks 20 questions at once.
	lots := bot.RateLimit{Burst: 1000, Per: time.Millisecond}
	return bot.New(ix, store, bot.Options{Name: "reportbot", UserRate: lots, GroupRate: lots, Logger: log, Admins: []string{fakeBobRemark}})
}

type e2e struct {
	t      *testing.T
	fake   *fakeWeChat
	redis  *redistest.Server
	store  *redisstore.Store
	rdb    *redis.Client
	login  *redisstore.LoginStorage
	logs   *testkit.LogBuffer
	qr     *testkit.LogBuffer
	alerts chan string
	opts   Options

	client *Client
	cancel context.CancelFunc
	done   chan error
}

func newE2E(t *testing.T, configure func(*Options)) *e2e {
	t.Helper()
	e := &e2e{t: t, logs: &testkit.LogBuffer{}, qr: &testkit.LogBuffer{}, alerts: make(chan string, 16)}
	e.redis = redistest.Start(t)
	e.rdb = redis.NewClient(&redis.Options{Addr: e.redis.Addr})
	t.Cleanup(func() { _ = e.rdb.Close() })
	e.store = redisstore.New(e.rdb, redisstore.WithPrefix("e2e:"))
	e.login = e.store.LoginStorage(context.Background(), "test")
	e.fake = newFakeWeChat(t)
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.opts = Options{
		Account:           "test",
		Handler:           newHandler(t, e.store, log),
		LoginStorage:      e.login,
		Logger:            log,
		SendInterval:      20 * time.Millisecond,
		SendJitter:        5 * time.Millisecond,
		SendRetryBackoff:  200 * time.Millisecond,
		SyncRetryBackoff:  50 * time.Millisecond,
		LoginRetryBackoff: 200 * time.Millisecond,
		QRWriter:          e.qr,
		Alert: func(ctx context.Context, text string) error {
			select {
			case e.alerts <- text:
			default:
			}
			return nil
		},
		Transport: e.fake.transport(t),
	}
	if configure != nil {
		configure(&e.opts)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("client log:\n%s", e.logs.String())
		}
	})
	return e
}

// seedSession stores the session a previous login would have left.
func (e *e2e) seedSession() {
	e.t.Helper()
	if _, err := e.login.Write(fakeSession()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *e2e) start() {
	e.t.Helper()
	c, err := New(e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.client, e.cancel, e.done = c, cancel, make(chan error, 1)
	go func() { e.done <- c.Run(ctx) }()
	e.t.Cleanup(e.stop)
}

// stop cancels Run and checks that it returns nil in bounded time.
func (e *e2e) stop() {
	e.t.Helper()
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.cancel = nil
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("Run returned %v, want nil after cancel", err)
		}
	case <-time.After(15 * time.Second):
		e.t.Error("Run did not return within 15s of cancel")
	}
}

func (e *e2e) startLoggedIn() {
	e.t.Helper()
	e.seedSession()
	e.start()
	waitFor(e.t, 10*time.Second, "hot login", e.client.LoggedIn)
}

// waitAccepted waits until the fake accepted at least n sends.
func (e *e2e) waitAccepted(n int) []fakeSend {
	e.t.Helper()
	waitFor(e.t, 15*time.Second, "accepted sends", func() bool { return len(e.fake.accepted()) >= n })
	return e.fake.accepted()
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func containing(sends []fakeSend, s string) int {
	n := 0
	for _, x := range sends {
		if strings.Contains(x.Content, s) {
			n++
		}
	}
	return n
}

// Case 1: QR login end to end, the session lands in Redis.
func TestWeChatE2EQRLoginStoresSessionInRedis(t *testing.T) {
	pngPath := filepath.Join(t.TempDir(), "login-qr.png")
	e := newE2E(t, func(o *Options) { o.QRPNGPath = pngPath })
	e.start()

	qrURL := qrURLPrefix + fakeUUID
	waitFor(t, 10*time.Second, "the QR code on the terminal", func() bool { return strings.Contains(e.qr.String(), qrURL) })
	if !strings.Contains(e.qr.String(), "█") {
		t.Errorf("terminal output has no drawn QR code:\n%s", e.qr.String())
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatalf("QR PNG not written: %v", err)
	}
	cfg, err := png.DecodeConfig(f)
	f.Close()
	if err != nil || cfg.Width < 100 {
		t.Fatalf("QR PNG unreadable: %+v, %v", cfg, err)
	}
	if e.client.LoggedIn() {
		t.Fatal("logged in before the QR code was scanned")
	}

	e.fake.confirmScan()
	waitFor(t, 10*time.Second, "login after the scan", e.client.LoggedIn)

	if _, err := os.Stat(pngPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("QR PNG still there after login (err %v)", err)
	}
	raw, err := e.rdb.Get(context.Background(), "e2e:login:test").Bytes()
	if err != nil {
		t.Fatalf("session not in Redis: %v", err)
	}
	var stored struct {
		LoginInfo    struct{ WxSid, SKey string }
		WechatDomain string
		Jar          map[string][]struct{ Name, Value string }
	}
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatalf("stored session is not JSON: %v\n%s", err, raw)
	}
	if stored.LoginInfo.WxSid != fakeSid || stored.LoginInfo.SKey != fakeSKey || stored.WechatDomain != "wx.qq.com" {
		t.Errorf("stored session %+v, want the fake's credentials", stored)
	}
	if !strings.Contains(string(raw), "webwx_data_ticket") {
		t.Errorf("stored session lacks the login cookies: %s", raw)
	}
	if ttl := e.rdb.TTL(context.Background(), "e2e:login:test").Val(); ttl != -1 {
		t.Errorf("session key TTL %v, want none", ttl)
	}
}

// Case 2: a second start logs in from the Redis session, no QR endpoint.
func TestWeChatE2EHotLoginFromRedisSkipsQR(t *testing.T) {
	e := newE2E(t, nil)
	e.start()
	waitFor(t, 10*time.Second, "the QR code", func() bool { return strings.Contains(e.qr.String(), fakeUUID) })
	e.fake.confirmScan()
	waitFor(t, 10*time.Second, "QR login", e.client.LoggedIn)
	e.stop() // shutdown keeps the session

	mark := e.fake.requestCount()
	e.qr = &testkit.LogBuffer{}
	e.opts.QRWriter = e.qr
	e.start()
	waitFor(t, 10*time.Second, "hot login", e.client.LoggedIn)

	reqs := e.fake.requestsSince(mark)
	if n := countPath(reqs, "/jslogin") + countPath(reqs, "/login") + countPath(reqs, "/webwxnewloginpage"); n != 0 {
		t.Errorf("second start made %d QR-login requests, want 0", n)
	}
	if countPath(reqs, "/webwxinit") != 1 {
		t.Errorf("second start: %d webwxinit requests, want 1", countPath(reqs, "/webwxinit"))
	}
	if e.qr.String() != "" {
		t.Errorf("second start showed a QR code:\n%s", e.qr.String())
	}

	// And it works: a question is answered.
	e.fake.deliver(groupText("", "@reportbot\u2005中欧班列目标"))
	if sends := e.waitAccepted(1); containing(sends, "200列") == 0 {
		t.Errorf("no answer with 200列 after the hot login: %+v", sends)
	}
}

// Case 3: a group question with the @ gets the answer, sent to that group.
func TestWeChatE2EGroupMentionGetsAnswer(t *testing.T) {
	e := newE2E(t, nil)
	e.startLoggedIn()
	e.fake.deliver(groupText("", "@reportbot\u2005中欧班列目标"))
	sends := e.waitAccepted(1)
	first := sends[0]
	if first.To != fakeGroupUser || first.From != fakeSelfUser {
		t.Errorf("reply from %q to %q, want from %q to the group %q", first.From, first.To, fakeSelfUser, fakeGroupUser)
	}
	if !strings.Contains(first.Content, "200列") {
		t.Errorf("reply %q does not contain 200列", first.Content)
	}
}

// A member who renames themselves to the admin's name (nickname and group
// nickname) is refused the admin commands; the admin, known to the bot's
// account by the remark name it gave him, is obeyed under any display name,
// in the group and in private.
func TestWeChatE2EAdminImpersonationRefused(t *testing.T) {
	e := newE2E(t, nil)
	e.fake.renameAlice(fakeBobRemark, fakeBobRemark)
	e.startLoggedIn()

	e.fake.deliver(groupText("", "@reportbot\u2005统计"))
	sends := e.waitAccepted(1)
	if containing(sends, "只有管理员") != 1 || containing(sends, "统计】") != 0 {
		t.Fatalf("统计 from a member renamed to %s: %q; want a refusal", fakeBobRemark, sends[0].Content)
	}
	e.fake.deliver(groupText("", "@reportbot\u2005重载"))
	sends = e.waitAccepted(2)
	if !strings.Contains(sends[1].Content, "只有管理员") {
		t.Errorf("重载 from a member renamed to %s: %q; want a refusal", fakeBobRemark, sends[1].Content)
	}

	e.fake.deliver(fakeMsg{From: fakeGroupUser, To: fakeSelfUser, Content: fakeBobUser + ":<br/>@reportbot\u2005统计"})
	sends = e.waitAccepted(3)
	if !strings.Contains(sends[2].Content, "统计】") || sends[2].To != fakeGroupUser {
		t.Errorf("统计 from the admin in the group: %q to %q; want the statistics in the group", sends[2].Content, sends[2].To)
	}
	e.fake.deliver(fakeMsg{From: fakeBobUser, To: fakeSelfUser, Content: "统计"})
	sends = e.waitAccepted(4)
	if !strings.Contains(sends[3].Content, "统计】") || sends[3].To != fakeBobUser {
		t.Errorf("统计 from the admin in private: %q to %q; want the statistics", sends[3].Content, sends[3].To)
	}
}

// controlQuestion is asked after the messages that must stay unanswered:
// the worker handles messages in order and the sender sends in order, so
// once its answer (30万单) is out, a wrong answer would be out too.
const controlQuestion = "@reportbot\u2005跨境电商目标"

func (e *e2e) askControlAndWait() []fakeSend {
	e.t.Helper()
	e.fake.deliver(groupText("", controlQuestion))
	waitFor(e.t, 15*time.Second, "the control answer", func() bool { return containing(e.fake.accepted(), "30万单") > 0 })
	time.Sleep(100 * time.Millisecond) // a few send intervals, for anything queued behind it
	return e.fake.accepted()
}

// Case 4: a group message without the @ is not answered.
func TestWeChatE2EGroupWithoutMentionIsIgnored(t *testing.T) {
	e := newE2E(t, nil)
	e.startLoggedIn()
	e.fake.deliver(groupText("", "中欧班列目标"))
	sends := e.askControlAndWait()
	if n := containing(sends, "200列"); n != 0 {
		t.Errorf("%d answers to a group message without @: %+v", n, sends)
	}
}

// Case 5: the bot's own messages are not answered.
func TestWeChatE2EOwnMessageIsIgnored(t *testing.T) {
	e := newE2E(t, nil)
	e.startLoggedIn()
	e.fake.deliver(
		// Typed on the bot account's phone, into the group and to a friend.
		fakeMsg{From: fakeSelfUser, To: fakeGroupUser, Content: "@reportbot\u2005中欧班列目标"},
		fakeMsg{From: fakeSelfUser, To: fakeBobUser, Content: "中欧班列目标"},
	)
	sends := e.askControlAndWait()
	if n := containing(sends, "200列"); n != 0 {
		t.Errorf("%d answers to the bot's own messages: %+v", n, sends)
	}
}

// Case 6: the same MsgId delivered twice gets one reply.
func TestWeChatE2EDuplicateMsgIDAnsweredOnce(t *testing.T) {
	e := newE2E(t, nil)
	e.startLoggedIn()
	q := groupText("777001", "@reportbot\u2005中欧班列目标")
	e.fake.deliver(q)
	e.waitAccepted(1)
	e.fake.deliver(q) // WeChat delivers it again
	sends := e.askControlAndWait()
	if n := containing(sends, "200列"); n != 1 {
		t.Errorf("%d answers to one message delivered twice, want 1: %+v", n, sends)
	}
}

// Case 7: synccheck retcode 1101 runs the logout path; no busy loop.
func TestWeChatE2ELogoutAlertsAndStopsPolling(t *testing.T) {
	e := newE2E(t, nil)
	e.startLoggedIn()
	mark := e.fake.requestCount()
	e.fake.logout()

	select {
	case text := <-e.alerts:
		if !strings.Contains(text, "logged out") || !strings.Contains(text, "1101") {
			t.Errorf("alert %q does not say the account was logged out (1101)", text)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no alert after the logout")
	}
	waitFor(t, 5*time.Second, "LoggedIn false", func() bool { return !e.client.LoggedIn() })
	if !strings.Contains(e.logs.String(), "WECHAT LOGGED OUT") {
		t.Error("the logout was not logged loudly")
	}
	// It tries the stored session again (refused now), then shows a QR code.
	waitFor(t, 10*time.Second, "the QR code after the logout", func() bool { return strings.Contains(e.qr.String(), fakeUUID) })
	reqs := e.fake.requestsSince(mark)
	if countPath(reqs, "/webwxinit") < 1 {
		t.Error("no hot-login attempt (webwxinit) after the logout")
	}

	// Now the client waits on the (held) login poll: count what it sends
	// over a second.
	before := e.fake.requestCount()
	time.Sleep(time.Second)
	after := e.fake.requestsSince(before)
	if len(after) > 3 {
		t.Errorf("%d requests in the second after the logout settled, want at most 3: busy loop? %+v", len(after), after)
	}
	if n := countPath(after, "/synccheck"); n != 0 {
		t.Errorf("%d synccheck polls after the logout, want 0", n)
	}
}

// Case 8: 20 questions at once get 20 replies, paced.
func TestWeChatE2EManyQuestionsArePaced(t *testing.T) {
	const interval = 20 * time.Millisecond
	e := newE2E(t, func(o *Options) { o.SendInterval = interval; o.SendJitter = -1 })
	e.startLoggedIn()
	var batch []fakeMsg
	for range 20 {
		batch = append(batch, groupText("", "@reportbot\u2005中欧班列目标"))
	}
	e.fake.deliver(batch...)
	sends := e.waitAccepted(20)
	time.Sleep(5 * interval)
	sends = e.fake.accepted()
	if len(sends) != 20 {
		t.Fatalf("%d replies to 20 questions, want 20", len(sends))
	}
	if n := containing(sends, "200列"); n != 20 {
		t.Errorf("%d of 20 replies contain 200列", n)
	}
	for i := 1; i < len(sends); i++ {
		if gap := sends[i].At.Sub(sends[i-1].At); gap < interval {
			t.Errorf("sends %d and %d arrived %v apart, want at least %v", i-1, i, gap, interval)
		}
	}
}

// Case 9: a send refused with Ret 1205 is retried after a backoff and
// delivered once.
func TestWeChatE2ESendRefused1205RetriedOnce(t *testing.T) {
	const backoff = 200 * time.Millisecond
	e := newE2E(t, func(o *Options) { o.SendRetryBackoff = backoff })
	e.startLoggedIn()
	e.fake.failNextSends(1205)
	e.fake.deliver(groupText("", "@reportbot\u2005中欧班列目标"))
	e.waitAccepted(1)
	time.Sleep(3 * backoff) // a second delivery would show up by now
	all := e.fake.sent()
	if len(all) != 2 || all[0].Ret != 1205 || all[1].Ret != 0 {
		t.Fatalf("sends %+v, want one refused with 1205 then one accepted", all)
	}
	if gap := all[1].At.Sub(all[0].At); gap < backoff {
		t.Errorf("retried %v after the refusal, want at least the backoff %v", gap, backoff)
	}
	if all[0].ClientMsgID != all[1].ClientMsgID || all[0].Content != all[1].Content {
		t.Errorf("the retry is not the same message: %+v", all)
	}
	if !strings.Contains(all[1].Content, "200列") {
		t.Errorf("delivered %q, want the answer with 200列", all[1].Content)
	}
}

// A send whose connection dies after WeChat read it may have been
// delivered: it is not sent again, and sending goes on.
func TestWeChatE2ESendLostAfterDeliveryNotResent(t *testing.T) {
	e := newE2E(t, nil)
	e.startLoggedIn()
	e.fake.dropNextSends(1)
	e.fake.deliver(groupText("", "@reportbot\u2005中欧班列目标"))
	sends := e.askControlAndWait()
	if n := containing(e.fake.sent(), "200列"); n != 1 {
		t.Errorf("the answer reached WeChat %d times, want 1 (no resend after an ambiguous failure): %+v", n, e.fake.sent())
	}
	if containing(sends, "30万单") != 1 {
		t.Errorf("sending did not go on after the failure: %+v", sends)
	}
}

// SendToGroup (the daily digest) sends a text to a group by its name and
// returns once WeChat accepted it.
func TestWeChatE2ESendToGroup(t *testing.T) {
	e := newE2E(t, nil)
	c, err := New(e.opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendToGroup(context.Background(), fakeGroupName, "x"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("SendToGroup before login: %v, want ErrNotLoggedIn", err)
	}
	e.startLoggedIn()
	ctx := context.Background()
	if err := e.client.SendToGroup(ctx, "没有这个群", "x"); !errors.Is(err, ErrUnknownGroup) {
		t.Errorf("SendToGroup to an unknown group: %v, want ErrUnknownGroup", err)
	}
	for i, text := range []string{"今日推送：第一条", "今日推送：第二条"} {
		if err := e.client.SendToGroup(ctx, fakeGroupName, text); err != nil {
			t.Fatal(err)
		}
		// Returned only once sent.
		sends := e.fake.accepted()
		if len(sends) != i+1 || sends[i].To != fakeGroupUser || sends[i].Content != text {
			t.Fatalf("after SendToGroup(%q) returned, the fake has %+v", text, sends)
		}
	}
}

// A SendToGroup whose context ends while its text still waits in the queue
// takes the text out: it is never sent.
func TestWeChatE2ESendToGroupGivenUpIsNotSent(t *testing.T) {
	const interval = 300 * time.Millisecond
	e := newE2E(t, func(o *Options) { o.SendInterval = interval; o.SendJitter = -1 })
	e.startLoggedIn()
	if err := e.client.SendToGroup(context.Background(), fakeGroupName, "第一条"); err != nil {
		t.Fatal(err)
	}
	// The next send must wait the interval; give up well before.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := e.client.SendToGroup(ctx, fakeGroupName, "第二条"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SendToGroup with an expired context: %v, want DeadlineExceeded", err)
	}
	time.Sleep(2 * interval)
	if sends := e.fake.sent(); len(sends) != 1 {
		t.Errorf("sends %+v, want only the first text", sends)
	}
}

// Shutdown answers the messages already received and sends what is queued
// before Run returns.
func TestWeChatE2EShutdownDrainsQueue(t *testing.T) {
	e := newE2E(t, func(o *Options) { o.SendInterval = 50 * time.Millisecond })
	e.startLoggedIn()
	var batch []fakeMsg
	for range 5 {
		batch = append(batch, groupText("", "@reportbot\u2005中欧班列目标"))
	}
	e.fake.deliver(batch...)
	e.waitAccepted(1)
	e.stop()
	if n := len(e.fake.accepted()); n != 5 {
		t.Errorf("%d of 5 answers sent before Run returned", n)
	}
	if _, err := e.rdb.Get(context.Background(), "e2e:login:test").Result(); err != nil {
		t.Errorf("session gone from Redis after shutdown: %v", err)
	}
}

// A poll that fails at once, again and again, is retried with a backoff,
// not in a tight loop (openwechat's default handler spins).
func TestWeChatE2EFailingPollsBackOff(t *testing.T) {
	e := newE2E(t, func(o *Options) { o.SyncRetryBackoff = 50 * time.Millisecond })
	e.startLoggedIn()
	mark := e.fake.requestCount()
	e.fake.breakPolls()
	time.Sleep(time.Second)
	// 50+100+200+400 ms of backoff fit in a second: about 5 polls.
	if n := countPath(e.fake.requestsSince(mark), "/synccheck"); n > 8 {
		t.Errorf("%d polls in a second against a failing server, want at most 8", n)
	}
	if !e.client.LoggedIn() {
		t.Error("failing polls logged the account out; only WeChat's logout codes should")
	}
}

// With Redis down at start the stored session cannot be read: the client
// retries instead of asking a person to scan, and logs in from the session
// once Redis is back.
func TestWeChatE2ERedisDownAtStartRetriesInsteadOfQR(t *testing.T) {
	e := newE2E(t, nil)
	e.redis.Stop()
	e.start()
	waitFor(t, 10*time.Second, "a failed login attempt", func() bool {
		return strings.Contains(e.logs.String(), "read stored login session")
	})
	if reqs := e.fake.requestsSince(0); len(reqs) != 0 {
		t.Errorf("requests to WeChat while the session could not be read: %+v", reqs)
	}
	if strings.Contains(e.qr.String(), qrURLPrefix) || strings.Contains(e.qr.String(), "█") {
		t.Error("showed a QR code because Redis was down")
	}
	if !strings.Contains(e.qr.String(), "read stored login session") {
		t.Errorf("the terminal does not say why no QR code comes:\n%s", e.qr.String())
	}
	e.redis.Restart(t)
	e.seedSession()
	waitFor(t, 15*time.Second, "hot login once Redis is back", e.client.LoggedIn)
	if n := countPath(e.fake.requestsSince(0), "/jslogin"); n != 0 {
		t.Errorf("%d QR logins, want 0", n)
	}
}

// A message waiting at login time arrives while openwechat is still inside
// HotLogin (it starts polling before returning); it is answered all the same.
func TestWeChatE2EMessageWaitingAtLoginIsAnswered(t *testing.T) {
	e := newE2E(t, nil)
	e.fake.deliver(groupText("", "@reportbot\u2005中欧班列目标"))
	e.seedSession()
	e.start()
	if sends := e.waitAccepted(1); containing(sends, "200列") != 1 {
		t.Errorf("sends %+v, want the answer with 200列", sends)
	}
}

// A stored session that WeChat accepts at login but ends at once is tried
// again with a growing pause, then given up for a QR scan: no login loop.
func TestWeChatE2ESessionDroppedAgainAndAgainFallsBackToQR(t *testing.T) {
	e := newE2E(t, nil)
	e.fake.dropEverySession()
	e.seedSession()
	e.start()
	waitFor(t, 10*time.Second, "the QR code", func() bool { return strings.Contains(e.qr.String(), fakeUUID) })
	reqs := e.fake.requestsSince(0)
	if n := countPath(reqs, "/webwxinit"); n != 2 {
		t.Errorf("%d hot logins before the QR code, want 2 (the first and one retry)", n)
	}
	if n := len(e.alerts); n != 2 {
		t.Errorf("%d logout alerts, want 2", n)
	}
	if !strings.Contains(e.logs.String(), "wait=400ms") {
		t.Error("the pause before logging in again did not grow (want 200ms, then 400ms)")
	}
}

// WeChat unreachable and no stored session: the terminal waiting for the
// QR code says why none comes, and stopping does not claim a stored session.
func TestWeChatE2EUnreachableSaysSoAndStoresNothing(t *testing.T) {
	e := newE2E(t, func(o *Options) {
		o.Transport = roundTripFunc(func(*http.Request) (*http.Response, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
		})
	})
	e.start()
	waitFor(t, 10*time.Second, "a login failure on the QR terminal", func() bool {
		return strings.Count(e.qr.String(), "WeChat login failed") >= 2
	})
	if !strings.Contains(e.qr.String(), "connection refused") {
		t.Errorf("the terminal does not say why:\n%s", e.qr.String())
	}
	e.stop()
	logs := e.logs.String()
	if strings.Contains(logs, "stays stored") || !strings.Contains(logs, "never logged in") {
		t.Errorf("stop message with no session ever stored:\n%s", logs)
	}
}

// SendImageToGroup (the digest's picture card) uploads the picture and
// sends it as an image message through the same queue, after the text
// queued before it.
func TestWeChatE2ESendImageToGroup(t *testing.T) {
	e := newE2E(t, nil)
	e.startLoggedIn()
	ctx := context.Background()
	img := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 3000)...)
	if err := e.client.SendImageToGroup(ctx, fakeGroupName, nil); err == nil {
		t.Error("an empty image was accepted")
	}
	if err := e.client.SendImageToGroup(ctx, "没有这个群", img); !errors.Is(err, ErrUnknownGroup) {
		t.Errorf("image to an unknown group: %v, want ErrUnknownGroup", err)
	}
	if err := e.client.SendToGroup(ctx, fakeGroupName, "每日一读"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.SendImageToGroup(ctx, fakeGroupName, img); err != nil {
		t.Fatal(err)
	}
	sends := e.fake.accepted()
	if len(sends) != 2 || sends[0].Content != "每日一读" || sends[1].Content != "image:media-1" || sends[1].To != fakeGroupUser {
		t.Fatalf("the fake got %+v, want the text then the image", sends)
	}
	e.fake.mu.Lock()
	uploads := e.fake.uploads
	e.fake.mu.Unlock()
	if len(uploads) != 1 || !bytes.Equal(uploads[0], img) {
		t.Errorf("uploaded %d pictures, want the one sent", len(uploads))
	}
}
