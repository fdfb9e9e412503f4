// Package digest sends the daily digest: one item of the reports a day
// (the headline targets first, then each key-work item with its figures),
// or the text of an override file, to WeChat groups through the WeChat
// channel's paced queue and to 企业微信 group robots through their webhooks,
// on a cron schedule, each (day, target) at most once.
//
// # Exactly once
//
// Each push takes a per-day lock in the StateStore and, for every target,
// writes a "sending" marker before the send and the outcome (sent, failed,
// unknown) after it. The marker is claimed atomically together with a check
// that the lock is still held, so neither a second process nor a process
// whose lock expired mid-push can send to a target twice.
//
// A crash between the marker and the outcome leaves the target "sending";
// once its push is gone, Status shows it as "unknown". Such a target is not
// resent automatically: a WeChat or 企业微信 send cannot be made idempotent,
// and a duplicate in a group of officials is worse than a gap an operator can
// see and fill. After checking the group, the operator sends it by name
// (`reportbot digest send --target NAME`), which takes over an unknown
// target; a target recorded as sent is never sent again.
//
// A scheduled run missed while the bot was down is sent when it comes back
// within the catch-up window (and the same day); otherwise every target not
// yet sent is recorded as missed and logged, never silently skipped.
package digest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/reportbot/reportbot/channel/wecom"
	"github.com/reportbot/reportbot/corpus"
)

// GroupSender sends a text to a WeChat group by name. The WeChat channel's
// paced queue implements it. SendToGroup returns nil once the text was sent
// and an error when it was not; an error after ctx ended counts as "may have
// been sent" (recorded unknown, not retried).
type GroupSender interface {
	SendToGroup(ctx context.Context, group, text string) error
}

// Target name prefixes.
const (
	WeChatPrefix = "wechat:"
	WeComPrefix  = "wecom:"
)

// ErrBusy means another push of the same day holds the lock.
var ErrBusy = errors.New("digest: another push of this day is running")

// ErrNotSubscribed is returned by Unsubscribe for a group that was not subscribed.
// Its text is shown to the admin in chat, hence Chinese.
var ErrNotSubscribed = errors.New("本群没有订阅每日一读")

// ErrConfiguredGroup is returned by Unsubscribe for a group listed in
// digest.groups: only the configuration can remove it.
// Its text is shown to the admin in chat, hence Chinese.
var ErrConfiguredGroup = errors.New("本群写在配置 digest.groups 里,要在配置文件中删除")

// graceLate is how late a run may always start, whatever the catch-up
// window: the scheduler's own firing is a few milliseconds late.
const graceLate = time.Minute

// earlyFire is how early a scheduled firing may come and still count as the
// run it was for.
const earlyFire = 5 * time.Second

// Defaults of the options.
const (
	DefaultLockTTL = 2 * time.Minute
	DefaultRecheck = 10 * time.Minute
)

// Result is what a push did for one target.
type Result string

const (
	ResultSent        Result = "sent"
	ResultFailed      Result = "failed"
	ResultUnknown     Result = "unknown"      // may or may not have arrived; not resent
	ResultAlreadySent Result = "already sent" // sent by an earlier push
	ResultWouldSend   Result = "would send"   // dry run
	ResultNotTried    Result = "not tried"    // the push stopped before this target
)

// Outcome is what Send did, or would do, for one target.
type Outcome struct {
	Target string
	Result Result
	Reason string // why it failed, was not tried, or is unknown
	// Text is what went (or would go) to the target: plain text for
	// WeChat, Markdown for 企业微信.
	Text string
}

// TargetStatus is where one target stands for one day.
type TargetStatus struct {
	Target string
	State  State
	At     time.Time // when it reached the state; zero for pending
	Reason string
}

