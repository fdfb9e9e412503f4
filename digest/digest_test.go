package digest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/redisstore"
)

var _ bot.DigestControl = (*digest.Service)(nil)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a time in Asia/Shanghai on a day of December 2026.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, shanghai)
}

// testReport is a small report built by hand: headline targets, then three
// key-work items (one without figures).
func testReport() *corpus.Report {
	r := &corpus.Report{ID: "test", Title: "测试新区2022年工作报告", Source: "测试报", Date: "2022-01-14", Year: 2022}
	outlook := section(r, nil, "", "展望2022年")
	goals := section(r, outlook, "", "奋斗目标")
	paragraph(r, goals, "", "地区生产总值增长20%以上", "进出口贸易额增长50%以上")
	work := section(r, nil, "", "重点工作")
	lead := section(r, work, "1", "引领力")
	paragraph(r, lead, "全面加强政治建设", "全面加强政治建设。", "坚持把政治建设摆在首位。", "深化拓展党史学习教育成果。")
	support := section(r, work, "2", "支撑力")
	paragraph(r, support, "做大做强通道经济", "做大做强通道经济。", "推动国际货运班列常态化发运。", "全年到发200列以上。")
	paragraph(r, support, "办好民生实事", "办好民生实事。", "新增床位800张。", "快速推进10所学校建设。")
	return r
}

func section(r *corpus.Report, parent *corpus.Section, number, name string) *corpus.Section {
	s := &corpus.Section{Number: number, Name: name, Parent: parent, Level: 1}
	if parent != nil {
		s.Level = parent.Level + 1
		parent.Children = append(parent.Children, s)
	}
	r.Sections = append(r.Sections, s)
	return s
}

func paragraph(r *corpus.Report, sec *corpus.Section, lead string, sentences ...string) {
	p := &corpus.Paragraph{Index: len(r.Paragraphs), Section: sec, Lead: lead, Text: strings.Join(sentences, "")}
	for i, text := range sentences {
		s := &corpus.Sentence{Index: i, Paragraph: p, Text: text}
		for _, f := range []string{"20%以上", "50%以上", "200列以上", "800张", "10所"} {
			if strings.Contains(text, f) {
				s.Figures = append(s.Figures, corpus.Figure{Text: f})
			}
		}
		p.Sentences = append(p.Sentences, s)
	}
	r.Paragraphs = append(r.Paragraphs, p)
	sec.Paragraphs = append(sec.Paragraphs, p)
}

// inbox is every WeChat group's received texts, shared by the senders of
// several "processes".
type inbox struct {
	mu  sync.Mutex
	got map[string][]string
}

func newInbox() *inbox { return &inbox{got: map[string][]string{}} }

func (b *inbox) add(group, text string) {
	b.mu.Lock()
	b.got[group] = append(b.got[group], text)
	b.mu.Unlock()
}

func (b *inbox) count(group string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.got[group])
}

func (b *inbox) total() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, texts := range b.got {
		n += len(texts)
	}
	return n
}

// sender is a digest.GroupSender delivering into an inbox; hook, when set,
// runs for each group before (delivered=false) and after delivery.
type sender struct {
	inbox *inbox
	hook  func(group string, delivered bool)
}

func (s *sender) SendToGroup(_ context.Context, group, text string) error {
	if s.hook != nil {
		s.hook(group, false)
	}
	s.inbox.add(group, text)
	if s.hook != nil {
		s.hook(group, true)
	}
	return nil
}

// dropConnection in a fakeRobot script reads the request and hangs up
// without a reply.
const dropConnection = -1

// fakeRobot is a 企业微信 webhook server. Each POST gets the next scripted
// errcode (the last repeats); accepted counts the errcode 0 replies per key.
type fakeRobot struct {
	srv *httptest.Server

	mu       sync.Mutex
	script   []int
	posts    int
	accepted map[string][]string
	images   int
}

