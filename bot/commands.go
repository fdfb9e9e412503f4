package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/reportbot/reportbot/corpus"
)

const rateNotice = "提问太频繁了,请稍后再问。"

func (b *Bot) nonTextHint() string {
	return "我只能读文字消息。请直接输入问题" + b.forExample(1) + ",或回复“帮助”。"
}

func (b *Bot) shortHelp() string {
	return "我是报告问答机器人" + b.opts.Name + "。请在@我之后直接提问" + b.forExample(2) + ";回复“帮助”看全部用法。"
}

func (b *Bot) help(admin bool) string {
	var s strings.Builder
	s.WriteString("我能回答工作报告里的问题,并给出原文、位置和数据。\n")
	if ex := b.examples().questions; len(ex) > 0 {
		s.WriteString("· 直接提问:" + strings.Join(ex, " / ") + "\n")
	} else {
		s.WriteString("· 直接提问:用报告里的说法问目标、数据和工作安排\n")
	}
	s.WriteString("· 问某年某地的报告:加上年份或地区,例如“" + scopeExample(b.Searcher().Reports()) + "”\n")
	s.WriteString("· 更多:下一条答案\n· 详情1:第1条答案所在的整段\n")
	s.WriteString("· 目录:报告结构\n· 数读 / 目标:主要目标和数据\n· 第N部分:该部分的要点\n")
	if b.opts.Prefix != "" {
		s.WriteString("群里@我,或以“" + b.opts.Prefix + "”开头提问。")
	} else {
		s.WriteString("群里请先@我再提问。")
	}
	if admin {
		s.WriteString("\n管理员:统计 / 重载 / 订阅 / 退订 / 今日推送预览")
	}
	return s.String()
}

// admin runs an admin command; the caller has checked the sender.
func (b *Bot) admin(ctx context.Context, in incoming, cmd string) Answer {
	a := Answer{Query: cmd}
	switch cmd {
	case "统计":
		a.Text = b.stats(ctx)
	case "重载":
		a.Text = b.reload(ctx)
	case "订阅", "退订":
		a.Text = b.subscription(ctx, in, cmd)
	case "今日推送预览":
		if b.opts.Digest == nil {
			a.Text = "没有配置每日推送。"
			break
		}
		text, err := b.opts.Digest.Preview(ctx, b.opts.Clock.Now().In(b.opts.Location))
		if err != nil {
			b.log.Error("digest preview failed", "err", err)
			a.Text = "生成今日推送预览失败:" + err.Error()
			break
		}
		a.Text = text
	}
	return a
}

func (b *Bot) stats(ctx context.Context) string {
	day := b.opts.Clock.Now().In(b.opts.Location).Format("2006-01-02")
	sum, err := b.store.Summary(ctx, day)
	b.storeResult(err)
	if err != nil {
		return "统计暂时不可用(状态存储无法访问)。"
	}
	var s strings.Builder
	fmt.Fprintf(&s, "【%s 统计】提问%d次,答到%d次,没找到%d次。\n", day, sum.Questions, sum.Found, sum.NotFound)
	if len(sum.Top) > 0 {
		s.WriteString("热门问题:\n")
		for i, q := range sum.Top {
			fmt.Fprintf(&s, "%d. %s(%d次)\n", i+1, truncate(q.Question, 30), q.Count)
		}
	}
	if len(sum.Unanswered) > 0 {
		s.WriteString("最近没答上的:\n")
		for _, q := range sum.Unanswered {
			s.WriteString("· " + truncate(q, 30) + "\n")
		}
	}
	return strings.TrimSpace(s.String())
}

// ReloadError is a failed reload (Options.Reload) with the short Chinese
// reason the admin sees in chat; Err, with its detail, goes to the log only.
type ReloadError struct {
	Reason string // e.g. 报告目录里没有可读的报告
	Err    error
}

func (e *ReloadError) Error() string { return e.Err.Error() }
func (e *ReloadError) Unwrap() error { return e.Err }

