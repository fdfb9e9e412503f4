package ops

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func get(t *testing.T, h http.Handler, target string) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	r := response{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", target, ct)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r.body); err != nil {
		t.Fatalf("GET %s: body %q is not a JSON object: %v", target, r.raw, err)
	}
	return r
}

func TestHealthz(t *testing.T) {
	cases := []struct {
		name   string
		status HealthStatus
		code   int
		want   string
	}{
		{"logged in, redis ok", HealthStatus{LoggedIn: true, Redis: RedisOK}, 200, "ok"},
		{"logged in, no redis", HealthStatus{LoggedIn: true, Redis: RedisNotConfigured}, 200, "ok"},
		{"not logged in", HealthStatus{LoggedIn: false, Redis: RedisOK}, 503, "unhealthy"},
		{"redis down", HealthStatus{LoggedIn: true, Redis: "down: dial tcp 127.0.0.1:6379: connection refused"}, 503, "unhealthy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := Handler(Handlers{Health: func(ctx context.Context) HealthStatus {
				if _, ok := ctx.Deadline(); !ok {
					t.Error("health check runs without a deadline")
				}
				return tc.status
			}}, nil)
			r := get(t, h, "/healthz")
			if r.status != tc.code {
				t.Errorf("status %d, want %d", r.status, tc.code)
			}
			if r.body["status"] != tc.want || r.body["logged_in"] != tc.status.LoggedIn || r.body["redis"] != tc.status.Redis {
				t.Errorf("body %s", r.raw)
			}
		})
	}
}

func TestHealthzWithoutCheckReportsTheProcessRuns(t *testing.T) {
	r := get(t, Handler(Handlers{}, nil), "/healthz")
	if r.status != 200 || r.raw != "{\"status\":\"ok\"}\n" {
		t.Fatalf("status %d body %q", r.status, r.raw)
	}
}

type answer struct {
	Question string   `json:"question"`
	Found    bool     `json:"found"`
	Passages []string `json:"passages"`
}

func TestAsk(t *testing.T) {
	var asked []string
	h := Handler(Handlers{Ask: func(ctx context.Context, q string) (any, error) {
		asked = append(asked, q)
		if q == "爆炸" {
			return nil, errors.New("search: index closed")
		}
		return answer{Question: q, Found: true, Passages: []string{"中欧班列 & 西部陆海新通道 <200列>"}}, nil
	}}, nil)

	r := get(t, h, "/api/ask?q="+url.QueryEscape(" 中欧班列目标 "))
	if r.status != 200 {
		t.Fatalf("status %d body %s", r.status, r.raw)
	}
	if r.body["question"] != "中欧班列目标" || r.body["found"] != true {
		t.Errorf("body %s", r.raw)
	}
	if !strings.Contains(r.raw, "中欧班列 & 西部陆海新通道 <200列>") {
		t.Errorf("answer text escaped or lost: %s", r.raw)
	}

	r = get(t, h, "/api/ask?q="+url.QueryEscape("爆炸"))
	if r.status != 500 || r.body["error"] != "search: index closed" {
		t.Errorf("failing ask: status %d body %s", r.status, r.raw)
	}

	long := strings.Repeat("问", MaxQuestionChars)
	if r = get(t, h, "/api/ask?q="+url.QueryEscape(long)); r.status != 200 {
		t.Errorf("%d-character question: status %d", MaxQuestionChars, r.status)
	}
	if want := []string{"中欧班列目标", "爆炸", long}; !slices.Equal(asked, want) {
		t.Errorf("Ask got %d questions, want the trimmed %d", len(asked), len(want))
	}
}

func TestAskRejectsBadQuestions(t *testing.T) {
	called := false
	h := Handler(Handlers{Ask: func(ctx context.Context, q string) (any, error) {
		called = true
		return nil, nil
	}}, nil)
	for name, target := range map[string]string{
		"missing":      "/api/ask",
		"empty":        "/api/ask?q=",
		"blank":        "/api/ask?q=" + url.QueryEscape("  \t "),
		"too long":     "/api/ask?q=" + url.QueryEscape(strings.Repeat("问", MaxQuestionChars+1)),
		"invalid utf8": "/api/ask?q=%ff%fe",
	} {
		r := get(t, h, target)
		if r.status != 400 {
			t.Errorf("%s: status %d", name, r.status)
		}
		if msg, _ := r.body["error"].(string); msg == "" {
			t.Errorf("%s: no error message in %s", name, r.raw)
		}
	}
	if called {
		t.Error("Ask was called for a rejected question")
	}
}

// A malformed query string and control characters get their own message,
// not "missing question" or the bot's help.
func TestAskSaysWhatIsWrongWithTheQuery(t *testing.T) {
	h := Handler(Handlers{Ask: func(ctx context.Context, q string) (any, error) {
		t.Errorf("Ask called with %q", q)
		return nil, nil
	}}, nil)
	for target, want := range map[string]string{
		"/api/ask?q=%ZZ":          "malformed",
		"/api/ask?q=%E4%B8%AD%ZZ": "malformed",
		"/api/ask?q=%00":          "control character",
		"/api/ask?q=" + url.QueryEscape("中欧\x00班列"): "control character",
		"/api/ask?q=%07%1b": "control character",
	} {
		r := get(t, h, target)
		msg, _ := r.body["error"].(string)
		if r.status != 400 || !strings.Contains(msg, want) || strings.Contains(msg, "missing question") {
			t.Errorf("%s: %d %q; want 400 saying %q", target, r.status, msg, want)
		}
	}
}

func TestAskRejectsOtherMethods(t *testing.T) {
	h := Handler(Handlers{Ask: func(context.Context, string) (any, error) { return "x", nil }}, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/ask?q=x", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Fatalf("status %d Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestUnwiredEndpointsAreNotFound(t *testing.T) {
	h := Handler(Handlers{}, nil)
	for _, path := range []string{"/metrics", "/api/ask?q=x", "/"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d", path, rec.Code)
		}
	}
}

func TestUnencodableAnswerIsA500(t *testing.T) {
	h := Handler(Handlers{Ask: func(context.Context, string) (any, error) { return func() {}, nil }}, nil)
	r := get(t, h, "/api/ask?q=x")
	if r.status != 500 || !strings.HasPrefix(r.body["error"].(string), "encode response") {
		t.Fatalf("status %d body %s", r.status, r.raw)
	}
}

func TestServerServesUntilContextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := new(Metrics)
	s := NewServer("unused", Handlers{
		Health:  func(context.Context) HealthStatus { return HealthStatus{LoggedIn: true, Redis: RedisOK} },
		Metrics: m,
	}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"redis":"ok"`) {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second): // a guard against hanging, not a timing assertion
		t.Fatal("Serve did not return after its context ended")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestListenAndServe(t *testing.T) {
	if err := NewServer("", Handlers{}, nil).ListenAndServe(context.Background()); err != nil {
		t.Errorf("disabled server: %v", err)
	}
	// Take a port, then ask the server for the same one.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = NewServer(ln.Addr().String(), Handlers{}, nil).ListenAndServe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "listen on "+ln.Addr().String()) {
		t.Errorf("busy port: %v", err)
	}
}