func newFakeRobot(t *testing.T, script ...int) *fakeRobot {
	if len(script) == 0 {
		script = []int{0}
	}
	f := &fakeRobot{script: script, accepted: map[string][]string{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.MsgType != "markdown" && m.MsgType != "image" {
			http.Error(w, "bad message", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		if m.MsgType == "image" {
			// Picture cards (WithCards) are counted apart from the digests.
			f.images++
			f.mu.Unlock()
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
			return
		}
		code := f.script[min(f.posts, len(f.script)-1)]
		f.posts++
		if code == dropConnection {
			f.mu.Unlock()
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		if code == 0 {
			key := r.URL.Query().Get("key")
			f.accepted[key] = append(f.accepted[key], m.Markdown.Content)
		}
		f.mu.Unlock()
		fmt.Fprintf(w, `{"errcode":%d,"errmsg":"scripted"}`, code)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRobot) url(key string) string { return f.srv.URL + "/cgi-bin/webhook/send?key=" + key }

func (f *fakeRobot) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.accepted[key])
}

func (f *fakeRobot) postCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts
}

// redisState opens a new client ("process") on the Redis at url.
func redisState(t *testing.T, url string) digest.StateStore {
	t.Helper()
	store, err := redisstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store.DigestState()
}

// fixture is one test's world: Redis, a webhook server, two WeChat groups
// and one robot, the clock.
type fixture struct {
	t      *testing.T
	redis  string // URL
	robot  *fakeRobot
	inbox  *inbox
	clock  *testkit.Clock
	cfg    digest.Config
	report []*corpus.Report
}

func newFixture(t *testing.T, script ...int) *fixture {
	f := &fixture{
		t:      t,
		redis:  redistest.Start(t).URL(),
		robot:  newFakeRobot(t, script...),
		inbox:  newInbox(),
		clock:  testkit.NewClock(at(1, 7, 0)),
		report: []*corpus.Report{testReport()},
	}
	f.cfg = digest.Config{
		StartDate: "2026-12-01",
		Groups:    []string{"群A", "群B"},
		Webhooks:  map[string]string{"team": f.robot.url("team-key")},
	}
	return f
}

// service starts a "process": its own Redis client, the given sender.
func (f *fixture) service(wechat digest.GroupSender, opts ...digest.Option) *digest.Service {
	f.t.Helper()
	opts = append([]digest.Option{
		digest.WithClock(f.clock.Now),
		digest.WithHTTPClient(f.robot.srv.Client()),
		digest.WithWeComRetry(3, time.Millisecond),
		digest.WithLogger(slog.New(slog.DiscardHandler)),
	}, opts...)
	s, err := digest.New(f.cfg, f.report, redisState(f.t, f.redis), wechat, opts...)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fixture) sender() *sender { return &sender{inbox: f.inbox} }

// status returns the day's state per target.
func status(t *testing.T, s *digest.Service, day time.Time) map[string]digest.TargetStatus {
	t.Helper()
	list, err := s.Status(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]digest.TargetStatus{}
	for _, st := range list {
		out[st.Target] = st
	}
	return out
}

func wantStates(t *testing.T, got map[string]digest.TargetStatus, want map[string]digest.State) {
	t.Helper()
	for target, state := range want {
		if got[target].State != state {
			t.Errorf("%s: state %s (%s), want %s", target, got[target].State, got[target].Reason, state)
		}
	}
	if len(got) != len(want) {
		t.Errorf("status has %d targets, want %d: %v", len(got), len(want), got)
	}
}

func wantCounts(t *testing.T, f *fixture, a, b, team int) {
	t.Helper()
	if got := f.inbox.count("群A"); got != a {
		t.Errorf("群A got the digest %d times, want %d", got, a)
	}
	if got := f.inbox.count("群B"); got != b {
		t.Errorf("群B got the digest %d times, want %d", got, b)
	}
	if got := f.robot.count("team-key"); got != team {
		t.Errorf("wecom:team got the digest %d times, want %d", got, team)
	}
}

func TestDigestTwoDatesDifferAndOverrideWins(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.cfg.OverrideDir = dir
	s := f.service(f.sender())
	ctx := context.Background()

	day1, err := s.Preview(ctx, at(1, 12, 0))
	if err != nil {
		t.Fatal(err)
	}
	day2, err := s.Preview(ctx, at(2, 12, 0))
	if err != nil {
		t.Fatal(err)
	}
	if day1 == day2 {
		t.Fatalf("two dates gave the same digest:\n%s", day1)
	}
	if !strings.HasPrefix(day1, "每日一读 · 第1期 · 2026年12月1日\n") || !strings.Contains(day1, "地区生产总值增长20%以上") {
		t.Errorf("day 1 is not issue 1 with the headline targets:\n%s", day1)
	}
	if !strings.HasPrefix(day2, "每日一读 · 第2期 · 2026年12月2日\n") || !strings.Contains(day2, "全面加强政治建设") {
		t.Errorf("day 2 is not issue 2 with the first key-work item:\n%s", day2)
	}
	if !strings.HasSuffix(day1, "回复“@reportbot 问题”可查询报告") {
		t.Errorf("day 1 lacks the reply hint:\n%s", day1)
	}

	override := "今天停更一天,明天见。"
	if err := os.WriteFile(filepath.Join(dir, "2026-12-02.md"), []byte(override+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := s.Compose(at(2, 12, 0))
	if err != nil {
		t.Fatal(err)
	}
	if d.Text != override || d.Markdown != override || d.Override == "" {
		t.Errorf("with an override file, digest = %+v; want its text in both forms", d)
	}
	if again, _ := s.Preview(ctx, at(1, 12, 0)); again != day1 {
		t.Error("the override of day 2 changed day 1")
	}

	// The override is what gets pushed, to WeChat and 企业微信 alike.
	if err := s.RunDue(ctx, at(2, 8, 0)); err != nil {
		t.Fatal(err)
	}
	if got := f.inbox.got["群A"]; len(got) != 1 || got[0] != override {
		t.Errorf("群A got %q, want the override", got)
	}
	if got := f.robot.accepted["team-key"]; len(got) != 1 || got[0] != override {
		t.Errorf("wecom:team got %q, want the override", got)
	}
}

func TestDigestSeedReportWalk(t *testing.T) {
	reports, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.report = reports
	f.cfg.AfterLast = digest.AfterLastStop
	s := f.service(f.sender())
	n := s.Items()
	if n < 10 {
		t.Fatalf("the 2022 report gives %d items, want the headline targets and every key-work item", n)
	}
	seen := map[string]bool{}
	for issue := 1; issue <= n; issue++ {
		d, err := s.Compose(at(1, 8, 0).AddDate(0, 0, issue-1))
		if err != nil {
			t.Fatalf("issue %d: %v", issue, err)
		}
		if d.Issue != issue || d.Item != issue-1 {
			t.Errorf("issue %d: got issue %d item %d", issue, d.Issue, d.Item)
		}
		if c := utf8.RuneCountInString(d.Text); c > digest.MaxChars {
			t.Errorf("issue %d: %d characters, over %d:\n%s", issue, c, digest.MaxChars, d.Text)
		}
		body := d.Text[strings.Index(d.Text, "\n"):]
		if seen[body] {
			t.Errorf("issue %d repeats an earlier item:\n%s", issue, d.Text)
		}
		seen[body] = true
		if !strings.Contains(d.Markdown, "**每日一读 · 第") || strings.Contains(d.Markdown, "回复“@") {
			t.Errorf("issue %d: Markdown form:\n%s", issue, d.Markdown)
		}
		// Every item says which year's report it quotes, and cites it as
		// chat answers do (《title》, source, date).
		r := reports[0]
		for _, form := range []string{d.Text, d.Markdown} {
			if !strings.Contains(form, "【2022年报告 › ") && !strings.Contains(form, "**2022年报告 › ") {
				t.Errorf("issue %d does not name the report's year:\n%s", issue, form)
			}
			if !strings.Contains(form, "出处:《") || !strings.Contains(form, "》"+r.Source+" "+r.Date) {
				t.Errorf("issue %d: 出处 lacks 《title》 %s %s:\n%s", issue, r.Source, r.Date, form)
			}
		}
		if testing.Verbose() && (issue <= 3 || issue == n) {
			t.Logf("issue %d:\n%s\n---\n%s", issue, d.Text, d.Markdown)
		}
	}
	first, _ := s.Compose(at(1, 8, 0))
	for _, want := range []string{"奋斗目标", "地区生产总值", "20%以上"} {
		if !strings.Contains(first.Text, want) {
			t.Errorf("issue 1 lacks %q:\n%s", want, first.Text)
		}
	}
	second, _ := s.Compose(at(2, 8, 0))
	if !strings.Contains(second.Text, "引领力 › 全面加强政治建设") {
		t.Errorf("the first key-work item is not 引领力 › 全面加强政治建设:\n%s", second.Text)
	}
	if _, err := s.Compose(at(1, 8, 0).AddDate(0, 0, n)); !errors.Is(err, digest.ErrNoDigest) {
		t.Errorf("after the last item with after_last = stop: err = %v, want ErrNoDigest", err)
	}
	if _, err := s.Compose(at(1, 8, 0).AddDate(0, 0, -1)); !errors.Is(err, digest.ErrNoDigest) {
		t.Errorf("before start_date: err = %v, want ErrNoDigest", err)
	}

	f.cfg.AfterLast = digest.AfterLastRestart
	s = f.service(f.sender())
	again, err := s.Compose(at(1, 8, 0).AddDate(0, 0, n))
	if err != nil {
		t.Fatal(err)
	}
	if again.Item != 0 || again.Issue != n+1 || !strings.Contains(again.Text, "第"+fmt.Sprint(n+1)+"期") {
		t.Errorf("after the last item with after_last = restart: item %d issue %d", again.Item, again.Issue)
	}
}

// A push crashes after the marker of 群B was written. Policy: a target
// found "sending" is never resent automatically (it is reported unknown),
// so no group gets the digest twice; the restarted process sends the rest.
func TestDigestRestartMidPushSendsNoTargetTwice(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name           string
		crashDelivered bool // the crash came after 群B got the message
	}{
		{"crash after the send", true},
		{"crash before the send", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.clock.Set(at(1, 8, 0))
			crashing := f.sender()
			crashing.hook = func(group string, delivered bool) {
				if group == "群B" && delivered == tc.crashDelivered {
					panic("process killed")
				}
			}
			first := f.service(crashing)
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("the first process did not crash")
					}
				}()
				_ = first.RunDue(ctx, at(1, 8, 0))
			}()

			// The process restarts at 08:05, inside the catch-up window.
			f.clock.Set(at(1, 8, 5))
			second := f.service(f.sender())
			if err := second.RunDue(ctx, at(1, 8, 5)); err != nil {
				t.Fatal(err)
			}
			b := 0
			if tc.crashDelivered {
				b = 1
			}
			wantCounts(t, f, 1, b, 1)
			st := status(t, second, at(1, 8, 5))
			wantStates(t, st, map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateUnknown, "wecom:team": digest.StateSent})
			if !strings.Contains(st["wechat:群B"].Reason, "check the group") {
				t.Errorf("the unknown target's reason does not tell what to do: %q", st["wechat:群B"].Reason)
			}

			// Further runs and a push to all leave the unknown target alone.
			if err := second.RunDue(ctx, at(1, 9, 0)); err != nil {
				t.Fatal(err)
			}
			out, err := second.Send(ctx, at(1, 9, 0), "", false)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range out {
				if o.Result == digest.ResultSent {
					t.Errorf("a push to all sent %s again", o.Target)
				}
			}
			wantCounts(t, f, 1, b, 1)

			// The operator checked 群B: when it is missing, sending it by
			// name delivers it, and never a second time.
			if tc.crashDelivered {
				return
			}
			out, err = second.Send(ctx, at(1, 9, 0), "wechat:群B", false)
			if err != nil || len(out) != 1 || out[0].Result != digest.ResultSent {
				t.Fatalf("send by name: %+v, %v", out, err)
			}
			out, err = second.Send(ctx, at(1, 9, 1), "wechat:群B", false)
			if err != nil || len(out) != 1 || out[0].Result != digest.ResultAlreadySent {
				t.Fatalf("second send by name: %+v, %v", out, err)
			}
			wantCounts(t, f, 1, 1, 1)
			wantStates(t, status(t, second, at(1, 9, 0)), map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
		})
	}
}

