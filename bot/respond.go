package bot

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/reportbot/reportbot/corpus"
)

// Answer is the bot's response to one text: the reply a chat user sees and
// the hits behind it (none when the reports do not cover the question).
type Answer struct {
	Query string
	Text  string
	Hits  []corpus.Hit
	// Results are what a JSON client sees; for search answers they mirror
	// Hits, for outline answers they list the sections.
	Results []Result
	// Comparison holds the rows of an answer across reports, one a report.
	Comparison []ComparisonRow
}

// ComparisonRow is one report's line of a comparison as JSON clients see it.
type ComparisonRow struct {
	Report  string   `json:"report,omitempty"` // report ID, "" when none is loaded for the row
	Label   string   `json:"label"`            // 2023年, 浙江, 2022年实际
	Year    int      `json:"year,omitempty"`
	Region  string   `json:"region,omitempty"`
	Role    string   `json:"role,omitempty"` // 目标 or 实际
	Text    string   `json:"text"`           // the clause that answers, "" when none
	Figures []string `json:"figures"`
}

// Result is one answer unit as `reportbot ask --json` prints it.
type Result struct {
	Text    string   `json:"text"`
	Section string   `json:"section"`
	Report  string   `json:"report,omitempty"`
	Figures []string `json:"figures"`
	Score   float64  `json:"score"`
}

// incoming is who sent a text: their conversation (nil for one-off
// questions), whether they are an admin, and the chat it came from.
type incoming struct {
	conv  *conversation
	admin bool
	chat  string
	group bool
}

// conversation carries the session of one person in one chat; nil key means
// a one-off question (reportbot ask, /api/ask) with nothing remembered.
type conversation struct {
	bot *Bot
	key string
}

// load returns the session; err is set when the store could not be read,
// which is not the same as "no question asked yet". When the last save of
// this conversation failed (the store was down), what the store holds is an
// older question: it is cleared rather than continued.
func (c *conversation) load(ctx context.Context) (Session, bool, error) {
	if c == nil || c.key == "" {
		return Session{}, false, nil
	}
	if _, stale := c.bot.staleSessions.Load(c.key); stale {
		err := c.bot.store.PutSession(ctx, c.key, Session{}, c.bot.opts.SessionTTL)
		c.bot.storeResult(err)
		if err != nil {
			return Session{}, false, err
		}
		c.bot.staleSessions.Delete(c.key)
		return Session{}, false, nil
	}
	s, ok, err := c.bot.store.GetSession(ctx, c.key)
	c.bot.storeResult(err)
	return s, ok && err == nil, err
}

// storeUnavailable is the reply to a follow-up while the store is down.
func storeUnavailable(cmd string) string {
	return "暂时读不到你上一个问题(状态存储不可用),“" + cmd + "”请稍后再试;现在可以直接提问。"
}

// save stores the session; when that fails, the conversation is marked
// stale so that a follow-up never continues the question stored before.
func (c *conversation) save(ctx context.Context, s Session) {
	if c == nil || c.key == "" {
		return
	}
	err := c.bot.store.PutSession(ctx, c.key, s, c.bot.opts.SessionTTL)
	c.bot.storeResult(err)
	if err != nil {
		c.bot.staleSessions.Store(c.key, struct{}{})
	} else {
		c.bot.staleSessions.Delete(c.key)
	}
}

// asked stores the session a question leaves and counts the question for
// 统计, in one step. One-off questions (reportbot ask, /api/ask: probes,
// evaluation runs) are not chat traffic: nothing is kept of them.
func (c *conversation) asked(ctx context.Context, s Session, found bool) {
	if c == nil || c.key == "" {
		return
	}
	b := c.bot
	now := b.opts.Clock.Now()
	e := QuestionEvent{Day: now.In(b.opts.Location).Format(time.DateOnly), Question: s.Question, Found: found, At: now}
	err := b.store.RecordQuestion(ctx, e, c.key, s, b.opts.SessionTTL)
	b.storeResult(err)
	// As in save: a follow-up must not continue an older question.
	if err != nil {
		b.staleSessions.Store(c.key, struct{}{})
	} else {
		b.staleSessions.Delete(c.key)
	}
}