func (b *Bot) reload(ctx context.Context) string {
	if b.opts.Reload == nil {
		return "当前配置不支持重载(使用的是内置报告)。"
	}
	b.reloadMu.Lock()
	defer b.reloadMu.Unlock()
	s, err := b.opts.Reload(ctx)
	if err != nil {
		// The detail (paths, English) is for the operator's log; the chat
		// gets a short reason it can act on.
		b.log.Error("reload failed", "err", err)
		reason := "读取报告时出错,详情已写入日志"
		var re *ReloadError
		if errors.As(err, &re) && re.Reason != "" {
			reason = re.Reason
		}
		return "重载失败,仍使用原来的报告:" + reason + "。"
	}
	old := b.Searcher()
	b.searcher.Store(&s)
	reports, sentences := 0, 0
	for _, r := range s.Reports() {
		reports++
		for _, p := range r.Paragraphs {
			sentences += len(p.Sentences)
		}
	}
	var added, changed, removed []string
	known := false
	if rc, ok := s.(ReloadChanges); ok {
		added, changed, removed, known = rc.ReloadChanges()
	}
	if !known {
		added, removed = diffReports(old.Reports(), s.Reports())
	}
	b.log.Info("reports reloaded", "reports", reports, "sentences", sentences, "added", len(added), "changed", len(changed), "removed", len(removed))
	text := fmt.Sprintf("已重载:共%d份报告,%d句。", reports, sentences)
	if len(added)+len(changed)+len(removed) == 0 {
		return text + "报告没有变化。"
	}
	for _, kind := range []struct {
		what   string
		titles []string
	}{{"新增", added}, {"更新", changed}, {"移除", removed}} {
		if len(kind.titles) > 0 {
			text += fmt.Sprintf("%s%d份:%s。", kind.what, len(kind.titles), someTitles(kind.titles))
		}
	}
	return text
}

// ReloadChanges is what a Searcher from Options.Reload may tell about what
// the reload changed: titles of the reports added, changed and removed (ok
// false when it does not know). Without it 重载 compares the report IDs
// before and after, which misses reports changed in place.
type ReloadChanges interface {
	ReloadChanges() (added, changed, removed []string, ok bool)
}

func diffReports(before, after []*corpus.Report) (added, removed []string) {
	had := map[string]bool{}
	for _, r := range before {
		had[r.ID] = true
	}
	has := map[string]bool{}
	for _, r := range after {
		has[r.ID] = true
		if !had[r.ID] {
			added = append(added, r.Title)
		}
	}
	for _, r := range before {
		if !has[r.ID] {
			removed = append(removed, r.Title)
		}
	}
	return added, removed
}

// reloadTitlesShown bounds the titles a 重载 reply names of each kind: a
// thousand reports reloaded are counted, not listed.
const reloadTitlesShown = 3

func someTitles(titles []string) string {
	shown := titles[:min(len(titles), reloadTitlesShown)]
	s := "《" + strings.Join(shown, "》《") + "》"
	if len(titles) > len(shown) {
		s += fmt.Sprintf("等%d份", len(titles))
	}
	return s
}

func (b *Bot) subscription(ctx context.Context, in incoming, cmd string) string {
	if b.opts.Digest == nil {
		return "没有配置每日推送。"
	}
	if !in.group {
		return "请在要订阅的群里发送“" + cmd + "”。"
	}
	var err error
	if cmd == "订阅" {
		err = b.opts.Digest.Subscribe(ctx, in.chat)
	} else {
		err = b.opts.Digest.Unsubscribe(ctx, in.chat)
	}
	if err != nil {
		b.log.Error("digest subscription failed", "cmd", cmd, "group", in.chat, "err", err)
		return cmd + "失败:" + err.Error()
	}
	if cmd == "订阅" {
		return "已订阅:本群每天会收到报告的每日一读。"
	}
	return "已退订:本群不再收到每日一读。"
}
