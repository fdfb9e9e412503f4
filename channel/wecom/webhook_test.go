package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "0123-secret-key-4567"

// fakeRobot is a 企业微信 webhook server: it answers each POST with the next
// scripted reply (the last one repeats) and records what it received.
type fakeRobot struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	replies []func(w http.ResponseWriter)
	got     []message
}

func newFakeRobot(t *testing.T, replies ...func(w http.ResponseWriter)) *fakeRobot {
	f := &fakeRobot{t: t, replies: replies}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRobot) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != testKey {
		http.Error(w, "bad request line", http.StatusBadRequest)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		http.Error(w, "bad content type "+ct, http.StatusBadRequest)
		return
	}
	var m message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	n := len(f.got)
	f.got = append(f.got, m)
	reply := f.replies[min(n, len(f.replies)-1)]
	f.mu.Unlock()
	reply(w)
}

func (f *fakeRobot) received() []message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]message(nil), f.got...)
}

func (f *fakeRobot) robot(log *slog.Logger) *Robot {
	return &Robot{
		URL:        f.srv.URL + "/cgi-bin/webhook/send?key=" + testKey,
		HTTPClient: f.srv.Client(),
		Logger:     log,
		MaxRetries: 3,
		Backoff:    time.Millisecond,
	}
}

func errcode(code int, msg string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(reply{ErrCode: code, ErrMsg: msg})
	}
}

func status(code int) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) { http.Error(w, "upstream trouble", code) }
}

func TestDigestWeComSendsTextAndMarkdown(t *testing.T) {
	f := newFakeRobot(t, errcode(0, "ok"))
	r := f.robot(nil)
	ctx := context.Background()
	if err := r.SendText(ctx, "每日一读 · 第1期"); err != nil {
		t.Fatal(err)
	}
	if err := r.SendMarkdown(ctx, "**每日一读**"); err != nil {
		t.Fatal(err)
	}
	got := f.received()
	if len(got) != 2 {
		t.Fatalf("server got %d messages, want 2", len(got))
	}
	if got[0].MsgType != "text" || got[0].Text == nil || got[0].Text.Content != "每日一读 · 第1期" || got[0].Markdown != nil {
		t.Errorf("text message = %+v", got[0])
	}
	if got[1].MsgType != "markdown" || got[1].Markdown == nil || got[1].Markdown.Content != "**每日一读**" || got[1].Text != nil {
		t.Errorf("markdown message = %+v", got[1])
	}
}

func TestDigestWeComRateLimitIsRetriedAndDeliveredOnce(t *testing.T) {
	f := newFakeRobot(t, errcode(CodeRateLimited, "api freq out of limit"), errcode(CodeRateLimited, "api freq out of limit"), errcode(0, "ok"))
	var logs bytes.Buffer
	r := f.robot(slog.New(slog.NewTextHandler(&logs, nil)))
	if err := r.SendMarkdown(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.received()); n != 3 {
		t.Errorf("server got %d posts, want 3 (two rate-limited, one accepted)", n)
	}
	if n := strings.Count(logs.String(), "retrying"); n != 2 {
		t.Errorf("logged %d retries, want 2:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), testKey) {
		t.Errorf("log shows the webhook key:\n%s", logs.String())
	}
}

func TestDigestWeComGivesUpAfterMaxRetries(t *testing.T) {
	f := newFakeRobot(t, errcode(CodeRateLimited, "api freq out of limit"))
	r := f.robot(nil)
	r.MaxRetries = 2
	err := r.SendText(context.Background(), "hello")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != CodeRateLimited {
		t.Fatalf("err = %v, want an APIError 45009", err)
	}
	if n := len(f.received()); n != 3 {
		t.Errorf("server got %d posts, want 3 (1 + 2 retries)", n)
	}
	if !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Errorf("err = %v, want it to say how many attempts", err)
	}
}

func TestDigestWeComServerErrorIsRetried(t *testing.T) {
	f := newFakeRobot(t, status(http.StatusBadGateway), errcode(0, "ok"))
	if err := f.robot(nil).SendText(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.received()); n != 2 {
		t.Errorf("server got %d posts, want 2", n)
	}
}

