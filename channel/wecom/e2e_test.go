package wecom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reportbot/reportbot/bot"
	. "github.com/reportbot/reportbot/channel/wecom"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/memstore"
	"github.com/reportbot/reportbot/store/redisstore"
)

// The end-to-end tests run the real Client against fakeWeCom on loopback,
// with the real chat core (bot.New) searching the embedded report and a
// real Redis for its state. What a reply must say is asked of a second,
// in-memory chat core given the same messages, so no answer is written
// into the tests.

var testIndex = sync.OnceValues(func() (*index.Index, error) {
	reports, err := corpus.Default()
	if err != nil {
		return nil, err
	}
	return index.Build(context.Background(), reports, index.Options{})
})

// botOptions keep rate limits out of the way of the tests.
func botOptions(log *slog.Logger) bot.Options {
	lots := bot.RateLimit{Burst: 1000, Per: time.Millisecond}
	return bot.Options{Name: "reportbot", UserRate: lots, GroupRate: lots, Logger: log}
}

func newChatCore(t *testing.T, store bot.Store, log *slog.Logger) *bot.Bot {
	t.Helper()
	ix, err := testIndex()
	if err != nil {
		t.Fatal(err)
	}
	return bot.New(ix, store, botOptions(log))
}

// reference is an in-memory chat core: what the bot under test should say.
type reference struct {
	t    *testing.T
	core *bot.Bot
}

func newReference(t *testing.T) *reference {
	return &reference{t: t, core: newChatCore(t, memstore.New(), nil)}
}

// says is the reply the chat core gives to m, its parts joined by a blank
// line as the channel sends them (one 企业微信 message carries them all).
func (r *reference) says(m bot.Message) string {
	r.t.Helper()
	var parts []string
	for _, rep := range r.core.Handle(context.Background(), m) {
		parts = append(parts, rep.Text)
	}
	s := strings.Join(parts, "\n\n")
	if s == "" {
		r.t.Fatalf("the chat core says nothing to %+v", m)
	}
	return s
}

// redisStore is a chat-core store on the test's Redis, as one bot process
// would open it.
func redisStore(t *testing.T, srv *redistest.Server) *redisstore.Store {
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	return redisstore.New(rdb, redisstore.WithPrefix("e2e:"))
}

// process is one running bot process: its chat core and its Client.
type process struct {
	t      *testing.T
	client *Client
	logs   *testkit.LogBuffer
	cancel context.CancelFunc
	done   chan error
}

func startProcess(t *testing.T, fake *fakeWeCom, store bot.Store, configure func(*Options)) *process {
	t.Helper()
	p := &process{t: t, logs: &testkit.LogBuffer{}, done: make(chan error, 1)}
	log := slog.New(slog.NewTextHandler(p.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := Options{
		BotID: fake.botID, Secret: fake.secret,
		Handler:          newChatCore(t, store, log),
		Names:            []string{"reportbot"},
		URL:              fake.url(),
		Logger:           log,
		AckTimeout:       2 * time.Second,
		ReconnectBackoff: 20 * time.Millisecond,
		ReplacedWait:     100 * time.Millisecond,
	}
	if configure != nil {
		configure(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	p.client = c
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() { p.done <- c.Run(ctx) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("bot log:\n%s", p.logs.String())
		}
		if strings.Contains(p.logs.String(), fake.secret) {
			t.Errorf("the bot's secret appears in its log")
		}
	})
	return p
}

func (p *process) stop() {
	p.cancel()
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Errorf("Run: %v", err)
		}
		p.done <- nil // a second stop returns at once
	case <-time.After(10 * time.Second):
		p.t.Error("Run did not return after cancel")
	}
}

type e2e struct {
	t     *testing.T
	fake  *fakeWeCom
	redis *redistest.Server
	ref   *reference
}

func newE2E(t *testing.T) *e2e {
	return &e2e{t: t, fake: newFakeWeCom(t), redis: redistest.Start(t), ref: newReference(t)}
}

func (e *e2e) start(configure func(*Options)) *process {
	return startProcess(e.t, e.fake, redisStore(e.t, e.redis), configure)
}