// A push stalls in 群B's send until its lock expires; another process takes
// the lock and sends the rest. When the stalled push resumes, its lock is
// lost: it records 群B and sends nothing more.
func TestDigestLockLostMidPushCausesNoDoubleSend(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.clock.Set(at(1, 8, 0))
	stalled := make(chan struct{})
	resume := make(chan struct{})
	slow := f.sender()
	slow.hook = func(group string, delivered bool) {
		if group == "群B" && delivered {
			close(stalled)
			<-resume
		}
	}
	first := f.service(slow, digest.WithLockTTL(100*time.Millisecond))
	firstDone := make(chan error, 1)
	go func() { firstDone <- first.RunDue(ctx, at(1, 8, 0)) }()
	<-stalled

	second := f.service(f.sender())
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := second.RunDue(ctx, at(1, 8, 1))
		if err == nil {
			break
		}
		if !errors.Is(err, digest.ErrBusy) || time.Now().After(deadline) {
			t.Fatalf("second process: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(resume)
	if err := <-firstDone; !errors.Is(err, digest.ErrLockLost) {
		t.Errorf("the stalled push returned %v, want ErrLockLost", err)
	}
	wantCounts(t, f, 1, 1, 1)
	wantStates(t, status(t, second, at(1, 8, 1)), map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
}

func TestDigestTwoProcessesSendOncePerTarget(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	slow := func() *sender {
		s := f.sender()
		s.hook = func(string, bool) { time.Sleep(time.Millisecond) }
		return s
	}
	a, b := f.service(slow()), f.service(slow())
	const days = 5
	for day := 1; day <= days; day++ {
		now := at(day, 8, 0)
		f.clock.Set(now)
		start := make(chan struct{})
		errs := make(chan error, 2)
		for _, s := range []*digest.Service{a, b} {
			go func() {
				<-start
				errs <- s.RunDue(ctx, now)
			}()
		}
		close(start)
		for range 2 {
			if err := <-errs; err != nil && !errors.Is(err, digest.ErrBusy) {
				t.Fatalf("day %d: %v", day, err)
			}
		}
		// Whichever lost the race, nothing is left: both runs again send nothing.
		for _, s := range []*digest.Service{a, b} {
			if err := s.RunDue(ctx, now.Add(time.Minute)); err != nil {
				t.Fatalf("day %d rerun: %v", day, err)
			}
		}
		wantStates(t, status(t, a, now), map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
	}
	wantCounts(t, f, days, days, days)
}

func TestDigestCatchUpWindow(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.service(f.sender())

	// Down at 08:00, up at 09:30: inside the 2h window, sent at 09:30.
	f.clock.Set(at(3, 9, 30))
	if err := s.RunDue(ctx, at(3, 9, 30)); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, f, 1, 1, 1)
	st := status(t, s, at(3, 9, 30))
	wantStates(t, st, map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
	if !st["wechat:群A"].At.Equal(at(3, 9, 30)) {
		t.Errorf("sent at %v, want 09:30", st["wechat:群A"].At)
	}

	// Down at 08:00, up at 10:30: outside the window, not sent, missed.
	f.clock.Set(at(4, 10, 30))
	if err := s.RunDue(ctx, at(4, 10, 30)); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, f, 1, 1, 1)
	st = status(t, s, at(4, 12, 0))
	wantStates(t, st, map[string]digest.State{"wechat:群A": digest.StateMissed, "wechat:群B": digest.StateMissed, "wecom:team": digest.StateMissed})
	if r := st["wecom:team"].Reason; !strings.Contains(r, "2026-12-04 08:00") || !strings.Contains(r, "catch-up window") {
		t.Errorf("missed reason = %q", r)
	}

	// Down all of the 5th, up at 07:00 on the 6th: the 5th is over, missed.
	f.clock.Set(at(6, 7, 0))
	if err := s.RunDue(ctx, at(6, 7, 0)); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, f, 1, 1, 1)
	wantStates(t, status(t, s, at(5, 12, 0)), map[string]digest.State{"wechat:群A": digest.StateMissed, "wechat:群B": digest.StateMissed, "wecom:team": digest.StateMissed})
	wantStates(t, status(t, s, at(6, 7, 0)), map[string]digest.State{"wechat:群A": digest.StatePending, "wechat:群B": digest.StatePending, "wecom:team": digest.StatePending})

	// A missed day can still be pushed by hand.
	out, err := s.Send(ctx, at(4, 12, 0), "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out {
		if o.Result != digest.ResultSent {
			t.Errorf("send of a missed day: %s %s (%s)", o.Target, o.Result, o.Reason)
		}
	}
	wantCounts(t, f, 2, 2, 2)
}

func TestDigestRateLimitedWebhookIsRetriedAndSentOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 45009, 0)
	s := f.service(f.sender())
	f.clock.Set(at(1, 8, 0))
	if err := s.RunDue(ctx, at(1, 8, 0)); err != nil {
		t.Fatal(err)
	}
	if f.robot.postCount() != 2 {
		t.Errorf("the webhook got %d posts, want 2 (one rate-limited, one accepted)", f.robot.postCount())
	}
	wantCounts(t, f, 1, 1, 1)
	if got := f.robot.accepted["team-key"][0]; !strings.HasPrefix(got, "**每日一读 · 第1期**") {
		t.Errorf("wecom got %q, want the Markdown form", got)
	}
	wantStates(t, status(t, s, at(1, 8, 0)), map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
}

func TestDigestFailuresAreRecordedAndRetried(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 93000, 0)
	f.clock.Set(at(1, 8, 0))
	// WeChat is not logged in and the robot's key is refused.
	s := f.service(downSender{})
	if err := s.RunDue(ctx, at(1, 8, 0)); err != nil {
		t.Fatal(err)
	}
	st := status(t, s, at(1, 8, 0))
	wantStates(t, st, map[string]digest.State{"wechat:群A": digest.StateFailed, "wechat:群B": digest.StateFailed, "wecom:team": digest.StateFailed})
	if r := st["wechat:群A"].Reason; !strings.Contains(r, "WeChat") {
		t.Errorf("WeChat failure reason = %q", r)
	}
	if r := st["wecom:team"].Reason; !strings.Contains(r, "93000") || strings.Contains(r, "team-key") {
		t.Errorf("wecom failure reason = %q, want the errcode and no key", r)
	}
	if f.robot.postCount() != 1 {
		t.Errorf("errcode 93000 was retried: %d posts", f.robot.postCount())
	}

	// WeChat logs in; the next check inside the window sends what failed.
	f.clock.Set(at(1, 8, 20))
	s = f.service(f.sender())
	if err := s.RunDue(ctx, at(1, 8, 20)); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, f, 1, 1, 1)
	wantStates(t, status(t, s, at(1, 8, 20)), map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
}

func TestDigestPreviewAndDryRunSendNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.service(f.sender())
	f.clock.Set(at(1, 8, 0))
	text, err := s.Preview(ctx, at(1, 8, 0))
	if err != nil || text == "" {
		t.Fatalf("Preview = %q, %v", text, err)
	}
	out, err := s.Send(ctx, at(1, 8, 0), "", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("dry run gave %d outcomes, want 3", len(out))
	}
	for _, o := range out {
		if o.Result != digest.ResultWouldSend || o.Text == "" {
			t.Errorf("dry run %s: %s, text %q", o.Target, o.Result, o.Text)
		}
	}
	if out[0].Target != "wechat:群A" || out[0].Text != text || !strings.HasPrefix(out[2].Text, "**") {
		t.Errorf("dry run targets/forms: %+v", out)
	}
	if f.inbox.total() != 0 || f.robot.postCount() != 0 {
		t.Errorf("preview and dry run sent: %d WeChat, %d webhook", f.inbox.total(), f.robot.postCount())
	}
	wantStates(t, status(t, s, at(1, 8, 0)), map[string]digest.State{"wechat:群A": digest.StatePending, "wechat:群B": digest.StatePending, "wecom:team": digest.StatePending})

	// After a send, a dry run says what is already done.
	if _, err := s.Send(ctx, at(1, 8, 0), "wecom:team", false); err != nil {
		t.Fatal(err)
	}
	out, err = s.Send(ctx, at(1, 8, 0), "team", true) // the bare name will do
	if err != nil || len(out) != 1 || out[0].Target != "wecom:team" || out[0].Result != digest.ResultAlreadySent {
		t.Errorf("dry run after the send: %+v, %v", out, err)
	}
	if _, err := s.Send(ctx, at(1, 8, 0), "wechat:nope", true); err == nil || !strings.Contains(err.Error(), "wechat:群A") {
		t.Errorf("unknown target: err = %v, want the list of targets", err)
	}
	wantCounts(t, f, 0, 0, 1)
}

