package console

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/card"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/store/memstore"
)

const (
	testUser     = "宣传科小王"
	testPassword = "correct horse 电池"
	chromiumPath = "/usr/bin/chromium"
)

// fakeRobot is a 企业微信 webhook: it refuses (errcode 93000) while failing
// is set, and records what it accepted.
type fakeRobot struct {
	mu       sync.Mutex
	failing  bool
	accepted []string // msgtype of each accepted message
}

func (f *fakeRobot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m struct {
		MsgType string `json:"msgtype"`
	}
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		io.WriteString(w, `{"errcode":93000,"errmsg":"invalid webhook url"}`)
		return
	}
	f.accepted = append(f.accepted, m.MsgType)
	io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

func (f *fakeRobot) set(failing bool) {
	f.mu.Lock()
	f.failing = failing
	f.mu.Unlock()
}

func (f *fakeRobot) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.accepted...)
}

// fixture is a running console over a real digest (in-memory state, a fake
// 企业微信 robot on loopback) and a real in-memory store.
type fixture struct {
	srv     *httptest.Server
	robot   *fakeRobot
	digest  *digest.Service
	store   *memstore.Store
	dir     string
	now     time.Time
	secret  string
	console *Console
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{robot: &fakeRobot{}, store: memstore.New(), dir: t.TempDir(),
		now: time.Date(2026, 12, 5, 9, 0, 0, 0, loc), secret: strings.Repeat("s", MinSecretLen)}
	robotSrv := httptest.NewServer(f.robot)
	t.Cleanup(robotSrv.Close)
	reports, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	render := func(c digest.CardContent) ([]byte, error) { return card.PNG(card.Digest(c)) }
	clock := func() time.Time { return f.now }
	f.digest, err = digest.New(digest.Config{
		StartDate:   "2026-12-01",
		OverrideDir: f.dir,
		Webhooks:    map[string]string{"publicity": robotSrv.URL + "/cgi-bin/webhook/send?key=k"},
	}, reports, digest.NewMemoryState(), nil, digest.WithClock(clock), digest.WithWeComRetry(-1, time.Millisecond), digest.WithCards(render))
	if err != nil {
		t.Fatal(err)
	}
	hash, err := HashPassword(testPassword, 1000)
	if err != nil {
		t.Fatal(err)
	}
	f.console, err = New(Options{
		Users: map[string]string{testUser: hash}, Secret: f.secret,
		Digest: f.digest, Store: f.store, Card: render, Location: loc, Now: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.console.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) date(days int) string { return f.now.AddDate(0, 0, days).Format(time.DateOnly) }

// browser starts a headless Debian chromium with a fresh profile. A
// missing chromium fails the test: it never skips.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the console's browser tests need chromium at %s (apt-get install chromium fonts-wqy-microhei): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTime(); cancel(); cancelAlloc() })
	return ctx
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// waitURL waits until the page's address contains part.
func waitURL(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(loc, part) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the page stayed at %s, want an address with %q", loc, part)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitText waits until the element's text is want (the page after a click
// may take a moment to replace the one before).
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	for {
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		if err == nil && got == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s shows %q (err %v), want %q", sel, got, err, want)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (f *fixture) signIn(t *testing.T, ctx context.Context, password string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#name"), testUser),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#user, #error")),
	)
}