// groupMsg is a group text as the chat core sees it once translated.
func groupMsg(chatID, user, text string) bot.Message {
	return bot.Message{Chat: ChatName(chatID), Group: true, Sender: user, Text: text, Mentioned: true}
}

func privateMsg(user, text string) bot.Message {
	return bot.Message{Chat: ChatName(user), Sender: user, Text: text}
}

// expectReply takes the next frame and checks it answers reqID with want.
func (e *e2e) expectReply(reqID, want string) received {
	e.t.Helper()
	r := e.fake.next()
	if r.cmd != cmdRespond || r.req != reqID {
		e.t.Fatalf("got %s for req_id %s, want %s for %s: %v", r.cmd, r.req, cmdRespond, reqID, r.body)
	}
	if got := r.markdown(e.t); got != want {
		e.t.Fatalf("reply to %s:\n%s\nwant:\n%s", reqID, got, want)
	}
	return r
}

func TestWeComBotE2ESubscribe(t *testing.T) {
	e := newE2E(t)
	wrong := e.start(func(o *Options) { o.Secret = "not-the-secret" })
	// The refused bot keeps retrying with backoff and says why.
	waitFor(t, "the refusal to be reported", func() bool {
		_, detail := wrong.client.Status()
		return strings.Contains(detail, "subscribe refused")
	})
	if wrong.client.Connected() {
		t.Fatal("connected with a wrong secret")
	}
	wrong.stop()
	if strings.Contains(wrong.logs.String(), "not-the-secret") {
		t.Fatal("the wrong secret appears in the log")
	}

	p := e.start(nil)
	e.fake.connection()
	waitFor(t, "Connected", p.client.Connected)
	if _, detail := p.client.Status(); detail != "connected" {
		t.Fatalf("Status detail %q", detail)
	}
	// Heartbeats go out (30 s in production; shortened here).
	p2 := e.start(func(o *Options) { o.Heartbeat = 20 * time.Millisecond })
	fc2 := e.fake.connection()
	waitFor(t, "three pings", func() bool { return fc2.pings.Load() >= 3 })
	p2.stop()
}

func TestWeComBotE2EGroupMentionAnsweredOnce(t *testing.T) {
	e := newE2E(t)
	e.start(nil)
	fc := e.fake.connection()

	fc.send("req-1", msg{id: "m1", chatType: "group", chatID: "wrkSFfCgAAxx", user: "zhangsan", text: "@reportbot 中欧班列目标"})
	r := e.expectReply("req-1", e.ref.says(groupMsg("wrkSFfCgAAxx", "zhangsan", "中欧班列目标")))
	if r.body["msgtype"] != "markdown" {
		t.Fatalf("reply msgtype %v, want markdown", r.body["msgtype"])
	}
	// 企业微信 delivers the same message again (a retry): not answered
	// again. The marker after it shows nothing came in between.
	fc.send("req-2", msg{id: "m1", chatType: "group", chatID: "wrkSFfCgAAxx", user: "zhangsan", text: "@reportbot 中欧班列目标"})
	fc.send("req-3", msg{id: "m2", chatType: "group", chatID: "wrkSFfCgAAxx", user: "lisi", text: "@reportbot 帮助"})
	e.expectReply("req-3", e.ref.says(groupMsg("wrkSFfCgAAxx", "lisi", "帮助")))

	// An image in a group gets no reply (as in WeChat); an @ alone gets the
	// short help.
	fc.send("req-4", msg{id: "m3", chatType: "group", chatID: "wrkSFfCgAAxx", user: "lisi", msgType: "image"})
	fc.send("req-5", msg{id: "m4", chatType: "group", chatID: "wrkSFfCgAAxx", user: "lisi", text: "@reportbot"})
	e.expectReply("req-5", e.ref.says(groupMsg("wrkSFfCgAAxx", "lisi", "")))
}