func TestDigestWeComOtherErrcodesFailAtOnce(t *testing.T) {
	for _, code := range []int{CodeInvalidWebhook, 40008} {
		f := newFakeRobot(t, errcode(code, "invalid"))
		err := f.robot(nil).SendText(context.Background(), "hello")
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != code {
			t.Fatalf("errcode %d: err = %v, want an APIError with that code", code, err)
		}
		if n := len(f.received()); n != 1 {
			t.Errorf("errcode %d: server got %d posts, want 1 (no retry)", code, n)
		}
		if msg := err.Error(); !strings.Contains(msg, "errcode") || strings.Contains(msg, testKey) || !strings.Contains(msg, "key=REDACTED") {
			t.Errorf("errcode %d: err = %q, want the code and the redacted URL, never the key", code, msg)
		}
	}
}

func TestDigestWeComNetworkErrorBeforeSendingIsRetried(t *testing.T) {
	// A port nobody listens on: the connection is refused before any byte
	// of the request leaves, so retrying cannot post twice.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var logs bytes.Buffer
	r := &Robot{URL: "http://" + addr + "/cgi-bin/webhook/send?key=" + testKey, Logger: slog.New(slog.NewTextHandler(&logs, nil)), MaxRetries: 2, Backoff: time.Millisecond}
	err = r.SendText(context.Background(), "hello")
	if err == nil || errors.Is(err, ErrMaybeDelivered) {
		t.Fatalf("err = %v, want a plain network error", err)
	}
	if n := strings.Count(logs.String(), "retrying"); n != 2 {
		t.Errorf("logged %d retries, want 2", n)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(logs.String(), testKey) {
		t.Errorf("the webhook key leaked: err %q, logs %s", err, logs.String())
	}
}

func TestDigestWeComLostReplyIsNotRetried(t *testing.T) {
	// The server reads the request, then drops the connection: the robot
	// may have posted, so a retry could post twice.
	f := newFakeRobot(t, func(w http.ResponseWriter) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	err := f.robot(nil).SendText(context.Background(), "hello")
	if !errors.Is(err, ErrMaybeDelivered) {
		t.Fatalf("err = %v, want ErrMaybeDelivered", err)
	}
	if n := len(f.received()); n != 1 {
		t.Errorf("server got %d posts, want 1", n)
	}
}

func TestDigestWeComBackoffStopsWithContext(t *testing.T) {
	f := newFakeRobot(t, errcode(CodeRateLimited, "api freq out of limit"))
	r := f.robot(nil)
	r.Backoff = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.SendText(ctx, "hello") }()
	for len(f.received()) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SendText kept waiting after the context ended")
	}
}

func TestDigestWeComRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	r := &Robot{URL: "http://qyapi.example.com/cgi-bin/webhook/send?key=" + testKey}
	if err := r.SendText(ctx, "hello"); err == nil || !strings.Contains(err.Error(), "https") || strings.Contains(err.Error(), testKey) {
		t.Errorf("plain http to a remote host: err = %v, want a refusal naming https without the key", err)
	}
	f := newFakeRobot(t, errcode(0, "ok"))
	long := strings.Repeat("字", MaxTextBytes/3+1)
	if err := f.robot(nil).SendText(ctx, long); !errors.Is(err, ErrTooLong) {
		t.Errorf("too long text: err = %v, want ErrTooLong", err)
	}
	if err := f.robot(nil).SendText(ctx, ""); err == nil {
		t.Error("empty text: no error")
	}
	if n := len(f.received()); n != 0 {
		t.Errorf("server got %d posts, want none", n)
	}
}

func TestDigestWeComRedactURL(t *testing.T) {
	got := RedactURL("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + testKey + "&debug=1")
	if strings.Contains(got, testKey) || !strings.Contains(got, "key=REDACTED") || !strings.Contains(got, "debug=1") {
		t.Errorf("RedactURL = %q", got)
	}
	if got := RedactURL("https://h/x?a=1"); got != "https://h/x?a=1" {
		t.Errorf("RedactURL without key = %q, want unchanged", got)
	}
}
