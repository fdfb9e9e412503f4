package digest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/reportbot/reportbot/corpus"
)

// CardContent is what a day's picture card shows: the parts of the day's
// item that the text carries, or the override's text.
type CardContent struct {
	Head    string         // 每日一读 · 第N期 · 2026年12月1日
	Place   string         // 引领力 › 全面加强政治建设; "" for an override
	Body    string         // the passage, lines separated by \n
	Figures []string       // the figures, in order, without repeats
	Report  *corpus.Report // nil for an override
	Hint    string         // 回复“@reportbot 问题”可查询报告
}

// GroupImageSender sends a PNG to a WeChat group by name, through the same
// paced queue as texts. The WeChat channel implements it next to
// GroupSender.
type GroupImageSender interface {
	SendImageToGroup(ctx context.Context, group string, png []byte) error
}

// WithCards makes every target get the day's picture card, drawn by
// render, right after the digest's text. The card goes only once the text
// went and its outcome is recorded: it never decides a target's state. A
// card that fails is logged and named in the Outcome's reason, never
// retried (resending the target would repeat the text).
func WithCards(render func(CardContent) ([]byte, error)) Option {
	return func(s *Service) { s.renderCard = render }
}

// CardOf is the card content of a composed digest.
func (s *Service) CardOf(d Digest) CardContent {
	day, _ := time.ParseInLocation(time.DateOnly, d.Day, s.cfg.loc)
	c := CardContent{Head: head(d.Issue, day), Hint: fmt.Sprintf("回复“@%s 问题”可查询报告", s.cfg.BotName)}
	s.mu.RLock()
	items := s.items
	s.mu.RUnlock()
	if d.Item < 0 || d.Item >= len(items) {
		c.Body = plainOverride(d.Text)
		for _, line := range strings.Split(c.Body, "\n") {
			for _, f := range corpus.ExtractFigures(line) {
				c.Figures = appendNew(c.Figures, f.Text)
			}
		}
		return c
	}
	it := items[d.Item]
	parts := it.fit(d.Issue, day, s.cfg.BotName)
	c.Place, c.Report = it.place, it.report
	var b strings.Builder
	it.writeBody(&b, parts, "", "")
	c.Body = strings.TrimSpace(b.String())
	for _, p := range parts {
		for _, f := range p.figures {
			c.Figures = appendNew(c.Figures, f)
		}
	}
	if it.bullets {
		// Headline targets: every sentence carries figures; show the first
		// few large.
		c.Figures = c.Figures[:min(len(c.Figures), 4)]
	}
	return c
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

var markdownMarks = regexp.MustCompile(`\*\*|</?font[^>]*>|^#+\s*|^>\s*`)

// plainOverride strips the 企业微信 Markdown an override may carry.
func plainOverride(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = markdownMarks.ReplaceAllString(l, "")
	}
	return strings.Join(lines, "\n")
}

// sendCard sends the day's card to a target whose text went; it returns
// why it did not, or "".
func (s *Service) sendCard(ctx context.Context, d Digest, t target) string {
	if s.renderCard == nil {
		return ""
	}
	png, err := s.renderCard(s.CardOf(d))
	if err == nil {
		switch {
		case t.group != "":
			is, ok := s.wechat.(GroupImageSender)
			if !ok {
				err = errors.New("the WeChat channel cannot send images")
				break
			}
			err = is.SendImageToGroup(ctx, t.group, png)
		default:
			err = s.robots[t.webhook].SendImage(ctx, png)
		}
	}
	if err != nil {
		s.log.Warn("digest: the text went but the picture card did not", "day", d.Day, "target", t.name, "err", err)
		return "picture card not sent: " + err.Error()
	}
	return ""
}