func TestWeComBotE2EPrivateQuestionAsStream(t *testing.T) {
	e := newE2E(t)
	e.start(func(o *Options) { o.Stream = true })
	fc := e.fake.connection()

	fc.send("req-1", msg{id: "p1", chatType: "single", user: "wangwu", text: "新增床位多少"})
	r := e.expectReply("req-1", e.ref.says(privateMsg("wangwu", "新增床位多少")))
	if r.body["msgtype"] != "stream" {
		t.Fatalf("reply msgtype %v, want a stream", r.body["msgtype"])
	}
	// Anything but text in a private chat gets a hint.
	fc.send("req-2", msg{id: "p2", chatType: "single", user: "wangwu", msgType: "file"})
	e.expectReply("req-2", e.ref.says(bot.Message{Chat: ChatName("wangwu"), Sender: "wangwu", Kind: bot.KindFile}))
}

func TestWeComBotE2EMoreFollowUp(t *testing.T) {
	e := newE2E(t)
	e.start(nil)
	fc := e.fake.connection()

	first := e.ref.says(privateMsg("zhaoliu", "中欧班列目标"))
	more := e.ref.says(privateMsg("zhaoliu", "更多"))
	if first == more {
		t.Fatal("the reference gives the same text for 更多")
	}
	fc.send("req-1", msg{id: "f1", chatType: "single", user: "zhaoliu", text: "中欧班列目标"})
	e.expectReply("req-1", first)
	fc.send("req-2", msg{id: "f2", chatType: "single", user: "zhaoliu", text: "更多"})
	e.expectReply("req-2", more)
	// Someone else's 更多 in a group has no session behind it.
	fc.send("req-3", msg{id: "f3", chatType: "group", chatID: "wrkG", user: "zhaoliu", text: "@reportbot 更多"})
	e.expectReply("req-3", e.ref.says(groupMsg("wrkG", "zhaoliu", "更多")))
}

func TestWeComBotE2EDuplicateAcrossProcesses(t *testing.T) {
	e := newE2E(t)
	e.start(nil)
	fc1 := e.fake.connection()
	e.start(nil)
	fc2 := e.fake.connection()

	// The same message reaches both processes at once (as when 企业微信
	// re-delivers it across a connection switch): one answer in all.
	m := msg{id: "dup-1", chatType: "group", chatID: "wrkD", user: "zhangsan", text: "@reportbot 进出口增长目标是多少"}
	var wg sync.WaitGroup
	for _, fc := range []*fakeConn{fc1, fc2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fc.send(fmt.Sprintf("req-dup-%d", fc.n), m)
		}()
	}
	wg.Wait()
	want := e.ref.says(groupMsg("wrkD", "zhangsan", "进出口增长目标是多少"))
	r := e.fake.next()
	if r.cmd != cmdRespond || r.markdown(t) != want {
		t.Fatalf("got %s %v, want the answer", r.cmd, r.body)
	}
	// A marker to each process; each process answers in order, so had
	// either answered the duplicate too, it would come before its marker.
	fc1.send("req-mark-1", msg{id: "mark-1", chatType: "single", user: "a", text: "帮助"})
	fc2.send("req-mark-2", msg{id: "mark-2", chatType: "single", user: "b", text: "帮助"})
	for range 2 {
		r := e.fake.next()
		if !strings.HasPrefix(r.req, "req-mark-") {
			t.Fatalf("a second answer to the duplicate: %s on connection %d", r.req, r.conn)
		}
	}
}

func TestWeComBotE2EHeartbeatLossAndReconnect(t *testing.T) {
	e := newE2E(t)
	e.fake.mu.Lock()
	e.fake.ignorePings[1] = true // the first connection goes silent
	e.fake.mu.Unlock()
	p := e.start(func(o *Options) {
		o.Heartbeat = 30 * time.Millisecond
		o.AckTimeout = 200 * time.Millisecond
	})
	first := e.fake.connection()
	second := e.fake.connection()
	if first.n != 1 || second.n != 2 {
		t.Fatalf("connections %d and %d", first.n, second.n)
	}
	waitFor(t, "Connected", p.client.Connected)
	if !strings.Contains(p.logs.String(), "heartbeat lost") {
		t.Fatalf("the log does not say why it reconnected")
	}
	second.send("req-1", msg{id: "h1", chatType: "single", user: "zhangsan", text: "中欧班列目标"})
	r := e.expectReply("req-1", e.ref.says(privateMsg("zhangsan", "中欧班列目标")))
	if r.conn != 2 {
		t.Fatalf("answered on connection %d", r.conn)
	}
}

