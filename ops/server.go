package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxQuestionChars is the longest question /api/ask takes, in characters.
const MaxQuestionChars = 2000

// Redis states for HealthStatus.Redis other than "down: <why>".
const (
	RedisOK            = "ok"
	RedisNotConfigured = "not configured"
)

// HealthStatus is what /healthz reports.
type HealthStatus struct {
	// LoggedIn tells whether the WeChat account is logged in.
	LoggedIn bool `json:"logged_in"`
	// Redis is "ok", "down: <why>" or "not configured" (in-memory state).
	Redis string `json:"redis"`
	// Channels are the chat channels serve runs, each up or down.
	Channels []ChannelStatus `json:"channels,omitempty"`
}

// Healthy is true when Redis, if configured, answers and every channel is
// up; without a channel list, when the WeChat account is logged in.
func (h HealthStatus) Healthy() bool {
	if h.Redis != RedisOK && h.Redis != RedisNotConfigured {
		return false
	}
	if h.Channels == nil {
		return h.LoggedIn
	}
	for _, c := range h.Channels {
		if !c.Up {
			return false
		}
	}
	return true
}

// Handlers are what the endpoints ask of the rest of the bot. A nil Health
// makes /healthz report only that the process runs; a nil Ask or Metrics
// leaves that endpoint out (404).
type Handlers struct {
	Health func(ctx context.Context) HealthStatus
	// Ask answers a question; the result is sent as JSON, the same value
	// `reportbot ask --json` prints.
	Ask     func(ctx context.Context, question string) (any, error)
	Metrics *Metrics
	// Fallback serves every other path: the web console, when it shares
	// this address. nil: 404.
	Fallback http.Handler
}

// healthTimeout bounds a health check, so a hanging Redis makes /healthz
// answer 503 rather than hang with it.
const healthTimeout = 3 * time.Second

// Handler returns the endpoints as one http.Handler: /healthz, /metrics and
// /api/ask. A nil logger discards.
func Handler(h Handlers, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { serveHealth(w, r, h.Health) })
	if h.Metrics != nil {
		mux.Handle("/metrics", h.Metrics)
	}
	if h.Ask != nil {
		mux.HandleFunc("/api/ask", func(w http.ResponseWriter, r *http.Request) { serveAsk(w, r, h.Ask, logger) })
	}
	if h.Fallback != nil {
		mux.Handle("/", h.Fallback)
	}
	return mux
}

type healthBody struct {
	Status string `json:"status"` // "ok" or "unhealthy"
	*HealthStatus
}

func serveHealth(w http.ResponseWriter, r *http.Request, health func(context.Context) HealthStatus) {
	if !allowGet(w, r) {
		return
	}
	if health == nil {
		writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	st := health(ctx)
	if !st.Healthy() {
		writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: "unhealthy", HealthStatus: &st})
		return
	}
	writeJSON(w, http.StatusOK, healthBody{Status: "ok", HealthStatus: &st})
}

type errorBody struct {
	Error string `json:"error"`
}

func serveAsk(w http.ResponseWriter, r *http.Request, ask func(context.Context, string) (any, error), logger *slog.Logger) {
	if !allowGet(w, r) {
		return
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// url.Query would drop the bad pair and report "missing question".
		writeJSON(w, http.StatusBadRequest, errorBody{"malformed query string (bad %-escape?): " + err.Error()})
		return
	}
	q := strings.TrimSpace(query.Get("q"))
	switch {
	case strings.ContainsFunc(q, isBadControl):
		writeJSON(w, http.StatusBadRequest, errorBody{"question contains a control character (such as %00)"})
		return
	case q == "":
		writeJSON(w, http.StatusBadRequest, errorBody{"missing question: use /api/ask?q=..."})
		return
	case !utf8.ValidString(q):
		writeJSON(w, http.StatusBadRequest, errorBody{"question is not valid UTF-8"})
		return
	case utf8.RuneCountInString(q) > MaxQuestionChars:
		writeJSON(w, http.StatusBadRequest, errorBody{"question longer than " + strconv.Itoa(MaxQuestionChars) + " characters"})
		return
	}
	result, err := ask(r.Context(), q)
	if err != nil {
		logger.Warn("ops: /api/ask failed", "question", q, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, result)
}

// isBadControl is a control character other than the tab and line breaks a
// pasted question may carry.
func isBadControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

// writeJSON encodes v before writing anything, so an encoding failure still
// gets a proper 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "&" and "<" in answers readable
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		json.NewEncoder(&buf).Encode(errorBody{"encode response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{"method " + r.Method + " not allowed"})
	return false
}

// shutdownTimeout bounds how long stopping waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// Server runs the endpoints on an address until its context ends.
type Server struct {
	addr    string
	handler http.Handler
	logger  *slog.Logger
}

// NewServer returns a server for addr (host:port; "" disables it). A nil
// logger discards.
func NewServer(addr string, h Handlers, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{addr: addr, handler: Handler(h, logger), logger: logger}
}

// Handler returns the server's endpoints, for tests and for mounting
// elsewhere.
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe listens on the server's address and serves until ctx ends,
// then shuts down gracefully and returns nil. With an empty address it
// returns nil at once.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if s.addr == "" {
		s.logger.Info("ops endpoints disabled")
		return nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("ops endpoints: listen on %s: %w", s.addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then shuts down gracefully (waiting up
// to 5 s for requests in flight) and returns nil. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.logger.Info("ops endpoints listening", "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("ops endpoints on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		hs.Close()
		s.logger.Warn("ops endpoints: shutdown cut short", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("ops endpoints on %s: %w", ln.Addr(), err)
	}
	s.logger.Info("ops endpoints stopped")
	return nil
}
