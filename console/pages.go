package console

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/digest"
)

// calendarDays is how many days the calendar shows, today first.
const calendarDays = 30

// sentDays is how many days back the sent page looks.
const sentDays = 14

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

func dayLabel(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), int(t.Month()), t.Day(), weekdays[t.Weekday()])
}

// --- signing in ---

type loginData struct {
	Name  string
	Links bool
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok, _ := c.loadSession(r.Context(), cookieValue(r, sessionCookie)); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	c.render(w, http.StatusOK, "login", page{Title: "登录", CSRF: c.preSignInToken(w, r), Data: loginData{Links: c.opts.Secret != ""}})
}

// throttled takes a sign-in attempt from the user's and the address's
// buckets; a store failure lets the attempt through (logged).
func (c *Console) throttled(r *http.Request, user string) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	// Both buckets in one admission, as the chat core takes its own: one
	// round trip, one atomic step.
	d, err := c.store.Admit(r.Context(), bot.AdmitRequest{Scope: "console-login", Now: c.now(), Buckets: []bot.Bucket{
		{Key: "console-login/user/" + user, Limit: loginRate},
		{Key: "console-login/addr/" + host, Limit: loginRate},
	}})
	if err != nil {
		c.log.Warn("console: sign-in rate limit unavailable", "err", err)
		return false
	}
	return !d.Allowed
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	password := r.PostForm.Get("password")
	again := func(status int, msg string) {
		c.render(w, status, "login", page{Title: "登录", CSRF: c.preSignInToken(w, r), Error: msg, Data: loginData{Name: name, Links: c.opts.Secret != ""}})
	}
	if name == "" || password == "" {
		again(http.StatusBadRequest, "请输入用户名和密码。")
		return
	}
	if c.throttled(r, name) {
		again(http.StatusTooManyRequests, "尝试太频繁了,请一分钟后再试。")
		return
	}
	h, ok := c.users[name]
	if !ok || !h.matches(password) {
		c.log.Warn("console: sign-in refused", "user", name, "addr", r.RemoteAddr)
		again(http.StatusUnauthorized, "用户名或密码不对。")
		return
	}
	c.startSession(w, r, name, "password")
}