func TestWeComBotE2EReplacedByNewerConnection(t *testing.T) {
	e := newE2E(t)
	p := e.start(nil)
	first := e.fake.connection()
	first.push(cmdEventCallback, "ev-1", map[string]any{"msgtype": "event", "event": map[string]any{"eventtype": "disconnected_event"}})
	second := e.fake.connection()
	if second.n != 2 {
		t.Fatalf("reconnected as connection %d", second.n)
	}
	if !strings.Contains(p.logs.String(), "replaced this connection") {
		t.Fatal("the log does not say the connection was replaced")
	}
	// A question sent on the old connection after the switch goes nowhere
	// (it is closed); the new one answers.
	second.send("req-1", msg{id: "r1", chatType: "group", chatID: "wrkR", user: "lisi", text: "@reportbot 新增床位多少"})
	e.expectReply("req-1", e.ref.says(groupMsg("wrkR", "lisi", "新增床位多少")))
}

func TestWeComBotE2EReplyRefusedIsPushedToTheChat(t *testing.T) {
	e := newE2E(t)
	e.start(nil)
	fc := e.fake.connection()
	e.fake.mu.Lock()
	e.fake.respondCode = 846605 // 企业微信 no longer knows the req_id
	e.fake.mu.Unlock()

	fc.send("req-old", msg{id: "o1", chatType: "group", chatID: "wrkO", user: "lisi", text: "@reportbot 中欧班列目标"})
	want := e.ref.says(groupMsg("wrkO", "lisi", "中欧班列目标"))
	if r := e.fake.next(); r.cmd != cmdRespond || r.req != "req-old" {
		t.Fatalf("first try: %s %s", r.cmd, r.req)
	}
	r := e.fake.next()
	if r.cmd != cmdSend || r.body["chatid"] != "wrkO" || r.body["chat_type"] != float64(2) || r.markdown(t) != want {
		t.Fatalf("fallback: %s %v", r.cmd, r.body)
	}
	// In a private chat the push goes to the person.
	fc.send("req-old-2", msg{id: "o2", chatType: "single", user: "lisi", text: "帮助"})
	e.fake.next()
	if r := e.fake.next(); r.cmd != cmdSend || r.body["chatid"] != "lisi" || r.body["chat_type"] != float64(1) {
		t.Fatalf("private fallback: %s %v", r.cmd, r.body)
	}
}

func TestWeComBotE2EMalformedFrames(t *testing.T) {
	e := newE2E(t)
	p := e.start(nil)
	fc := e.fake.connection()

	fc.write([]byte("not json {"))
	fc.write([]byte(`{"cmd":"aibot_msg_callback","headers":{"req_id":"bad-1"},"body":"a string"}`))
	fc.write([]byte(`{"cmd":"aibot_msg_callback","headers":{"req_id":"bad-2"},"body":{"msgid":"x1","msgtype":"text"}}`))
	fc.write([]byte(`{"cmd":"aibot_event_callback","headers":{"req_id":"bad-3"},"body":[1,2]}`))
	fc.write([]byte(`{"cmd":"something_new","headers":{"req_id":"bad-4"},"body":{}}`))
	fc.write([]byte(`{"headers":{"req_id":"ack-nobody-waits-for"},"errcode":0}`))
	fc.send("bad-5", msg{id: "x2", chatType: "group", user: "lisi", text: "@reportbot 中欧班列目标"}) // a group without chat ID
	fc.send("bad-6", msg{id: "x3", chatType: "single", user: "lisi", msgType: "text"})          // no text object: an empty text
	e.expectReply("bad-6", e.ref.says(privateMsg("lisi", "")))

	// Huge and emoji-only texts get the chat core's own answers.
	huge := strings.Repeat("报告", 3000)
	fc.send("req-huge", msg{id: "x4", chatType: "single", user: "lisi", text: huge})
	e.expectReply("req-huge", e.ref.says(privateMsg("lisi", huge)))
	fc.send("req-emoji", msg{id: "x5", chatType: "single", user: "lisi", text: "😀😀"})
	e.expectReply("req-emoji", e.ref.says(privateMsg("lisi", "😀😀")))
	fc.send("req-ok", msg{id: "x6", chatType: "single", user: "lisi", text: "中欧班列目标"})
	e.expectReply("req-ok", e.ref.says(privateMsg("lisi", "中欧班列目标")))
	if e.fake.conns[0] != fc || len(e.fake.subscribed) != 0 {
		t.Fatal("the bot reconnected over a malformed frame")
	}
	if !strings.Contains(p.logs.String(), "not JSON") {
		t.Fatal("the frame that is not JSON was not logged")
	}
}