// Service is the daily digest.
type Service struct {
	cfg    checked
	state  StateStore
	wechat GroupSender
	robots map[string]*wecom.Robot
	// wecomBot pushes to the AI-bot chats; nil outside serve.
	wecomBot ChatSender

	log          *slog.Logger
	now          func() time.Time
	httpClient   *http.Client
	wecomRetries int
	wecomBackoff time.Duration
	lockTTL      time.Duration
	recheck      time.Duration

	mu    sync.RWMutex
	items []item

	renderCard func(CardContent) ([]byte, error) // WithCards
}

// Option configures a Service.
type Option func(*Service)

// WithLogger sets the logger; the default discards.
func WithLogger(log *slog.Logger) Option {
	return func(s *Service) {
		if log != nil {
			s.log = log
		}
	}
}

// WithClock sets the clock; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Service) {
		if now != nil {
			s.now = now
		}
	}
}

// WithHTTPClient sets the HTTP client of the 企业微信 robots.
func WithHTTPClient(c *http.Client) Option {
	return func(s *Service) { s.httpClient = c }
}

// WithWeComRetry sets the robots' retries and first backoff (see
// wecom.Robot; zero values mean wecom's defaults).
func WithWeComRetry(maxRetries int, backoff time.Duration) Option {
	return func(s *Service) { s.wecomRetries, s.wecomBackoff = maxRetries, backoff }
}

// WithLockTTL sets how long a push's lock lives without progress (each
// target sent renews it); default 2 minutes. A crashed process's lock
// blocks other pushes of that day this long.
func WithLockTTL(d time.Duration) Option {
	return func(s *Service) {
		if d > 0 {
			s.lockTTL = d
		}
	}
}

// WithRecheck sets how often Run looks again, inside the catch-up window,
// for targets still to send (failed ones, or all of them when the start-up
// check found the lock of a crashed process); default 10 minutes, 0 never.
func WithRecheck(d time.Duration) Option {
	return func(s *Service) { s.recheck = max(d, 0) }
}

// New checks cfg and builds the digest of the reports. state keeps what was
// sent (NewMemoryState when there is no Redis); wechat is nil in a process
// without the WeChat channel (`reportbot digest send`): its pushes leave the
// WeChat groups untouched and unrecorded ("not tried"), for the running bot.
func New(cfg Config, reports []*corpus.Report, state StateStore, wechat GroupSender, opts ...Option) (*Service, error) {
	c, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if state == nil {
		return nil, errors.New("digest: no state store")
	}
	s := &Service{
		cfg:     c,
		state:   state,
		wechat:  wechat,
		log:     slog.New(slog.DiscardHandler),
		now:     time.Now,
		lockTTL: DefaultLockTTL,
		recheck: DefaultRecheck,
	}
	for _, o := range opts {
		o(s)
	}
	s.robots = make(map[string]*wecom.Robot, len(c.Webhooks))
	for name, url := range c.Webhooks {
		s.robots[name] = &wecom.Robot{URL: url, HTTPClient: s.httpClient, Logger: s.log, MaxRetries: s.wecomRetries, Backoff: s.wecomBackoff}
	}
	s.SetReports(reports)
	return s, nil
}

// SetReports replaces the reports the digest walks (after 重载). The item of
// a day follows from the new reports from then on.
func (s *Service) SetReports(reports []*corpus.Report) {
	items := buildItems(reports)
	s.mu.Lock()
	s.items = items
	s.mu.Unlock()
}

// Items is the number of items in the walk through the reports.
func (s *Service) Items() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}

// Location is the digest's time zone.
func (s *Service) Location() *time.Location { return s.cfg.loc }

// Today is the current time in the digest's time zone.
func (s *Service) Today() time.Time { return s.now().In(s.cfg.loc) }

// ParseDate reads a YYYY-MM-DD date (as --date gives it) in the digest's
// time zone; "" is today.
func (s *Service) ParseDate(date string) (time.Time, error) {
	if date == "" {
		return s.Today(), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, date, s.cfg.loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("digest: date %q is not YYYY-MM-DD", date)
	}
	return t, nil
}

func (s *Service) dayKey(t time.Time) string { return t.In(s.cfg.loc).Format(time.DateOnly) }