// Ask answers a one-off question, as `reportbot ask` and /api/ask do: the
// same text a chat user would get, with no session behind it.
func (b *Bot) Ask(ctx context.Context, question string) Answer {
	return b.respond(ctx, incoming{}, cleanText(question))
}

var (
	// Numbers keep a minus sign (详情-1 is no answer, not answer 1) and may
	// be written in Chinese up to the hundreds (第一百部分).
	detailRe  = regexp.MustCompile(`^(?:详情|全文|详细|展开)\s*(-?[0-9零〇一二两三四五六七八九十百千]*)$`)
	sectionRe = regexp.MustCompile(`^第\s*(-?[0-9零〇一二两三四五六七八九十百千]+)\s*(?:部分|节|项|个关键词|个)$`)
	// 更多, also repeated (更多更多) as impatient people type it.
	moreRe = regexp.MustCompile(`^(?:更多|下一条|还有吗|more)+$`)
)

// respond routes a text to a command or a search.
func (b *Bot) respond(ctx context.Context, in incoming, text string) Answer {
	conv := in.conv
	cmd := commandWord(text)
	// Structure commands may name a report: 2023年目录, 浙江第三部分.
	report, rest := b.scopedCommand(cmd)
	switch {
	case text == "":
		return Answer{Text: b.shortHelp()}
	case utf8Len(text) > b.opts.MaxQuestion:
		return Answer{Query: text, Text: fmt.Sprintf("问题太长了(%d字)。请用一句话提问,不超过%d字%s。", utf8Len(text), b.opts.MaxQuestion, b.forExample(1))}
	case strings.Trim(text, "?？") == "":
		return Answer{Query: text, Text: b.help(in.admin)}
	case !hasWordRune(text):
		return Answer{Query: text, Text: "没看懂这个问题。请用文字提问" + b.forExample(1) + ",或回复“帮助”。"}
	case cmd == "帮助" || cmd == "help" || cmd == "菜单" || cmd == "使用说明":
		return Answer{Query: text, Text: b.help(in.admin)}
	case moreRe.MatchString(cmd):
		return b.more(ctx, conv)
	case detailRe.MatchString(cmd):
		return b.detail(ctx, conv, detailRe.FindStringSubmatch(cmd)[1])
	case rest == "目录" || rest == "提纲" || rest == "大纲":
		return b.outline(text, report)
	case rest == "数读" || rest == "目标" || rest == "主要目标" || rest == "奋斗目标" || rest == "主要预期目标":
		return b.highlights(text, report)
	case sectionRe.MatchString(rest):
		return b.section(text, report, sectionRe.FindStringSubmatch(rest)[1])
	case rest != cmd && strings.Trim(rest, "的报告") == "":
		// Only a year or a region (2022年, 浙江): that report's headline
		// targets, which say what it is about.
		return b.highlights(text, report)
	case cmd == "统计" || cmd == "重载" || cmd == "订阅" || cmd == "退订" || cmd == "今日推送预览":
		if !in.admin {
			return Answer{Query: text, Text: "“" + cmd + "”只有管理员可以使用。"}
		}
		return b.admin(ctx, in, cmd)
	}
	if r, s, label := b.namedSection(rest, report); s != nil {
		return b.sectionAnswer(text, r, s, label)
	}
	if r, s := b.topicSection(rest, report); s != nil {
		return b.sectionAnswer(text, r, s, partLabel(r, s))
	}
	if b.isOutlineQuestion(rest) {
		return b.outline(text, report)
	}
	if a, ok := b.compare(ctx, conv, text); ok {
		return a
	}
	return b.search(ctx, conv, text)
}