func TestWeComBotE2EDigestPushedToChat(t *testing.T) {
	e := newE2E(t)
	p := e.start(nil)
	e.fake.connection()
	waitFor(t, "Connected", p.client.Connected)

	rdb := redis.NewClient(&redis.Options{Addr: e.redis.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	state := redisstore.New(rdb, redisstore.WithPrefix("e2e-digest:")).DigestState()
	reports, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := digest.New(digest.Config{
		StartDate:  "2026-12-01",
		WeComChats: map[string]string{"publicity": "wrkPub", "head": SinglePrefix + "zhangsan"},
	}, reports, state, nil, digest.WithWeComBot(p.client))
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 12, 3, 8, 0, 0, 0, svc.Location())
	out, err := svc.Send(context.Background(), day, "", false)
	if err != nil {
		t.Fatal(err)
	}
	pushed := map[string]received{}
	for range 2 {
		r := e.fake.next()
		if r.cmd != cmdSend {
			t.Fatalf("got %s, want %s", r.cmd, cmdSend)
		}
		pushed[fmt.Sprint(r.body["chatid"])] = r
	}
	want := map[string]float64{"wrkPub": 2, "zhangsan": 1} // chat_type: 2 group, 1 single
	for chat, typ := range want {
		r, ok := pushed[chat]
		if !ok || r.body["chat_type"] != typ {
			t.Fatalf("push to %s: %v", chat, r.body)
		}
	}
	for _, o := range out {
		if o.Result != digest.ResultSent {
			t.Fatalf("%s: %s %s", o.Target, o.Result, o.Reason)
		}
		chat := map[string]string{digest.WeComBotPrefix + "publicity": "wrkPub", digest.WeComBotPrefix + "head": "zhangsan"}[o.Target]
		if got := pushed[chat].markdown(t); got != o.Text {
			t.Fatalf("%s got %q, the digest says %q", o.Target, got, o.Text)
		}
	}
	// Exactly once per target: a second push sends nothing.
	again, err := svc.Send(context.Background(), day, "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range again {
		if o.Result != digest.ResultAlreadySent {
			t.Fatalf("second push: %s %s", o.Target, o.Result)
		}
	}
	// 企业微信 refusing a push is a failure with its reason, not a success.
	e.fake.mu.Lock()
	e.fake.sendCode = 93006
	e.fake.mu.Unlock()
	next := day.AddDate(0, 0, 1)
	out, err = svc.Send(context.Background(), next, "wecombot:publicity", false)
	if err != nil {
		t.Fatal(err)
	}
	e.fake.next()
	if out[0].Result != digest.ResultFailed || !strings.Contains(out[0].Reason, "93006") {
		t.Fatalf("refused push: %+v", out[0])
	}
}

// callbackServer serves a Callback on loopback.
func callbackServer(t *testing.T, opts CallbackOptions) (*httptest.Server, *Crypto) {
	t.Helper()
	cb, err := NewCallback(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(cb)
	t.Cleanup(srv.Close)
	crypto, err := NewCrypto(opts.Token, opts.EncodingAESKey, opts.ReceiveID)
	if err != nil {
		t.Fatal(err)
	}
	return srv, crypto
}

func TestWeComBotE2ECallbackURLCheck(t *testing.T) {
	core := newChatCore(t, memstore.New(), nil)
	// The official sample request, byte for byte.
	srv, _ := callbackServer(t, CallbackOptions{Token: vectorToken, EncodingAESKey: vectorKey, ReceiveID: vectorReceiveID, Handler: core})
	q := url.Values{"msg_signature": {vectorSignature}, "timestamp": {vectorTimestamp}, "nonce": {vectorNonce}, "echostr": {vectorEchoStr}}
	status, body := get(t, srv.URL+"/?"+q.Encode())
	if status != http.StatusOK || body != vectorPlain {
		t.Fatalf("official URL check: %d %q, want 200 %q", status, body, vectorPlain)
	}
	q.Set("msg_signature", strings.Repeat("0", 40))
	if status, _ := get(t, srv.URL+"/?"+q.Encode()); status != http.StatusForbidden {
		t.Fatalf("forged signature: %d, want 403", status)
	}

	// The AI bot's own check: empty receive ID.
	srv, crypto := callbackServer(t, CallbackOptions{Token: "tok", EncodingAESKey: vectorKey, Handler: core})
	echo, err := crypto.Encrypt([]byte("8877665544"))
	if err != nil {
		t.Fatal(err)
	}
	q = url.Values{"msg_signature": {crypto.Signature("1700000000", "42", echo)}, "timestamp": {"1700000000"}, "nonce": {"42"}, "echostr": {echo}}
	if status, body := get(t, srv.URL+"/?"+q.Encode()); status != http.StatusOK || body != "8877665544" {
		t.Fatalf("AI bot URL check: %d %q", status, body)
	}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	status, body := read(t)(http.Get(u))
	return status, string(body)
}

// read takes an HTTP response whole.
func read(t *testing.T) func(*http.Response, error) (int, []byte) {
	return func(resp *http.Response, err error) (int, []byte) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
}

func TestWeComBotE2ECallbackEncryptedMessage(t *testing.T) {
	rs := redistest.Start(t)
	core := newChatCore(t, redisStore(t, rs), nil)
	srv, crypto := callbackServer(t, CallbackOptions{Token: "tok", EncodingAESKey: vectorKey, Handler: core, Names: []string{"reportbot"}})
	ref := newReference(t)

	post := func(m msg) (int, []byte) {
		plain, _ := json.Marshal(m.body("aib-callback"))
		enc, err := crypto.Encrypt(plain)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]string{"encrypt": enc})
		q := url.Values{"msg_signature": {crypto.Signature("1700000001", "7", enc)}, "timestamp": {"1700000001"}, "nonce": {"7"}}
		return read(t)(http.Post(srv.URL+"/?"+q.Encode(), "application/json", strings.NewReader(string(body))))
	}

	m := msg{id: "cb-1", chatType: "group", chatID: "wrkC", user: "zhangsan", text: "@reportbot 中欧班列目标"}
	status, data := post(m)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, data)
	}
	var rep struct {
		Encrypt   string `json:"encrypt"`
		Signature string `json:"msgsignature"`
		Timestamp int64  `json:"timestamp"`
		Nonce     string `json:"nonce"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("reply is not JSON: %s", data)
	}
	if err := crypto.Verify(rep.Signature, fmt.Sprint(rep.Timestamp), rep.Nonce, rep.Encrypt); err != nil {
		t.Fatalf("reply signature: %v", err)
	}
	plain, err := crypto.Decrypt(rep.Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		MsgType string `json:"msgtype"`
		Stream  *struct {
			ID      string `json:"id"`
			Finish  bool   `json:"finish"`
			Content string `json:"content"`
		} `json:"stream"`
	}
	if err := json.Unmarshal(plain, &body); err != nil || body.Stream == nil || !body.Stream.Finish {
		t.Fatalf("reply body %s", plain)
	}
	if want := ref.says(groupMsg("wrkC", "zhangsan", "中欧班列目标")); body.Stream.Content != want {
		t.Fatalf("reply:\n%s\nwant:\n%s", body.Stream.Content, want)
	}
	// 企业微信 retries a callback it thinks timed out: answered once.
	if status, data := post(m); status != http.StatusOK || len(data) != 0 {
		t.Fatalf("retry: %d %q, want 200 and no body", status, data)
	}
	// A body encrypted with another key, or not encrypted at all, is refused.
	if status, _ := read(t)(http.Post(srv.URL+"/?msg_signature=x&timestamp=1&nonce=1", "application/json", strings.NewReader(`{"encrypt":"AAAA"}`))); status != http.StatusForbidden {
		t.Fatalf("forged message: %d, want 403", status)
	}
}

// waitFor polls cond (the client works on its own goroutines) within a
// generous bound; it asserts an outcome, not a duration.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