// Compose returns the digest of the day (its date in the digest's time
// zone): the override file's text when there is one, else the item of the
// walk. It returns an error wrapping ErrNoDigest when there is none.
func (s *Service) Compose(day time.Time) (Digest, error) {
	local := day.In(s.cfg.loc)
	d := Digest{Day: local.Format(time.DateOnly), Issue: s.cfg.start.daysUntil(civilOf(local)) + 1, Item: -1}
	text, path, err := readOverride(s.cfg.OverrideDir, d.Day)
	if err != nil {
		return Digest{}, fmt.Errorf("digest %s: %w", d.Day, err)
	}
	if path != "" {
		if text == "" {
			return Digest{}, fmt.Errorf("%w on %s: the override file %s is empty", ErrNoDigest, d.Day, path)
		}
		d.Text, d.Markdown, d.Override = text, text, path
		return d, nil
	}
	if d.Issue < 1 {
		return Digest{}, fmt.Errorf("%w on %s: before digest.start_date %s", ErrNoDigest, d.Day, s.cfg.start)
	}
	s.mu.RLock()
	items := s.items
	s.mu.RUnlock()
	if len(items) == 0 {
		return Digest{}, fmt.Errorf("%w on %s: the reports give no items", ErrNoDigest, d.Day)
	}
	i := d.Issue - 1
	if i >= len(items) {
		if s.cfg.AfterLast == AfterLastStop {
			return Digest{}, fmt.Errorf("%w on %s: issue %d is after the last of %d items (digest.after_last = stop)", ErrNoDigest, d.Day, d.Issue, len(items))
		}
		i %= len(items)
	}
	d.Item = i
	d.Text, d.Markdown = items[i].render(d.Issue, local, s.cfg.BotName)
	return d, nil
}

// Preview returns the WeChat text of the day's digest. It sends nothing.
func (s *Service) Preview(_ context.Context, day time.Time) (string, error) {
	d, err := s.Compose(day)
	if err != nil {
		return "", err
	}
	return d.Text, nil
}

// Subscribe adds a WeChat group to the digest (订阅). A group already
// subscribed or configured is no error.
func (s *Service) Subscribe(ctx context.Context, group string) error {
	group = strings.TrimSpace(group)
	if group == "" {
		return errors.New("digest: subscribe: empty group name")
	}
	if slices.Contains(s.cfg.Groups, group) {
		return nil
	}
	added, err := s.state.Subscribe(ctx, group)
	if err != nil {
		return fmt.Errorf("digest: subscribe %q: %w", group, err)
	}
	if added {
		s.log.Info("digest: group subscribed", "group", group)
	}
	return nil
}

// Unsubscribe removes a subscribed group (退订). It returns an error
// wrapping ErrConfiguredGroup for a group of digest.groups and
// ErrNotSubscribed for a group that was not subscribed.
func (s *Service) Unsubscribe(ctx context.Context, group string) error {
	group = strings.TrimSpace(group)
	if slices.Contains(s.cfg.Groups, group) {
		return fmt.Errorf("%w: remove %q there", ErrConfiguredGroup, group)
	}
	removed, err := s.state.Unsubscribe(ctx, group)
	if err != nil {
		return fmt.Errorf("digest: unsubscribe %q: %w", group, err)
	}
	if !removed {
		return fmt.Errorf("%w: %q", ErrNotSubscribed, group)
	}
	s.log.Info("digest: group unsubscribed", "group", group)
	return nil
}

// target is one place the digest goes.
type target struct {
	name    string
	group   string // WeChat group, or
	webhook string // 企业微信 robot name, or
	chat    string // 企业微信 AI-bot chat name
}

// targets are the configured groups (in order), then the subscribed ones
// (sorted), then the webhooks and then the AI-bot chats (each sorted by
// name).
func (s *Service) targets(ctx context.Context) ([]target, error) {
	subs, err := s.state.Subscriptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("digest: read subscriptions: %w", err)
	}
	var out []target
	seen := map[string]bool{}
	for _, g := range append(slices.Clone(s.cfg.Groups), subs...) {
		if !seen[g] {
			seen[g] = true
			out = append(out, target{name: WeChatPrefix + g, group: g})
		}
	}
	names := make([]string, 0, len(s.robots))
	for name := range s.robots {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		out = append(out, target{name: WeComPrefix + name, webhook: name})
	}
	return append(out, s.chatTargets()...), nil
}

