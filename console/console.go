// Package console is the publicity team's web console: sign-in for named
// users, the calendar of the coming digests with their previews, editing,
// skipping and restoring a day, sending a day to one target, what went out
// and what people asked. It is server-rendered with html/template and uses
// no JavaScript: every action is a plain form POST, so it works on any
// phone browser.
//
// Nothing but /healthz answers without signing in. Every POST carries a
// CSRF token (the session's, or before sign-in a cookie's) and is refused
// without it; cookies are HttpOnly and SameSite=Strict.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/digest"
)

// Digest is what the console needs of the daily digest (*digest.Service).
type Digest interface {
	Today() time.Time
	Compose(day time.Time) (digest.Digest, error)
	ComposeOverride(day time.Time, text string) (digest.Digest, error)
	CardOf(d digest.Digest) digest.CardContent
	Mode(day time.Time) (digest.DayMode, string, error)
	Editable() bool
	SaveOverride(day time.Time, text string) error
	Skip(day time.Time) error
	Restore(day time.Time) error
	Revert(day time.Time) error
	Send(ctx context.Context, day time.Time, target string, dryRun bool) ([]digest.Outcome, error)
	Status(ctx context.Context, day time.Time) ([]digest.TargetStatus, error)
	ParseDate(date string) (time.Time, error)
}

// Store is what the console keeps: its sessions, the one-time sign-in
// links used and sign-in attempts (both through Admit, the chat core's
// de-duplication and rate limits) and the questions asked.
// store/memstore and store/redisstore implement it.
type Store interface {
	PutConsoleSession(ctx context.Context, id string, data []byte, ttl time.Duration) error
	GetConsoleSession(ctx context.Context, id string) ([]byte, bool, error)
	DeleteConsoleSession(ctx context.Context, id string) error
	Admit(ctx context.Context, r bot.AdmitRequest) (bot.Admission, error)
	DayQuestions(ctx context.Context, day string) (bot.StatsSummary, error)
}

// Options configure the console.
type Options struct {
	// Users maps a user name to its password hash (HashPassword).
	Users map[string]string
	// Secret signs the sign-in links; "" disables links.
	Secret string
	// SessionTTL is how long a sign-in lasts; default 12 h.
	SessionTTL time.Duration
	// SecureCookies marks cookies Secure: set it when served over HTTPS.
	SecureCookies bool
	// Digest is the daily digest; nil shows the calendar as not configured.
	Digest Digest
	Store  Store
	// Card draws a digest card as PNG; nil shows no cards.
	Card func(digest.CardContent) ([]byte, error)
	// Location is the time zone of the question statistics (bot.timezone).
	Location *time.Location
	Logger   *slog.Logger
	Now      func() time.Time
}

// DefaultSessionTTL is how long a sign-in lasts unless configured.
const DefaultSessionTTL = 12 * time.Hour

// loginRate bounds sign-in attempts per user name and per client address.
var loginRate = bot.RateLimit{Burst: 5, Per: time.Minute}