func TestDigestSubscribeUnsubscribeChangeTargets(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.service(f.sender())
	if err := s.Subscribe(ctx, "新群"); err != nil {
		t.Fatal(err)
	}
	if err := s.Subscribe(ctx, "群A"); err != nil { // configured: no error, no duplicate
		t.Fatal(err)
	}
	// Another process sees the subscription (it lives in Redis).
	other := f.service(f.sender())
	targets, err := other.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(targets, ",") != "wechat:群A,wechat:群B,wechat:新群,wecom:team" {
		t.Errorf("targets = %q", targets)
	}
	f.clock.Set(at(1, 8, 0))
	if err := other.RunDue(ctx, at(1, 8, 0)); err != nil {
		t.Fatal(err)
	}
	if f.inbox.count("新群") != 1 {
		t.Errorf("the subscribed group got %d digests, want 1", f.inbox.count("新群"))
	}

	if err := s.Unsubscribe(ctx, "新群"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(ctx, "新群"); !errors.Is(err, digest.ErrNotSubscribed) {
		t.Errorf("second 退订: err = %v, want ErrNotSubscribed", err)
	}
	if err := s.Unsubscribe(ctx, "群A"); !errors.Is(err, digest.ErrConfiguredGroup) {
		t.Errorf("退订 of a configured group: err = %v, want ErrConfiguredGroup", err)
	}
	f.clock.Set(at(2, 8, 0))
	if err := other.RunDue(ctx, at(2, 8, 0)); err != nil {
		t.Fatal(err)
	}
	if f.inbox.count("新群") != 1 || f.inbox.count("群A") != 2 {
		t.Errorf("after 退订: 新群 %d, 群A %d digests; want 1, 2", f.inbox.count("新群"), f.inbox.count("群A"))
	}
	// Day 1's status still shows the group that got it.
	wantStates(t, status(t, s, at(1, 8, 0)), map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wechat:新群": digest.StateSent, "wecom:team": digest.StateSent})
}

// Run with the real gocron scheduler, every second. The group's first send
// fails (WeChat not logged in yet) and rechecks are off, so the start-up
// check cannot deliver it: only a later firing of the scheduler can.
func TestDigestRunFiresOnSchedule(t *testing.T) {
	f := newFixture(t)
	f.cfg.Schedule = "* * * * * *"
	f.cfg.Groups = []string{"定时群"}
	f.cfg.Webhooks = nil
	// The scheduler fires on the real clock; the service reads a fixed noon,
	// so the day (and the issue) cannot change under the test at midnight.
	noon := at(4, 12, 0)
	f.cfg.StartDate = "2026-12-01"
	var mu sync.Mutex
	calls := 0
	delivered := make(chan struct{}, 1)
	snd := &flakySender{inbox: f.inbox, failFirst: 1, delivered: delivered, mu: &mu, calls: &calls}
	s, err := digest.New(f.cfg, f.report, digest.NewMemoryState(), snd, digest.WithRecheck(0), digest.WithClock(func() time.Time { return noon }))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-delivered:
	case <-time.After(5 * time.Second):
		t.Fatal("the scheduler did not deliver within 5s")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	mu.Lock()
	defer mu.Unlock()
	if calls < 2 {
		t.Errorf("%d sends, want the failed one and the scheduler's retry", calls)
	}
	got := f.inbox.got["定时群"]
	if len(got) != 1 {
		t.Errorf("the group got %d digests, want 1 (one day)", len(got))
	}
	if len(got) == 0 || !strings.Contains(got[0], "第4期") {
		t.Errorf("sent %q, want issue 4", got)
	}
}

// downSender is the WeChat channel while no account is logged in.
type downSender struct{}

func (downSender) SendToGroup(context.Context, string, string) error {
	return errors.New("WeChat: not logged in")
}

// A process without the WeChat channel (reportbot digest send) neither sends
// to nor records the WeChat groups: the running bot sends them, and status
// must not show a failure it may not have.
func TestDigestSendWithoutWeChatLeavesGroupsAlone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.clock.Set(at(1, 9, 0))
	cli := f.service(nil)
	out, err := cli.Send(ctx, at(1, 9, 0), "", false)
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]digest.Result{}
	for _, o := range out {
		results[o.Target] = o.Result
		if strings.HasPrefix(o.Target, digest.WeChatPrefix) && !strings.Contains(o.Reason, "reportbot serve") {
			t.Errorf("%s: reason %q; want it to say the running bot sends it", o.Target, o.Reason)
		}
	}
	want := map[string]digest.Result{"wechat:群A": digest.ResultNotTried, "wechat:群B": digest.ResultNotTried, "wecom:team": digest.ResultSent}
	if !maps.Equal(results, want) {
		t.Errorf("send without WeChat: %v; want %v", results, want)
	}
	wantStates(t, status(t, cli, at(1, 9, 0)), map[string]digest.State{"wechat:群A": digest.StatePending, "wechat:群B": digest.StatePending, "wecom:team": digest.StateSent})
	dry, err := cli.Send(ctx, at(1, 9, 0), "wechat:群A", true)
	if err != nil || len(dry) != 1 || dry[0].Result != digest.ResultNotTried {
		t.Errorf("dry run to a WeChat group without WeChat: %+v, %v; want not tried", dry, err)
	}
	// The running bot then sends the groups.
	bot := f.service(f.sender())
	if err := bot.RunDue(ctx, at(1, 9, 0)); err != nil {
		t.Fatal(err)
	}
	wantStates(t, status(t, bot, at(1, 9, 0)), map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
}

// flakySender fails its first failFirst sends, then delivers.
type flakySender struct {
	inbox     *inbox
	failFirst int
	delivered chan struct{}
	mu        *sync.Mutex
	calls     *int
}

func (s *flakySender) SendToGroup(_ context.Context, group, text string) error {
	s.mu.Lock()
	*s.calls++
	n := *s.calls
	s.mu.Unlock()
	if n <= s.failFirst {
		return errors.New("not logged in yet")
	}
	s.inbox.add(group, text)
	select {
	case s.delivered <- struct{}{}:
	default:
	}
	return nil
}

func TestDigestConfigErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct {
		cfg  digest.Config
		want string
	}{
		{digest.Config{}, "digest.start_date"},
		{digest.Config{StartDate: "2026-13-01"}, "digest.start_date"},
		{digest.Config{StartDate: "2026-12-01", Schedule: "0 25 * * *"}, "digest.schedule"},
		{digest.Config{StartDate: "2026-12-01", Schedule: "CRON_TZ=UTC 0 8 * * *"}, "digest.schedule"},
		{digest.Config{StartDate: "2026-12-01", Schedule: "@every 1h"}, "digest.schedule"},
		{digest.Config{StartDate: "2026-12-01", TimeZone: "Mars/Olympus"}, "digest.timezone"},
		{digest.Config{StartDate: "2026-12-01", AfterLast: "loop"}, "digest.after_last"},
		{digest.Config{StartDate: "2026-12-01", OverrideDir: "/no/such/dir"}, "digest.override_dir"},
		{digest.Config{StartDate: "2026-12-01", Groups: []string{"a", "a"}}, "digest.groups"},
		{digest.Config{StartDate: "2026-12-01", Webhooks: map[string]string{"team": "http://qyapi.example.com/send?key=SECRET"}}, "digest.webhooks.team"},
	} {
		_, err := digest.New(tc.cfg, nil, digest.NewMemoryState(), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want it to name %s", tc.cfg, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("the error shows the webhook key: %v", err)
		}
	}
	s, err := digest.New(digest.Config{StartDate: "2026-12-01"}, nil, digest.NewMemoryState(), nil)
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if s.Location().String() != "Asia/Shanghai" {
		t.Errorf("default time zone %s", s.Location())
	}
	if _, err := s.Preview(context.Background(), at(1, 8, 0)); !errors.Is(err, digest.ErrNoDigest) {
		t.Errorf("no reports: err = %v, want ErrNoDigest", err)
	}
}

