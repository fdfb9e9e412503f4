package ops

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The web console shares the ops address through Fallback: every path the
// endpoints do not serve goes to it, and /healthz stays the ops one.
func TestFallbackServesOtherPaths(t *testing.T) {
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "console "+r.Method+" "+r.URL.Path)
	})
	srv := httptest.NewServer(Handler(Handlers{Fallback: fallback}, nil))
	defer srv.Close()
	for path, want := range map[string]string{
		"/":            "console GET /",
		"/day/2026-12": "console GET /day/2026-12",
		"/healthz":     `{"status":"ok"}` + "\n",
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != want {
			t.Errorf("GET %s: %q, want %q", path, body, want)
		}
	}
	resp, err := http.Post(srv.URL+"/login", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "console POST /login" {
		t.Errorf("POST /login: %q", body)
	}
}