// Console serves the web console.
type Console struct {
	opts  Options
	users map[string]passwordHash
	store Store
	log   *slog.Logger
	now   func() time.Time
	pages map[string]*template.Template
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// New checks the options (every user's hash) and builds the console.
func New(opts Options) (*Console, error) {
	if opts.Store == nil {
		return nil, errors.New("console: no store")
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Console{opts: opts, store: opts.Store, log: opts.Logger, now: opts.Now, users: map[string]passwordHash{}}
	var errs []error
	names := make([]string, 0, len(opts.Users))
	for name := range opts.Users {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := checkUserName(name); err != nil {
			errs = append(errs, fmt.Errorf("console.users: %w", err))
			continue
		}
		h, err := parseHash(opts.Users[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("console.users.%s: %w", name, err))
			continue
		}
		c.users[name] = h
	}
	if opts.Secret != "" && len(opts.Secret) < MinSecretLen {
		errs = append(errs, fmt.Errorf("console.secret: at least %d characters", MinSecretLen))
	}
	if len(c.users) == 0 && opts.Secret == "" && len(errs) == 0 {
		errs = append(errs, errors.New("console: nobody can sign in: set console.users or console.secret (for `reportbot console adduser` links)"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	c.pages = pages
	return c, nil
}

func parseTemplates() (map[string]*template.Template, error) {
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n.Name() == "layout.html" || n.Name() == "targets.html" {
			continue // parsed with every page
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/targets.html", "templates/"+n.Name())
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", n.Name(), err)
		}
		pages[strings.TrimSuffix(n.Name(), ".html")] = t
	}
	return pages, nil
}

// Handler is the console. Mount it at / of its own address, or as the
// fallback of the ops endpoints.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /static/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(styleCSS)
	})
	mux.HandleFunc("GET /login", c.loginPage)
	mux.HandleFunc("POST /login", c.csrf(c.login))
	mux.HandleFunc("GET /login/link", c.linkPage)
	mux.HandleFunc("POST /login/link", c.csrf(c.linkLogin))

	auth := func(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc { return c.signedIn(h) }
	mux.HandleFunc("POST /logout", auth(c.logout))
	mux.HandleFunc("GET /{$}", auth(c.calendar))
	mux.HandleFunc("GET /day/{date}", auth(c.dayPage))
	mux.HandleFunc("GET /day/{date}/card.png", auth(c.cardPNG))
	mux.HandleFunc("POST /day/{date}/preview", auth(c.preview))
	mux.HandleFunc("POST /day/{date}/save", auth(c.save))
	mux.HandleFunc("POST /day/{date}/skip", auth(c.skip))
	mux.HandleFunc("POST /day/{date}/restore", auth(c.restore))
	mux.HandleFunc("POST /day/{date}/revert", auth(c.revert))
	mux.HandleFunc("POST /day/{date}/send", auth(c.send))
	mux.HandleFunc("GET /sent", auth(c.sentPage))
	mux.HandleFunc("GET /questions", auth(c.questionsPage))
	mux.HandleFunc("GET /questions.csv", auth(c.questionsCSV))
	mux.HandleFunc("/", auth(func(w http.ResponseWriter, r *http.Request, s session) {
		c.fail(w, r, &s, http.StatusNotFound, "没有这个页面。")
	}))
	return securityHeaders(mux)
}

// securityHeaders: no framing, no sniffing, no caching of signed-in pages,
// and a content policy that allows nothing but this site's CSS and images.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
		if r.URL.Path != "/static/style.css" {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

const (
	sessionCookie = "reportbot_console"
	csrfCookie    = "reportbot_csrf"
)

func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: c.opts.SecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge.Seconds())})
}

func cookieValue(r *http.Request, name string) string {
	if ck, err := r.Cookie(name); err == nil {
		return ck.Value
	}
	return ""
}

// signedIn lets only signed-in users through: a GET without a session goes
// to the sign-in page, anything else is refused. A POST also needs the
// session's CSRF token.
func (c *Console) signedIn(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok, err := c.loadSession(r.Context(), cookieValue(r, sessionCookie))
		if err != nil {
			c.log.Error("console: read the session", "err", err)
			c.fail(w, r, nil, http.StatusServiceUnavailable, "暂时无法读取登录状态(状态存储无法访问),请稍后再试。")
			return
		}
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			c.fail(w, r, nil, http.StatusForbidden, "请先登录。")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !c.validCSRF(r, s.CSRF) {
			c.fail(w, r, &s, http.StatusForbidden, csrfRefused)
			return
		}
		h(w, r, s)
	}
}

const csrfRefused = "请求被拒绝:缺少或不匹配的表单令牌(CSRF)。请回到页面刷新后再提交。"

// maxForm bounds a form body: a digest is at most 4 KB.
const maxForm = 64 << 10

func (c *Console) validCSRF(r *http.Request, want string) bool {
	r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return false
	}
	got := r.PostForm.Get("csrf")
	return want != "" && len(got) == len(want) && constantEqual(got, want)
}

// csrf guards the sign-in forms, before there is a session: the form's
// token must match the CSRF cookie set with the page.
func (c *Console) csrf(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !c.validCSRF(r, cookieValue(r, csrfCookie)) {
			c.fail(w, r, nil, http.StatusForbidden, csrfRefused)
			return
		}
		h(w, r)
	}
}

// preSignInToken returns the CSRF cookie's token, setting a new one when
// there is none.
func (c *Console) preSignInToken(w http.ResponseWriter, r *http.Request) string {
	if v := cookieValue(r, csrfCookie); len(v) >= 32 {
		return v
	}
	v := randomToken()
	c.setCookie(w, csrfCookie, v, 24*time.Hour)
	return v
}

// page is what every template gets.
type page struct {
	Title string
	User  string
	CSRF  string
	Nav   string
	Flash string
	Error string
	Data  any
}

func (c *Console) render(w http.ResponseWriter, status int, name string, p page) {
	t, ok := c.pages[name]
	if !ok {
		http.Error(w, "console: no template "+name, http.StatusInternalServerError)
		return
	}
	var buf strings.Builder
	if err := t.Execute(&buf, p); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "页面出错了,请稍后再试。", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, buf.String())
}

// fail shows a message page with status.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	p := page{Title: "出错了", Error: msg}
	if s != nil {
		p.User, p.CSRF = s.User, s.CSRF
	}
	c.render(w, status, "message", p)
}