func TestDigestLongItemIsCutToFit(t *testing.T) {
	r := &corpus.Report{ID: "long", Title: "长报告"}
	work := section(r, nil, "", "重点工作")
	one := section(r, work, "1", "一")
	long := strings.Repeat("推进高质量发展", 150) + "。"
	paragraph(r, one, "长条目", "长条目。", long, "新增床位800张。")
	s, err := digest.New(digest.Config{StartDate: "2026-12-01"}, []*corpus.Report{r}, digest.NewMemoryState(), nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Compose(at(1, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	// The sentence with a figure is chosen; the long one is not needed.
	if !strings.Contains(d.Text, "新增床位800张。") || strings.Contains(d.Text, "推进高质量发展") {
		t.Errorf("item with a figure:\n%s", d.Text)
	}
	r.Paragraphs[0].Sentences = r.Paragraphs[0].Sentences[:2] // no figure left
	s.SetReports([]*corpus.Report{r})
	d, err = s.Compose(at(1, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	if c := utf8.RuneCountInString(d.Text); c > digest.MaxChars || c < digest.MaxChars-10 || !strings.Contains(d.Text, "推进高质量发展推进") || !strings.Contains(d.Text, "…\n出处:《长报告》") {
		t.Errorf("long sentence not cut to fit (%d characters):\n%s", c, d.Text)
	}
}

// The webhook took the request but the reply was lost: the robot may have
// posted it, so it is recorded unknown and not resent by later runs.
func TestDigestLostWebhookReplyIsUnknownNotResent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, dropConnection, 0)
	s := f.service(f.sender())
	f.clock.Set(at(1, 8, 0))
	if err := s.RunDue(ctx, at(1, 8, 0)); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(at(1, 8, 30))
	if err := s.RunDue(ctx, at(1, 8, 30)); err != nil {
		t.Fatal(err)
	}
	if n := f.robot.postCount(); n != 1 {
		t.Errorf("the webhook got %d posts, want 1", n)
	}
	st := status(t, s, at(1, 8, 30))
	wantStates(t, st, map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateUnknown})
	if r := st["wecom:team"].Reason; !strings.Contains(r, "may have been posted") || strings.Contains(r, "team-key") {
		t.Errorf("unknown reason = %q", r)
	}
}