func (c *Console) startSession(w http.ResponseWriter, r *http.Request, user, how string) {
	cookie, err := c.newSession(r.Context(), user)
	if err != nil {
		c.log.Error("console: sign-in", "user", user, "err", err)
		c.fail(w, r, nil, http.StatusServiceUnavailable, "暂时无法登录(状态存储无法访问),请稍后再试。")
		return
	}
	c.log.Info("console: signed in", "user", user, "with", how)
	c.setCookie(w, sessionCookie, cookie, c.opts.SessionTTL)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// linkPage shows a sign-in link's button. Opening the link signs nobody
// in: chat apps fetch links to preview them, and that must not use it up.
func (c *Console) linkPage(w http.ResponseWriter, r *http.Request) {
	l, err := parseLink(r.URL.Query(), c.opts.Secret, c.now())
	if err != nil {
		c.fail(w, r, nil, http.StatusForbidden, err.Error())
		return
	}
	c.render(w, http.StatusOK, "link", page{Title: "登录", CSRF: c.preSignInToken(w, r), Data: struct {
		User  string
		Query string
	}{l.user, r.URL.RawQuery}})
}

func (c *Console) linkLogin(w http.ResponseWriter, r *http.Request) {
	q, _ := url.ParseQuery(r.PostForm.Get("link"))
	l, err := parseLink(q, c.opts.Secret, c.now())
	if err != nil {
		c.fail(w, r, nil, http.StatusForbidden, err.Error())
		return
	}
	// A link is used once: the store's de-duplication of message IDs, across
	// every process sharing it, tells which use is the first.
	d, err := c.store.Admit(r.Context(), bot.AdmitRequest{Scope: "console-link", MsgID: "console-link/" + l.nonce,
		DedupeTTL: l.expires.Sub(c.now()) + time.Minute, Now: c.now()})
	first := !d.Duplicate
	if err != nil {
		c.log.Error("console: sign-in link", "err", err)
		c.fail(w, r, nil, http.StatusServiceUnavailable, "暂时无法登录(状态存储无法访问),请稍后再试。")
		return
	}
	if !first {
		c.fail(w, r, nil, http.StatusForbidden, "这个登录链接已经用过了,请管理员重新生成。")
		return
	}
	c.startSession(w, r, l.user, "link")
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, s session) {
	if err := c.store.DeleteConsoleSession(r.Context(), storeID(cookieValue(r, sessionCookie))); err != nil {
		c.log.Warn("console: sign-out", "err", err)
	}
	c.setCookie(w, sessionCookie, "", -time.Second)
	c.log.Info("console: signed out", "user", s.User)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// --- the calendar and a day ---

// dayView is one day as the calendar and the day page show it.
type dayView struct {
	Date, Label string
	Issue       int
	Today, Past bool
	Mode        digest.DayMode
	// None says why there is no digest that day; "" when there is one.
	None     string
	Text     string // as WeChat shows it
	Markdown string // as 企业微信 gets it
	Override string
	Targets  []targetView
	Sent     int // targets sent
}

type targetView struct {
	Target, Kind, State, Label, At, Reason string
	CanSend, NeedsConfirm                  bool
}

var stateLabels = map[digest.State]string{
	digest.StatePending: "待发送",
	digest.StateSending: "发送中",
	digest.StateUnknown: "不确定(请先看群里)",
	digest.StateSent:    "已发送",
	digest.StateFailed:  "失败",
	digest.StateMissed:  "错过",
	digest.StateSkipped: "跳过",
}

func (c *Console) view(r *http.Request, day time.Time, withStatus bool) (dayView, error) {
	d := c.opts.Digest
	today := d.Today()
	v := dayView{Date: day.Format(time.DateOnly), Label: dayLabel(day)}
	v.Today = v.Date == today.Format(time.DateOnly)
	v.Past = !v.Today && day.Before(today)
	mode, _, err := d.Mode(day)
	if err != nil {
		return v, err
	}
	v.Mode = mode
	dg, err := d.Compose(day)
	switch {
	case errors.Is(err, digest.ErrNoDigest):
		v.None = noDigestReason(mode, err)
	case err != nil:
		return v, err
	default:
		v.Issue, v.Text, v.Markdown, v.Override = dg.Issue, dg.Text, dg.Markdown, dg.Override
	}
	if !withStatus {
		return v, nil
	}
	sts, err := d.Status(r.Context(), day)
	if err != nil {
		return v, err
	}
	for _, st := range sts {
		tv := targetView{Target: st.Target, State: string(st.State), Label: stateLabels[st.State], Reason: st.Reason}
		if tv.Label == "" {
			tv.Label = string(st.State)
		}
		tv.Kind = "微信群"
		if strings.HasPrefix(st.Target, digest.WeComPrefix) {
			tv.Kind = "企业微信"
		}
		if !st.At.IsZero() {
			tv.At = st.At.In(today.Location()).Format("01-02 15:04")
		}
		if st.State == digest.StateSent {
			v.Sent++
		}
		// Sending: today or a past day, never a day to come (the scheduler
		// sends it on its day), never a target sent.
		tv.CanSend = v.None == "" && v.Date <= today.Format(time.DateOnly) && st.State != digest.StateSent && st.State != digest.StateSending
		tv.NeedsConfirm = st.State == digest.StateUnknown
		v.Targets = append(v.Targets, tv)
	}
	return v, nil
}

func noDigestReason(mode digest.DayMode, err error) string {
	if mode == digest.DaySkipped {
		return "这一天已跳过,不推送。"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "start_date"):
		return "在 digest.start_date 之前,没有推送。"
	case strings.Contains(msg, "after_last"):
		return "报告已推送完(digest.after_last = stop),没有推送。"
	}
	return "这一天没有推送:" + msg
}

func (c *Console) needDigest(w http.ResponseWriter, r *http.Request, s session) bool {
	if c.opts.Digest == nil {
		c.fail(w, r, &s, http.StatusNotFound, "没有开启每日推送(digest.enabled = false)。")
		return false
	}
	return true
}

func (c *Console) calendar(w http.ResponseWriter, r *http.Request, s session) {
	p := page{Title: "推送日历", User: s.User, CSRF: s.CSRF, Nav: "calendar"}
	if c.opts.Digest == nil {
		p.Error = "没有开启每日推送(digest.enabled = false),日历是空的。"
		c.render(w, http.StatusOK, "calendar", p)
		return
	}
	today := c.opts.Digest.Today()
	var days []dayView
	for i := range calendarDays {
		day := time.Date(today.Year(), today.Month(), today.Day()+i, 12, 0, 0, 0, today.Location())
		v, err := c.view(r, day, i == 0)
		if err != nil {
			c.log.Error("console: calendar", "day", day.Format(time.DateOnly), "err", err)
			v.None = "读取失败:" + err.Error()
		}
		days = append(days, v)
	}
	p.Data = struct {
		Days     []dayView
		Editable bool
	}{days, c.opts.Digest.Editable()}
	c.render(w, http.StatusOK, "calendar", p)
}

// dayOf reads the {date} of the path.
func (c *Console) dayOf(w http.ResponseWriter, r *http.Request, s session) (time.Time, bool) {
	if !c.needDigest(w, r, s) {
		return time.Time{}, false
	}
	day, err := c.opts.Digest.ParseDate(r.PathValue("date"))
	if err != nil || r.PathValue("date") == "" {
		c.fail(w, r, &s, http.StatusBadRequest, "日期不对,应为 YYYY-MM-DD。")
		return time.Time{}, false
	}
	// Noon: the day's date stays the same whatever the zone's offsets do.
	return day.Add(12 * time.Hour), true
}

// dayData is the day page.
type dayData struct {
	Day        dayView
	Editable   bool
	CanEdit    bool // today or later, override_dir set
	EditText   string
	Candidate  *candidate
	HasCard    bool
	CardURL    string
	NoEditNote string
}

// candidate is an edit being previewed, not saved.
type candidate struct {
	Text, Markdown string
	CardData       string // data: URL of its card
	Hash           string
}

var doneMessages = map[string]string{
	"saved":    "已保存:这一天将推送修改后的内容。",
	"skipped":  "已跳过:这一天不推送。",
	"restored": "已恢复:这一天照常推送。",
	"reverted": "已撤销修改:这一天推送自动生成的内容。",
}

func (c *Console) dayPage(w http.ResponseWriter, r *http.Request, s session) {
	day, ok := c.dayOf(w, r, s)
	if !ok {
		return
	}
	c.showDay(w, r, s, day, http.StatusOK, doneMessages[r.URL.Query().Get("done")], "", nil, "")
}

func (c *Console) showDay(w http.ResponseWriter, r *http.Request, s session, day time.Time, status int, flash, errMsg string, cand *candidate, editText string) {
	v, err := c.view(r, day, true)
	if err != nil {
		c.log.Error("console: day", "day", day.Format(time.DateOnly), "err", err)
		c.fail(w, r, &s, http.StatusInternalServerError, "读取这一天失败:"+err.Error())
		return
	}
	d := dayData{Day: v, Editable: c.opts.Digest.Editable(), Candidate: cand}
	d.CanEdit = d.Editable && !v.Past
	switch {
	case !d.Editable:
		d.NoEditNote = "没有配置 digest.override_dir,不能编辑、跳过或恢复。"
	case v.Past:
		d.NoEditNote = "过去的日子不能再编辑。"
	}
	d.EditText = editText
	if editText == "" && cand == nil {
		d.EditText = v.Text
		if mode, text, err := c.opts.Digest.Mode(day); err == nil && mode == digest.DayEdited {
			d.EditText = text
		}
	}
	d.HasCard = c.opts.Card != nil && v.None == ""
	d.CardURL = "/day/" + v.Date + "/card.png"
	c.render(w, status, "day", page{Title: v.Label, User: s.User, CSRF: s.CSRF, Nav: "calendar", Flash: flash, Error: errMsg, Data: d})
}

func (c *Console) cardPNG(w http.ResponseWriter, r *http.Request, s session) {
	day, ok := c.dayOf(w, r, s)
	if !ok {
		return
	}
	if c.opts.Card == nil {
		c.fail(w, r, &s, http.StatusNotFound, "没有开启图片卡片。")
		return
	}
	dg, err := c.opts.Digest.Compose(day)
	if err != nil {
		c.fail(w, r, &s, http.StatusNotFound, "这一天没有推送,也就没有卡片。")
		return
	}
	png, err := c.opts.Card(c.opts.Digest.CardOf(dg))
	if err != nil {
		c.log.Error("console: card", "day", dg.Day, "err", err)
		c.fail(w, r, &s, http.StatusInternalServerError, "生成卡片失败:"+err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

// edited reads the day and the composed edit of a preview or save form; it
// shows the day with the reason and returns false when the text is refused.
func (c *Console) edited(w http.ResponseWriter, r *http.Request, s session) (time.Time, digest.Digest, bool) {
	day, ok := c.dayOf(w, r, s)
	if !ok {
		return day, digest.Digest{}, false
	}
	text := r.PostForm.Get("text")
	dg, err := c.opts.Digest.ComposeOverride(day, text)
	if err != nil {
		c.showDay(w, r, s, day, http.StatusUnprocessableEntity, "", "不能保存这段内容:"+err.Error(), nil, text)
		return day, dg, false
	}
	return day, dg, true
}

// preview shows an edit as the targets would get it, without saving.
func (c *Console) preview(w http.ResponseWriter, r *http.Request, s session) {
	if day, dg, ok := c.edited(w, r, s); ok {
		c.showPreview(w, r, s, day, dg)
	}
}

func (c *Console) showPreview(w http.ResponseWriter, r *http.Request, s session, day time.Time, dg digest.Digest) {
	cand := &candidate{Text: dg.Text, Markdown: dg.Markdown, Hash: contentHash(dg.Text)}
	if c.opts.Card != nil {
		if png, err := c.opts.Card(c.opts.Digest.CardOf(dg)); err == nil {
			cand.CardData = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
		}
	}
	c.showDay(w, r, s, day, http.StatusOK, "下面是修改后的预览,确认无误再点“保存”。", "", cand, dg.Text)
}

// save stores an edit that was previewed: the form carries the hash of
// the text shown in the preview, and a text changed since is previewed again.
func (c *Console) save(w http.ResponseWriter, r *http.Request, s session) {
	day, dg, ok := c.edited(w, r, s)
	if !ok {
		return
	}
	text := dg.Text
	if r.PostForm.Get("previewed") != contentHash(dg.Text) {
		c.showPreview(w, r, s, day, dg)
		return
	}
	if day.Before(c.startOfToday()) {
		c.showDay(w, r, s, day, http.StatusConflict, "", "过去的日子不能再编辑。", nil, text)
		return
	}
	if err := c.opts.Digest.SaveOverride(day, dg.Text); err != nil {
		c.showDay(w, r, s, day, http.StatusUnprocessableEntity, "", "保存失败:"+err.Error(), nil, text)
		return
	}
	c.log.Info("console: day edited", "user", s.User, "day", dg.Day)
	http.Redirect(w, r, "/day/"+dg.Day+"?done=saved", http.StatusSeeOther)
}

func (c *Console) startOfToday() time.Time {
	t := c.opts.Digest.Today()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// change runs a skip, restore or revert of a day to come.
func (c *Console) change(w http.ResponseWriter, r *http.Request, s session, what string, do func(time.Time) error) {
	day, ok := c.dayOf(w, r, s)
	if !ok {
		return
	}
	if day.Before(c.startOfToday()) {
		c.showDay(w, r, s, day, http.StatusConflict, "", "过去的日子不能再改。", nil, "")
		return
	}
	if err := do(day); err != nil {
		c.showDay(w, r, s, day, http.StatusUnprocessableEntity, "", "操作失败:"+err.Error(), nil, "")
		return
	}
	c.log.Info("console: day "+what, "user", s.User, "day", day.Format(time.DateOnly))
	http.Redirect(w, r, "/day/"+day.Format(time.DateOnly)+"?done="+what, http.StatusSeeOther)
}

func (c *Console) skip(w http.ResponseWriter, r *http.Request, s session) {
	c.change(w, r, s, "skipped", c.opts.Digest.Skip)
}

func (c *Console) restore(w http.ResponseWriter, r *http.Request, s session) {
	c.change(w, r, s, "restored", c.opts.Digest.Restore)
}

func (c *Console) revert(w http.ResponseWriter, r *http.Request, s session) {
	c.change(w, r, s, "reverted", c.opts.Digest.Revert)
}

var resultLabels = map[digest.Result]string{
	digest.ResultSent:        "已发送",
	digest.ResultFailed:      "发送失败",
	digest.ResultUnknown:     "不确定是否送达,没有重发",
	digest.ResultAlreadySent: "之前已发送过,没有重发",
	digest.ResultNotTried:    "没有尝试",
}

// send pushes the day to one target now, by the digest's exactly-once
// rules: a target sent is never sent again; a target left unknown is sent
// only when the user confirms the group lacks it.
func (c *Console) send(w http.ResponseWriter, r *http.Request, s session) {
	day, ok := c.dayOf(w, r, s)
	if !ok {
		return
	}
	target := r.PostForm.Get("target")
	if target == "" {
		c.showDay(w, r, s, day, http.StatusBadRequest, "", "没有指定发送对象。", nil, "")
		return
	}
	if day.Format(time.DateOnly) > c.opts.Digest.Today().Format(time.DateOnly) {
		c.showDay(w, r, s, day, http.StatusConflict, "", "还没到这一天:到时会按计划自动发送。", nil, "")
		return
	}
	sts, err := c.opts.Digest.Status(r.Context(), day)
	if err != nil {
		c.showDay(w, r, s, day, http.StatusServiceUnavailable, "", "读取发送状态失败:"+err.Error(), nil, "")
		return
	}
	for _, st := range sts {
		if st.Target == target && st.State == digest.StateUnknown && r.PostForm.Get("confirm") != "yes" {
			c.showDay(w, r, s, day, http.StatusConflict, "", "“"+target+"”上次发送中断,可能已经收到。请先到群里确认没有收到,勾选确认后再发送。", nil, "")
			return
		}
	}
	outs, err := c.opts.Digest.Send(r.Context(), day, target, false)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, digest.ErrBusy) {
			msg = "这一天正有另一次发送在进行,请稍后刷新查看。"
		}
		c.showDay(w, r, s, day, http.StatusConflict, "", "没有发送:"+msg, nil, "")
		return
	}
	var lines []string
	for _, o := range outs {
		line := o.Target + ":" + resultLabels[o.Result]
		if o.Reason != "" {
			line += "(" + o.Reason + ")"
		}
		lines = append(lines, line)
		c.log.Info("console: sent", "user", s.User, "day", day.Format(time.DateOnly), "target", o.Target, "result", o.Result)
	}
	c.showDay(w, r, s, day, http.StatusOK, strings.Join(lines, ";"), "", nil, "")
}

func (c *Console) sentPage(w http.ResponseWriter, r *http.Request, s session) {
	if !c.needDigest(w, r, s) {
		return
	}
	today := c.opts.Digest.Today()
	var days []dayView
	for i := range sentDays {
		day := time.Date(today.Year(), today.Month(), today.Day()-i, 12, 0, 0, 0, today.Location())
		v, err := c.view(r, day, true)
		if err != nil {
			c.log.Error("console: sent", "day", day.Format(time.DateOnly), "err", err)
			v.None = "读取失败:" + err.Error()
		}
		days = append(days, v)
	}
	c.render(w, http.StatusOK, "sent", page{Title: "发送记录", User: s.User, CSRF: s.CSRF, Nav: "sent", Data: days})
}