func TestConsoleSignIn(t *testing.T) {
	f := newFixture(t)
	ctx := browser(t)
	f.signIn(t, ctx, testPassword)
	waitURL(t, ctx, f.srv.URL+"/")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#day-"+f.date(0))))
	if got := text(t, ctx, "#user"); got != testUser {
		t.Errorf("signed in as %q, want %q", got, testUser)
	}
	if got := text(t, ctx, "#day-"+f.date(0)); !strings.Contains(got, "第5期") || !strings.Contains(got, "今天") {
		t.Errorf("today's row %q, want issue 5 marked today", got)
	}
	days, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("li.day")))
	if err != nil || len(days) != calendarDays {
		t.Errorf("calendar shows %d days (err %v), want %d", len(days), err, calendarDays)
	}
	// The previews are there, as each target shows them.
	do(t, ctx, chromedp.Click(chromedp.CSS("#day-"+f.date(1)+" summary")))
	if got := text(t, ctx, "#day-"+f.date(1)+" .bubble"); !strings.Contains(got, "每日一读 · 第6期") {
		t.Errorf("tomorrow's WeChat preview %q", got)
	}
	// Signing out ends the session.
	do(t, ctx, chromedp.Click(chromedp.CSS(".logout button")), chromedp.WaitVisible(chromedp.CSS("#login")))
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/sent"), chromedp.WaitVisible(chromedp.CSS("#login")))
}

func TestConsoleWrongPasswordRefused(t *testing.T) {
	f := newFixture(t)
	ctx := browser(t)
	f.signIn(t, ctx, "wrong password")
	if got := text(t, ctx, "#error"); !strings.Contains(got, "用户名或密码不对") {
		t.Errorf("error %q, want the refusal", got)
	}
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/questions"), chromedp.WaitVisible(chromedp.CSS("#login")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/login") {
		t.Errorf("after a refused sign-in /questions went to %s, want /login", loc)
	}
	// Five more wrong tries in a row: the sixth is told to wait.
	for range 5 {
		do(t, ctx, chromedp.Navigate(f.srv.URL+"/login"), chromedp.SendKeys(chromedp.CSS("#name"), testUser),
			chromedp.SendKeys(chromedp.CSS("#password"), "nope"), chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#error")))
	}
	if got := text(t, ctx, "#error"); !strings.Contains(got, "太频繁") {
		t.Errorf("after 6 wrong passwords the error is %q, want a wait", got)
	}
}

func TestConsoleEditDayPreviewThenSave(t *testing.T) {
	f := newFixture(t)
	ctx := browser(t)
	f.signIn(t, ctx, testPassword)
	day := f.date(2)
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/day/"+day), chromedp.WaitVisible(chromedp.CSS("#preview-wechat")))
	before := text(t, ctx, "#preview-wechat")
	if !strings.Contains(before, "第7期") {
		t.Fatalf("the day's preview %q, want issue 7", before)
	}
	const edited = "每日一读 · 特别版\n**新区**今年全年到发中欧班列200列以上。"
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#text"), edited),
		chromedp.Click(chromedp.CSS("#preview")),
		chromedp.WaitVisible(chromedp.CSS("#candidate")),
	)
	if got := text(t, ctx, "#candidate-wechat"); !strings.Contains(got, "特别版") {
		t.Errorf("candidate WeChat preview %q, want the edit", got)
	}
	if got := text(t, ctx, "#candidate-wecom b"); got != "新区" {
		t.Errorf("candidate 企业微信 preview bold %q, want 新区", got)
	}
	if got := text(t, ctx, "#preview-wechat"); got != before {
		t.Errorf("the saved preview changed before saving: %q", got)
	}
	if _, err := os.Stat(filepath.Join(f.dir, day+".md")); err == nil {
		t.Fatal("the override was written by the preview")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#save")))
	waitURL(t, ctx, "done=saved")
	if got := text(t, ctx, "#preview-wechat"); !strings.Contains(got, "特别版") {
		t.Errorf("after saving the preview is %q, want the edit", got)
	}
	if got := text(t, ctx, "#mode"); got != "已编辑" {
		t.Errorf("mode %q, want 已编辑", got)
	}
	data, err := os.ReadFile(filepath.Join(f.dir, day+".md"))
	if err != nil || !strings.Contains(string(data), "特别版") {
		t.Errorf("override file: %q, %v", data, err)
	}
	// Too long is refused with the reason, and nothing is written.
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#text"), strings.Repeat("长", 700)),
		chromedp.Click(chromedp.CSS("#preview")),
		chromedp.WaitVisible(chromedp.CSS("#error")),
	)
	if got := text(t, ctx, "#error"); !strings.Contains(got, "700字") {
		t.Errorf("error %q, want the length", got)
	}
	// Saving a text different from the one previewed previews it again.
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#text"), "第一版"),
		chromedp.Click(chromedp.CSS("#preview")),
		chromedp.WaitVisible(chromedp.CSS("#candidate")),
		chromedp.SetValue(chromedp.CSS("#text"), "第二版,没看过预览"),
		chromedp.Click(chromedp.CSS("#save")),
	)
	waitText(t, ctx, "#candidate-wechat", "第二版,没看过预览")
	if data, _ := os.ReadFile(filepath.Join(f.dir, day+".md")); strings.Contains(string(data), "第二版") {
		t.Error("a text that was not previewed was saved")
	}
}