// Targets lists the target names the digest goes to now.
func (s *Service) Targets(ctx context.Context) ([]string, error) {
	ts, err := s.targets(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	return names, nil
}

// Send pushes the day's digest now, regardless of the schedule and the
// catch-up window, to target ("" for every target) and returns what
// happened per target. Targets already sent are never sent again. Without a
// target name, targets left unknown by an interrupted push are skipped too;
// naming such a target sends it (the operator checked the group).
// dryRun returns what would go where and sends and records nothing.
func (s *Service) Send(ctx context.Context, day time.Time, targetName string, dryRun bool) ([]Outcome, error) {
	targets, err := s.targets(ctx)
	if err != nil {
		return nil, err
	}
	if targetName != "" {
		t, err := findTarget(targets, targetName)
		if err != nil {
			return nil, err
		}
		targets, targetName = []target{t}, t.name
	}
	if len(targets) == 0 {
		return nil, errors.New("digest: no targets: set digest.groups, digest.webhooks or digest.wecom_chats, or 订阅 in a group")
	}
	d, err := s.Compose(day)
	if err != nil {
		return nil, err
	}
	takeOver := targetName != ""
	if dryRun {
		return s.dryRun(ctx, d, targets, takeOver)
	}
	return s.push(ctx, d, targets, takeOver)
}

// findTarget finds a target by its full name (wechat:群名, wecom:name) or,
// when that is unambiguous, by the name without its prefix.
func findTarget(targets []target, name string) (target, error) {
	var found []target
	for _, t := range targets {
		if t.name == name {
			return t, nil
		}
		if t.group == name || t.webhook == name || t.chat == name {
			found = append(found, t)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.name
	}
	if len(found) > 1 {
		return target{}, fmt.Errorf("digest: target %q is ambiguous: say %s or %s", name, found[0].name, found[1].name)
	}
	return target{}, fmt.Errorf("digest: unknown target %q (targets: %s)", name, strings.Join(names, ", "))
}

func (s *Service) dryRun(ctx context.Context, d Digest, targets []target, takeOver bool) ([]Outcome, error) {
	recs, err := s.state.Records(ctx, d.Day)
	if err != nil {
		return nil, fmt.Errorf("digest %s: read records: %w", d.Day, err)
	}
	out := make([]Outcome, 0, len(targets))
	for _, t := range targets {
		o := Outcome{Target: t.name, Text: s.form(d, t), Result: ResultWouldSend}
		cur, ok := recs[t.name]
		switch {
		case !MayClaim(cur, ok, "", takeOver):
			o = s.notClaimed(t, cur)
			o.Text = s.form(d, t)
		case t.group != "" && s.wechat == nil:
			o.Result, o.Reason = ResultNotTried, errNoWeChatHere.Error()
		case t.chat != "" && s.wecomBot == nil:
			o.Reason = "would fail: " + errWeComBotDown.Error()
		}
		out = append(out, o)
	}
	return out, nil
}

// form is the digest as the target gets it.
func (s *Service) form(d Digest, t target) string {
	if t.group != "" {
		return d.Text
	}
	return wecom.FitBytes(d.Markdown, wecom.MaxMarkdownBytes)
}

// errNoWeChatHere is why a process without the WeChat channel leaves the
// WeChat groups alone: recording them failed would report a failure the
// running bot may not have.
var errNoWeChatHere = errors.New("not sent from here: WeChat groups are sent by the running reportbot serve (it holds the login)")

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// push sends d to the targets under the day's lock: for each, claim (the
// "sending" marker), send, record the outcome.
func (s *Service) push(ctx context.Context, d Digest, targets []target, takeOver bool) ([]Outcome, error) {
	token := newToken()
	ok, err := s.state.TryLock(ctx, d.Day, token, s.lockTTL)
	if err != nil {
		return nil, fmt.Errorf("digest %s: take the push lock: %w", d.Day, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w (%s)", ErrBusy, d.Day)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.state.Unlock(uctx, d.Day, token); err != nil {
			s.log.Warn("digest: release the push lock (it expires on its own)", "day", d.Day, "err", err)
		}
	}()
	out := make([]Outcome, 0, len(targets))
	for i, t := range targets {
		if t.group != "" && s.wechat == nil {
			out = append(out, Outcome{Target: t.name, Result: ResultNotTried, Reason: errNoWeChatHere.Error()})
			continue
		}
		claimed, cur, err := s.state.Claim(ctx, d.Day, t.name, token, s.lockTTL, Record{State: StateSending, At: s.now(), Token: token}, takeOver)
		if err != nil {
			reason := "the push stopped: " + err.Error()
			for _, rest := range targets[i:] {
				out = append(out, Outcome{Target: rest.name, Result: ResultNotTried, Reason: reason})
			}
			if errors.Is(err, ErrLockLost) {
				s.log.Warn("digest: push lock lost mid-push; stopping (whoever holds it now sends the rest)", "day", d.Day, "next_target", t.name)
				return out, fmt.Errorf("digest %s: stopped before %s: %w", d.Day, t.name, err)
			}
			return out, fmt.Errorf("digest %s: claim %s: %w", d.Day, t.name, err)
		}
		if !claimed {
			o := s.notClaimed(t, cur)
			if o.Result == ResultUnknown {
				s.log.Warn("digest: target left unknown by an interrupted push; not resent", "day", d.Day, "target", t.name, "since", cur.At)
			}
			out = append(out, o)
			continue
		}
		out = append(out, s.deliver(ctx, d, t, token))
	}
	return out, nil
}

func (s *Service) notClaimed(t target, cur Record) Outcome {
	if cur.State == StateSent {
		return Outcome{Target: t.name, Result: ResultAlreadySent, Reason: "sent at " + cur.At.In(s.cfg.loc).Format(time.DateTime)}
	}
	reason := fmt.Sprintf("a push was interrupted while sending at %s, so it may or may not have arrived; not resent automatically: check the group, then send this target by name if it is missing", cur.At.In(s.cfg.loc).Format(time.DateTime))
	if cur.State == StateUnknown && cur.Reason != "" {
		reason = cur.Reason + "; check the group, then send this target by name if it is missing"
	}
	return Outcome{Target: t.name, Result: ResultUnknown, Reason: reason}
}

// deliver sends to one claimed target and records the outcome.
func (s *Service) deliver(ctx context.Context, d Digest, t target, token string) Outcome {
	text := s.form(d, t)
	var err error
	switch {
	case t.group != "":
		err = s.wechat.SendToGroup(ctx, t.group, text)
	case t.chat != "":
		err = s.sendToChat(ctx, t, text)
	default:
		err = s.robots[t.webhook].SendMarkdown(ctx, text)
	}
	rec := Record{At: s.now(), Token: token}
	o := Outcome{Target: t.name, Text: text}
	switch {
	case err == nil:
		rec.State, o.Result = StateSent, ResultSent
	case errors.Is(err, wecom.ErrMaybeDelivered) || (t.group != "" && ctx.Err() != nil):
		// wecom tells a request that never left (safe to retry) from one
		// whose reply was lost; the WeChat queue cannot, once ctx ended.
		rec.State, o.Result = StateUnknown, ResultUnknown
		rec.Reason = "interrupted while sending, so it may or may not have arrived: " + err.Error()
	default:
		rec.State, o.Result = StateFailed, ResultFailed
		rec.Reason = err.Error()
	}
	o.Reason = rec.Reason
	// Record even when ctx ended: the outcome is known now and would be lost.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	recorded, ferr := s.state.Finish(fctx, d.Day, t.name, token, rec)
	switch {
	case ferr != nil:
		s.log.Error("digest: could not record the outcome; the target will show as unknown", "day", d.Day, "target", t.name, "outcome", rec.State, "err", ferr)
		o.Reason = strings.TrimPrefix(o.Reason+"; ", "; ") + "outcome not recorded: " + ferr.Error()
	case !recorded:
		s.log.Warn("digest: outcome not recorded: another push took the target over", "day", d.Day, "target", t.name, "outcome", rec.State)
	}
	if rec.State == StateSent {
		// After the outcome is recorded: the card never decides it.
		o.Reason = s.sendCard(ctx, d, t)
	}
	switch rec.State {
	case StateSent:
		s.log.Info("digest: sent", "day", d.Day, "issue", d.Issue, "target", t.name)
	case StateUnknown:
		s.log.Error("digest: send interrupted; the target may or may not have it and is not resent", "day", d.Day, "target", t.name, "err", err)
	default:
		s.log.Error("digest: send failed", "day", d.Day, "target", t.name, "err", err)
	}
	return o
}

// Status returns where each target stands for the day: the current
// targets in order, then any other target with a record that day.
func (s *Service) Status(ctx context.Context, day time.Time) ([]TargetStatus, error) {
	key := s.dayKey(day)
	recs, err := s.state.Records(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("digest %s: read records: %w", key, err)
	}
	holder, err := s.state.LockHolder(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("digest %s: read the push lock: %w", key, err)
	}
	targets, err := s.targets(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range targets {
		names = append(names, t.name)
	}
	var extra []string
	for name := range recs {
		if !slices.Contains(names, name) {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	out := make([]TargetStatus, 0, len(names)+len(extra))
	for _, name := range append(names, extra...) {
		rec, ok := recs[name]
		if !ok {
			out = append(out, TargetStatus{Target: name, State: StatePending})
			continue
		}
		st := TargetStatus{Target: name, State: rec.State, At: rec.At, Reason: rec.Reason}
		if rec.State == StateSending && rec.Token != holder {
			st.State = StateUnknown
			st.Reason = "the push was interrupted while sending (the process stopped?), so it may or may not have arrived; check the group, then send this target by name if it is missing"
		}
		out = append(out, st)
	}
	return out, nil
}

// RunDue is the scheduler's decision, for the latest scheduled time at or
// before now: when now is within the catch-up window of it (and the same
// day), push to every target not yet sent; otherwise record every target
// without a record as missed. Days without a digest record "skipped".
// It returns an error wrapping ErrBusy when another push of the day runs.
func (s *Service) RunDue(ctx context.Context, now time.Time) error {
	at := lastAtOrBefore(s.cfg.schedule, now, s.cfg.loc)
	if at.IsZero() {
		return nil
	}
	late := now.Sub(at)
	inWindow := late <= max(s.cfg.CatchUp, graceLate) && sameDay(at, now, s.cfg.loc)
	return s.runAt(ctx, at, now, inWindow, true)
}

// runAt handles the run scheduled at `at`. recordMissed says whether a run
// outside the window is recorded as missed (the periodic recheck does not,
// so a group subscribed in the afternoon is not reported missed).
func (s *Service) runAt(ctx context.Context, at, now time.Time, inWindow, recordMissed bool) error {
	day := s.dayKey(at)
	d, err := s.Compose(at)
	if errors.Is(err, ErrNoDigest) {
		return s.recordAll(ctx, day, Record{State: StateSkipped, At: now, Reason: err.Error()})
	}
	if err != nil {
		return err
	}
	targets, err := s.targets(ctx)
	if err != nil {
		return err
	}
	if inWindow {
		_, err := s.push(ctx, d, targets, false)
		return err
	}
	if !recordMissed {
		return nil
	}
	reason := fmt.Sprintf("the run due at %s was missed (the bot was not running then); at %s it was %s late, beyond the catch-up window of %s",
		at.In(s.cfg.loc).Format("2006-01-02 15:04"), now.In(s.cfg.loc).Format("2006-01-02 15:04"), now.Sub(at).Round(time.Minute), s.cfg.CatchUp)
	if !sameDay(at, now, s.cfg.loc) {
		reason = fmt.Sprintf("the run due at %s was missed (the bot was not running then) and that day is over", at.In(s.cfg.loc).Format("2006-01-02 15:04"))
	}
	return s.recordAll(ctx, day, Record{State: StateMissed, At: now, Reason: reason})
}

// recordAll records rec for every target without a record that day.
func (s *Service) recordAll(ctx context.Context, day string, rec Record) error {
	targets, err := s.targets(ctx)
	if err != nil {
		return err
	}
	for _, t := range targets {
		added, err := s.state.RecordIfAbsent(ctx, day, t.name, rec)
		if err != nil {
			return fmt.Errorf("digest %s: record %s for %s: %w", day, rec.State, t.name, err)
		}
		if added {
			s.log.Warn("digest: not sent", "day", day, "target", t.name, "state", rec.State, "reason", rec.Reason)
		}
	}
	return nil
}

// Run starts the scheduler, runs the catch-up check once (RunDue), and
// blocks until ctx ends. While running it also rechecks, every WithRecheck
// interval, for targets still to send inside the catch-up window.
func (s *Service) Run(ctx context.Context) error {
	sch, err := gocron.NewScheduler(gocron.WithLocation(s.cfg.loc), gocron.WithLogger(s.log))
	if err != nil {
		return fmt.Errorf("digest: start the scheduler: %w", err)
	}
	defer func() {
		if err := sch.Shutdown(); err != nil {
			s.log.Warn("digest: scheduler shutdown", "err", err)
		}
	}()
	single := gocron.WithSingletonMode(gocron.LimitModeReschedule)
	if _, err := sch.NewJob(gocron.CronJob(s.cfg.Schedule, true), gocron.NewTask(s.fire),
		gocron.WithName("digest"), gocron.WithContext(ctx), single); err != nil {
		return fmt.Errorf("digest.schedule: %q: %w", s.cfg.Schedule, err)
	}
	if s.recheck > 0 {
		if _, err := sch.NewJob(gocron.DurationJob(s.recheck), gocron.NewTask(s.recheckDue),
			gocron.WithName("digest-recheck"), gocron.WithContext(ctx), single); err != nil {
			return fmt.Errorf("digest: recheck job: %w", err)
		}
	}
	sch.Start()
	now := s.now()
	s.log.Info("digest: scheduler started", "schedule", s.cfg.Schedule, "timezone", s.cfg.loc.String(),
		"next", s.cfg.schedule.Next(now.In(s.cfg.loc)), "catch_up", s.cfg.CatchUp)
	s.report("start-up check", s.RunDue(ctx, now))
	<-ctx.Done()
	return nil
}

// fire is the scheduled job. A timer can fire a little before the wall
// clock reaches the scheduled time (the clock being slewed); such a run is
// the upcoming one, not the previous one.
func (s *Service) fire(ctx context.Context) {
	now := s.now()
	if next := s.cfg.schedule.Next(now.In(s.cfg.loc)); next.Sub(now) < earlyFire {
		if now.Before(next) {
			now = next
		}
	}
	s.report("scheduled run", s.RunDue(ctx, now))
}

// recheckDue pushes, inside the catch-up window, to targets still to send.
func (s *Service) recheckDue(ctx context.Context) {
	now := s.now()
	at := lastAtOrBefore(s.cfg.schedule, now, s.cfg.loc)
	if at.IsZero() || now.Sub(at) > max(s.cfg.CatchUp, graceLate) || !sameDay(at, now, s.cfg.loc) {
		return
	}
	s.report("recheck", s.runAt(ctx, at, now, true, false))
}

func (s *Service) report(what string, err error) {
	switch {
	case err == nil:
	case errors.Is(err, ErrBusy):
		s.log.Info("digest: "+what+": another push of the day is running", "err", err)
	default:
		s.log.Error("digest: "+what, "err", err)
	}
}
