package wecom_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The fake's own view of the wire format, written from the protocol
// description rather than shared with the client, so that a change on one
// side shows.
const (
	cmdSubscribe     = "aibot_subscribe"
	cmdPing          = "ping"
	cmdMsgCallback   = "aibot_msg_callback"
	cmdEventCallback = "aibot_event_callback"
	cmdRespond       = "aibot_respond_msg"
	cmdSend          = "aibot_send_msg"
)

type frame struct {
	Cmd     string          `json:"cmd,omitempty"`
	Headers headers         `json:"headers"`
	Body    json.RawMessage `json:"body,omitempty"`
	ErrCode int             `json:"errcode,omitempty"`
	ErrMsg  string          `json:"errmsg,omitempty"`
}

type headers struct {
	ReqID string `json:"req_id"`
}

// fakeWeCom is a local stand-in for wss://openws.work.weixin.qq.com: it
// checks the subscribe frame, acknowledges pings and replies, records what
// the bot sends, and lets a test push frames into any connection. Unlike
// the real server it keeps several connections of one bot open, so a test
// can hand the same message to two bot processes.
type fakeWeCom struct {
	t      *testing.T
	srv    *httptest.Server
	botID  string
	secret string

	subscribed chan *fakeConn // every connection that subscribed
	received   chan received  // every aibot_respond_msg and aibot_send_msg

	mu    sync.Mutex
	conns []*fakeConn
	// ignorePings names connections (by number, from 1) whose pings go
	// unanswered, as on a half-dead network path.
	ignorePings map[int]bool
	// sendCode and respondCode are the errcodes answering aibot_send_msg
	// and aibot_respond_msg (0: ok).
	sendCode, respondCode int
}

// fakeConn is one connection the fake accepted.
type fakeConn struct {
	fake  *fakeWeCom
	n     int // 1 for the first connection
	ws    *websocket.Conn
	ctx   context.Context
	pings atomic.Int32
}

// received is one frame the bot sent, with its body decoded.
type received struct {
	conn int
	cmd  string
	req  string
	body map[string]any
}

func newFakeWeCom(t *testing.T) *fakeWeCom {
	f := &fakeWeCom{
		t: t, botID: "aib-test-bot", secret: "s3cr3t-of-the-bot-never-logged",
		subscribed:  make(chan *fakeConn, 16),
		received:    make(chan received, 64),
		ignorePings: map[int]bool{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWeCom) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

func (f *fakeWeCom) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	f.mu.Lock()
	fc := &fakeConn{fake: f, n: len(f.conns) + 1, ws: ws, ctx: r.Context()}
	f.conns = append(f.conns, fc)
	f.mu.Unlock()
	for {
		_, data, err := ws.Read(r.Context())
		if err != nil {
			return
		}
		var fr frame
		if err := json.Unmarshal(data, &fr); err != nil {
			f.t.Errorf("fake 企业微信: the bot sent a frame that is not JSON: %q", data)
			return
		}
		var body map[string]any
		if len(fr.Body) > 0 {
			if err := json.Unmarshal(fr.Body, &body); err != nil {
				f.t.Errorf("fake 企业微信: %s body is not an object: %s", fr.Cmd, fr.Body)
			}
		}
		if fr.Headers.ReqID == "" {
			f.t.Errorf("fake 企业微信: %s without req_id", fr.Cmd)
		}
		switch fr.Cmd {
		case cmdSubscribe:
			if body["bot_id"] != f.botID || body["secret"] != f.secret {
				fc.ack(fr.Headers.ReqID, 40058, "invalid bot_id or secret")
				ws.Close(websocket.StatusPolicyViolation, "unauthorized")
				return
			}
			fc.ack(fr.Headers.ReqID, 0, "ok")
			f.subscribed <- fc
		case cmdPing:
			fc.pings.Add(1)
			f.mu.Lock()
			ignore := f.ignorePings[fc.n]
			f.mu.Unlock()
			if !ignore {
				fc.ack(fr.Headers.ReqID, 0, "ok")
			}
		case cmdRespond, cmdSend:
			f.received <- received{conn: fc.n, cmd: fr.Cmd, req: fr.Headers.ReqID, body: body}
			f.mu.Lock()
			code := f.respondCode
			if fr.Cmd == cmdSend {
				code = f.sendCode
			}
			f.mu.Unlock()
			fc.ack(fr.Headers.ReqID, code, "")
		default:
			f.t.Errorf("fake 企业微信: unknown command %q", fr.Cmd)
		}
	}
}

func (fc *fakeConn) ack(reqID string, code int, msg string) {
	data, _ := json.Marshal(frame{Headers: headers{reqID}, ErrCode: code, ErrMsg: msg})
	fc.write(data)
}

func (fc *fakeConn) write(data []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The connection may be gone already (a test that cut it); that is no
	// failure of the fake.
	_ = fc.ws.Write(ctx, websocket.MessageText, data)
}

// push sends a command frame with body to the bot.
func (fc *fakeConn) push(cmd, reqID string, body any) {
	raw, err := json.Marshal(body)
	if err != nil {
		fc.fake.t.Fatal(err)
	}
	data, _ := json.Marshal(frame{Cmd: cmd, Headers: headers{reqID}, Body: raw})
	fc.write(data)
}

// msg is an incoming message as 企业微信 sends it.
type msg struct {
	id, chatType, chatID, user, text string
	msgType                          string // default "text"
}

func (m msg) body(botID string) map[string]any {
	b := map[string]any{
		"msgid": m.id, "aibotid": botID, "chattype": m.chatType,
		"from": map[string]any{"userid": m.user}, "msgtype": "text",
	}
	if m.chatID != "" {
		b["chatid"] = m.chatID
	}
	if m.msgType != "" {
		b["msgtype"] = m.msgType
	}
	if b["msgtype"] == "text" {
		b["text"] = map[string]any{"content": m.text}
	}
	return b
}

// send delivers m on the connection with req_id reqID.
func (fc *fakeConn) send(reqID string, m msg) {
	fc.push(cmdMsgCallback, reqID, m.body(fc.fake.botID))
}

// next is the next frame the bot sent, within a generous bound.
func (f *fakeWeCom) next() received {
	f.t.Helper()
	select {
	case r := <-f.received:
		return r
	case <-time.After(15 * time.Second):
		f.t.Fatal("fake 企业微信: the bot sent nothing")
	}
	return received{}
}

// connection waits for the next connection to subscribe.
func (f *fakeWeCom) connection() *fakeConn {
	f.t.Helper()
	select {
	case fc := <-f.subscribed:
		return fc
	case <-time.After(15 * time.Second):
		f.t.Fatal("fake 企业微信: no connection subscribed")
	}
	return nil
}

// markdown is the text of a reply or push.
func (r received) markdown(t *testing.T) string {
	t.Helper()
	switch r.body["msgtype"] {
	case "markdown":
		if m, ok := r.body["markdown"].(map[string]any); ok {
			s, _ := m["content"].(string)
			return s
		}
	case "stream":
		if m, ok := r.body["stream"].(map[string]any); ok {
			if m["finish"] != true {
				t.Errorf("stream not finished: %v", m)
			}
			s, _ := m["content"].(string)
			return s
		}
	}
	t.Fatalf("%s without markdown or stream content: %v", r.cmd, r.body)
	return ""
}