// commandWord is the text folded (traditional to simplified, full width to
// half, lower case) without spaces and punctuation, so "幫助!" and " 更多 "
// are commands too. A minus sign before a digit stays: 详情-1 is not 详情1.
func commandWord(s string) string {
	var bld strings.Builder
	rs := []rune(corpus.Fold(s))
	for i, r := range rs {
		if isMinus(r) && i+1 < len(rs) && unicode.IsDigit(rs[i+1]) {
			bld.WriteRune('-')
			continue
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		bld.WriteRune(unicode.ToLower(r))
	}
	return bld.String()
}

func isMinus(r rune) bool { return r == '-' || r == '−' || r == '－' }

func hasWordRune(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func utf8Len(s string) int { return len([]rune(s)) }

func (b *Bot) search(ctx context.Context, conv *conversation, question string) Answer {
	start := time.Now()
	hits, err := b.Searcher().Search(ctx, question, b.opts.TopHits)
	if err != nil {
		b.log.Error("search failed", "question", question, "err", err)
		return Answer{Query: question, Text: "查询出错了,请稍后再试。"}
	}
	hits = dropShown(hits)
	// One-off questions (reportbot ask, /api/ask: probes, evaluation runs)
	// are not chat traffic and stay out of the answer metrics and 统计.
	if conv != nil && b.opts.OnAnswer != nil {
		b.opts.OnAnswer(len(hits) > 0, time.Since(start))
	}
	if len(hits) == 0 {
		conv.asked(ctx, Session{Question: question}, false)
		return Answer{Query: question, Text: b.notFound(question)}
	}
	conv.asked(ctx, Session{Question: question, Hits: refs(hits), Cursor: 1}, true)
	a := Answer{Query: question, Hits: hits, Text: b.formatHit(hits, 0)}
	a.Results = results(hits)
	return a
}

func (b *Bot) notFound(question string) string {
	return "报告里没有找到与“" + truncate(question, 30) + "”相关的内容。\n" +
		"可以问报告里的目标和重点工作" + b.forExample(2) + ";回复“目录”看报告结构,“帮助”看用法。"
}

func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

func results(hits []corpus.Hit) []Result {
	out := make([]Result, len(hits))
	for i, h := range hits {
		text, figures := passage(h.Sentence)
		figs := make([]string, len(figures))
		for j, f := range figures {
			figs[j] = f.Text
		}
		out[i] = Result{Text: text, Section: h.Sentence.Paragraph.Place(), Report: h.Report.ID, Figures: figs, Score: h.Score}
	}
	return out
}

// passage is what an answer shows of a sentence: the sentence itself, or,
// when it is only an item's lead (多维度做优教育品牌。), the lead with the
// sentence after it, so the answer says something.
func passage(s *corpus.Sentence) (string, []corpus.Figure) {
	next := afterLead(s)
	if next == nil {
		return s.Text, s.Figures
	}
	return s.Text + next.Text, append(append([]corpus.Figure(nil), s.Figures...), next.Figures...)
}

// afterLead is the sentence after s when s is an item's lead, else nil.
func afterLead(s *corpus.Sentence) *corpus.Sentence {
	if p := s.Paragraph; s.Index == 0 && p.Lead != "" && len(p.Sentences) > 1 {
		return p.Sentences[1]
	}
	return nil
}

// dropShown removes a hit that an earlier hit's passage already shows (the
// sentence after a lead), so 更多 never repeats an answer.
func dropShown(hits []corpus.Hit) []corpus.Hit {
	shown := map[*corpus.Sentence]bool{}
	out := hits[:0:0]
	for _, h := range hits {
		if shown[h.Sentence] {
			continue
		}
		shown[h.Sentence] = true
		if next := afterLead(h.Sentence); next != nil {
			shown[next] = true
		}
		out = append(out, h)
	}
	return out
}

// formatHit renders hit i (0-based) as the chat reply.
func (b *Bot) formatHit(hits []corpus.Hit, i int) string {
	h := hits[i]
	var s strings.Builder
	if i > 0 {
		fmt.Fprintf(&s, "第%d条 ", i+1)
	}
	text, figures := passage(h.Sentence)
	fmt.Fprintf(&s, "【%s】\n%s\n", h.Sentence.Paragraph.Place(), text)
	if figs := figureClauses(figures); figs != "" {
		s.WriteString("数据:" + figs + "\n")
	}
	// Every answer names its report, whether there is one report or many.
	s.WriteString("出处:" + citation(h.Report) + "\n")
	switch {
	case i+1 < len(hits):
		fmt.Fprintf(&s, "回复“更多”看下一条,“详情%d”看整段。", i+1)
	default:
		fmt.Fprintf(&s, "回复“详情%d”看整段。", i+1)
	}
	return s.String()
}

func figureClauses(figs []corpus.Figure) string {
	var out []string
	seen := map[string]bool{}
	for _, f := range figs {
		c := f.Clause
		if c == "" {
			c = f.Text
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return strings.Join(out, ";")
}

func citation(r *corpus.Report) string {
	s := "《" + r.Title + "》"
	if r.Source != "" {
		s += r.Source
	}
	if r.Date != "" {
		s += " " + r.Date
	}
	return strings.TrimSpace(s)
}

func (b *Bot) more(ctx context.Context, conv *conversation) Answer {
	sess, ok, err := conv.load(ctx)
	if err != nil {
		return Answer{Query: "更多", Text: storeUnavailable("更多")}
	}
	if !ok || sess.Question == "" {
		return Answer{Query: "更多", Text: "请先提一个问题,再回复“更多”看下一条答案。"}
	}
	hits := b.resolve(sess.Hits)
	if sess.Cursor >= len(hits) {
		return Answer{Query: "更多", Text: "关于“" + truncate(sess.Question, 30) + "”没有更多答案了。换个说法试试,或回复“目录”看报告结构。"}
	}
	i := sess.Cursor
	sess.Cursor++
	conv.save(ctx, sess)
	return Answer{Query: sess.Question, Hits: hits[i : i+1], Results: results(hits[i : i+1]),
		Text: b.formatHit(hits, i)}
}

func (b *Bot) detail(ctx context.Context, conv *conversation, num string) Answer {
	sess, ok, err := conv.load(ctx)
	if err != nil {
		return Answer{Query: "详情", Text: storeUnavailable("详情" + num)}
	}
	hits := b.resolve(sess.Hits)
	if !ok || len(hits) == 0 {
		return Answer{Query: "详情", Text: "请先提一个问题,再回复“详情1”看第一条答案所在的整段。"}
	}
	n := 1
	if num != "" {
		n = parseNumber(num)
	}
	switch {
	case (n < 1 || n > len(hits)) && len(hits) == 1:
		return Answer{Query: "详情", Text: fmt.Sprintf("没有第%s条答案,只有1条。回复“详情1”看它所在的整段。", num)}
	case n < 1 || n > len(hits):
		return Answer{Query: "详情", Text: fmt.Sprintf("没有第%s条答案。可用“详情1”到“详情%d”。", num, len(hits))}
	}
	h := hits[n-1]
	p := h.Sentence.Paragraph
	text := "【" + p.Place() + "】\n" + p.Text + "\n出处:" + citation(h.Report)
	return Answer{Query: sess.Question, Hits: []corpus.Hit{h}, Results: results([]corpus.Hit{h}), Text: text}
}

// parseNumber reads 12, -1, 十二 or 一百零五; 0 when it is none of them.
func parseNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	digits := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	units := map[rune]int{'十': 10, '百': 100, '千': 1000}
	total, digit := 0, -1 // digit: the digit read and not yet multiplied, -1 none
	for _, r := range s {
		if unit, ok := units[r]; ok {
			switch {
			case digit < 0 && r == '十' && total == 0:
				digit = 1 // 十二: the one of 十 is implied
			case digit < 1:
				return 0
			}
			total += digit * unit
			digit = -1
			continue
		}
		d, ok := digits[r]
		if !ok || digit > 0 {
			return 0 // not a numeral, or two digits in a row
		}
		digit = d
	}
	if digit > 0 {
		total += digit
	}
	return total
}