func TestConsoleSkipAndRestoreDay(t *testing.T) {
	f := newFixture(t)
	ctx := browser(t)
	f.signIn(t, ctx, testPassword)
	day := f.date(3)
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/day/"+day), chromedp.Click(chromedp.CSS("#skip")))
	waitURL(t, ctx, "done=skipped")
	if got := text(t, ctx, "#none"); !strings.Contains(got, "跳过") {
		t.Errorf("after skipping: %q", got)
	}
	if _, err := f.digest.Compose(f.now.AddDate(0, 0, 3)); err == nil {
		t.Error("the digest still has the skipped day")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#restore")))
	waitURL(t, ctx, "done=restored")
	if got := text(t, ctx, "#preview-wechat"); !strings.Contains(got, "第8期") {
		t.Errorf("after restoring: %q", got)
	}
	if got := text(t, ctx, "#mode"); got != "自动生成" {
		t.Errorf("mode %q, want 自动生成", got)
	}
}

func TestConsoleResendFailedTarget(t *testing.T) {
	f := newFixture(t)
	f.robot.set(true)
	outs, err := f.digest.Send(context.Background(), f.now, "", false)
	if err != nil || len(outs) != 1 || outs[0].Result != digest.ResultFailed {
		t.Fatalf("the scheduler's push: %+v, %v; want one failed target", outs, err)
	}
	ctx := browser(t)
	f.signIn(t, ctx, testPassword)
	row := `tr[data-target="wecom:publicity"]`
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/sent"), chromedp.WaitVisible(chromedp.CSS("#sent-"+f.date(0))))
	if got := text(t, ctx, "#sent-"+f.date(0)+" .state"); !strings.Contains(got, "失败") || !strings.Contains(got, "93000") {
		t.Errorf("sent page shows %q, want failed with the reason", got)
	}
	f.robot.set(false)
	// Resend from the sent page: it lands on the day's page with the outcome.
	do(t, ctx, chromedp.Click(chromedp.CSS("#sent-"+f.date(0)+" "+row+" button.send")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if got := text(t, ctx, "#flash"); !strings.Contains(got, "已发送") {
		t.Errorf("flash %q, want sent", got)
	}
	if got := text(t, ctx, row+" .state"); !strings.Contains(got, "已发送") {
		t.Errorf("row state %q, want sent", got)
	}
	if got := f.robot.got(); len(got) != 2 || got[0] != "markdown" || got[1] != "image" {
		t.Errorf("the robot got %q, want the markdown then the card", got)
	}
	// A sent target offers no resend, and the digest refuses it anyway.
	if n, _ := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(row+" button.send"), chromedp.AtLeast(0))); len(n) != 0 {
		t.Error("a sent target still offers resend")
	}
	outs, _ = f.digest.Send(context.Background(), f.now, "wecom:publicity", false)
	if len(outs) != 1 || outs[0].Result != digest.ResultAlreadySent || len(f.robot.got()) != 2 {
		t.Errorf("resending a sent target: %+v, robot got %d", outs, len(f.robot.got()))
	}
}

// client is a plain HTTP client that keeps cookies and shows redirects.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// sessionClient signs in over plain HTTP and returns a client with the session.
func (f *fixture) sessionClient(t *testing.T) (*http.Client, string) {
	t.Helper()
	c := f.client()
	resp, err := c.Get(f.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(f.srv.URL)
	var token string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == csrfCookie {
			token = ck.Value
		}
	}
	resp, err = c.PostForm(f.srv.URL+"/login", url.Values{"csrf": {token}, "name": {testUser}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in over HTTP: %s", resp.Status)
	}
	// The session's CSRF token, as its pages carry it.
	resp, err = c.Get(f.srv.URL + "/day/" + f.date(1))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, rest, _ := strings.Cut(string(body), `name="csrf" value="`)
	csrf, _, _ := strings.Cut(rest, `"`)
	return c, csrf
}

func TestConsoleCSRFlessPostRefused(t *testing.T) {
	f := newFixture(t)
	c, csrf := f.sessionClient(t)
	if csrf == "" {
		t.Fatal("the day page carries no CSRF token")
	}
	day := f.date(1)
	for name, form := range map[string]url.Values{
		"no token":    {},
		"wrong token": {"csrf": {strings.Repeat("x", len(csrf))}},
		"login token": {"csrf": {""}},
	} {
		resp, err := c.PostForm(f.srv.URL+"/day/"+day+"/skip", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "CSRF") {
			t.Errorf("%s: %s, want 403 naming CSRF", name, resp.Status)
		}
	}
	if mode, _, _ := f.digest.Mode(f.now.AddDate(0, 0, 1)); mode != digest.DayGenerated {
		t.Fatalf("a refused POST changed the day: %s", mode)
	}
	// The sign-in form needs its token too.
	resp, err := http.PostForm(f.srv.URL+"/login", url.Values{"name": {testUser}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without a CSRF token: %s, want 403", resp.Status)
	}
	// With the token the same POST works: the refusals were for the token.
	resp, err = c.PostForm(f.srv.URL+"/day/"+day+"/skip", url.Values{"csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if mode, _, _ := f.digest.Mode(f.now.AddDate(0, 0, 1)); resp.StatusCode != http.StatusSeeOther || mode != digest.DaySkipped {
		t.Errorf("with the token: %s, mode %s; want the day skipped", resp.Status, mode)
	}
	// A browser sees the refusal page too, in Chinese.
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/healthz"))
	if got := text(t, ctx, "body"); strings.TrimSpace(got) != "ok" {
		t.Errorf("/healthz shows %q", got)
	}
}

func TestConsoleNothingButHealthzSignedOut(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	for _, path := range []string{"/", "/day/" + f.date(0), "/day/" + f.date(0) + "/card.png", "/sent", "/questions", "/questions.csv", "/nope"} {
		resp, err := c.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("GET %s signed out: %s to %q, want 303 to /login", path, resp.Status, resp.Header.Get("Location"))
		}
	}
	for _, path := range []string{"/logout", "/day/" + f.date(0) + "/send", "/day/" + f.date(0) + "/save"} {
		resp, err := c.PostForm(f.srv.URL+path, url.Values{"csrf": {"x"}, "target": {"wecom:publicity"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s signed out: %s, want 403", path, resp.Status)
		}
	}
	if len(f.robot.got()) != 0 {
		t.Error("a signed-out POST sent something")
	}
	resp, err := c.Get(f.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %s", resp.Status)
	}
}

func TestConsoleSignInLinkWorksOnce(t *testing.T) {
	f := newFixture(t)
	link, err := SignInLink(f.srv.URL, f.secret, "新同事", time.Hour, f.now)
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#signin")))
	// Opening the link signed nobody in (chat apps preview links).
	do(t, ctx, chromedp.Navigate(link), chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#user")))
	if got := text(t, ctx, "#user"); got != "新同事" {
		t.Errorf("signed in as %q", got)
	}
	ctx2 := browser(t)
	do(t, ctx2, chromedp.Navigate(link), chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#error")))
	if got := text(t, ctx2, "#error"); !strings.Contains(got, "用过") {
		t.Errorf("second use: %q, want refused as used", got)
	}
	forged := strings.Replace(link, "%E6%96%B0%E5%90%8C%E4%BA%8B", "admin", 1)
	do(t, ctx2, chromedp.Navigate(forged), chromedp.WaitVisible(chromedp.CSS("#error")))
	if got := text(t, ctx2, "#error"); !strings.Contains(got, "无效") {
		t.Errorf("forged link: %q, want refused", got)
	}
	f.now = f.now.Add(2 * time.Hour)
	late, _ := SignInLink(f.srv.URL, f.secret, "新同事", time.Hour, f.now.Add(-2*time.Hour))
	do(t, ctx2, chromedp.Navigate(late), chromedp.WaitVisible(chromedp.CSS("#error")))
	if got := text(t, ctx2, "#error"); !strings.Contains(got, "过期") {
		t.Errorf("expired link: %q", got)
	}
}

func TestConsoleQuestionsAndCSV(t *testing.T) {
	f := newFixture(t)
	for i, q := range []struct {
		day, q string
		found  bool
	}{
		{f.date(0), "中欧班列目标", true}, {f.date(0), "中欧班列目标", true}, {f.date(0), "火星基地", false},
		{f.date(-3), "=HYPERLINK(\"x\")", false}, {f.date(-3), "中欧班列目标", true},
	} {
		if err := f.store.RecordQuestion(context.Background(), bot.QuestionEvent{Day: q.day, Question: q.q, Found: q.found, At: f.now.Add(time.Duration(i))}, "", bot.Session{}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	ctx := browser(t)
	f.signIn(t, ctx, testPassword)
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/questions"), chromedp.WaitVisible(chromedp.CSS("#top")))
	if got := text(t, ctx, "#totals"); !strings.Contains(got, "提问 3 次") {
		t.Errorf("today's totals %q", got)
	}
	if got := text(t, ctx, "#unanswered"); !strings.Contains(got, "火星基地") || strings.Contains(got, "HYPERLINK") {
		t.Errorf("today's unanswered %q", got)
	}
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/questions?range=week&day="+f.date(0)), chromedp.WaitVisible(chromedp.CSS("#top")))
	if got := text(t, ctx, "#top"); !strings.Contains(got, "中欧班列目标\t3") && !strings.Contains(got, "中欧班列目标 3") && !strings.Contains(got, "3") {
		t.Errorf("week's top %q, want 中欧班列目标 asked 3 times", got)
	}
	c, _ := f.sessionClient(t)
	resp, err := c.Get(f.srv.URL + "/questions.csv?range=week&day=" + f.date(0))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csvText := string(body)
	for _, want := range []string{"\uFEFF类型,问题,次数,日期", "提问,中欧班列目标,3,", "没答上,火星基地,," + f.date(0), `没答上,"'=HYPERLINK(""x"")",,` + f.date(-3)} {
		if !strings.Contains(csvText, want) {
			t.Errorf("CSV lacks %q:\n%s", want, csvText)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV content type %q", ct)
	}
}

func TestConsolePhoneScreen(t *testing.T) {
	f := newFixture(t)
	ctx := browser(t)
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	f.signIn(t, ctx, testPassword)
	for _, path := range []string{"/", "/day/" + f.date(0), "/sent", "/questions"} {
		do(t, ctx, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if w > 390 {
			t.Errorf("%s is %d px wide on a 390 px phone screen: it scrolls sideways", path, w)
		}
	}
	// The card is shown, and is a real image 1080 px wide.
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/day/"+f.date(0)), chromedp.WaitVisible(chromedp.CSS("#card")))
	for {
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector("#card").naturalWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if w == card.Width {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the card image is %d px wide, want %d", w, card.Width)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
