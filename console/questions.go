package console

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/reportbot/reportbot/bot"
)

// questionsView is what people asked over a day or a week.
type questionsView struct {
	Day, Range, From, To  string
	Prev, Next            string
	Questions, Found, Not int
	Top                   []bot.QuestionCount
	Unanswered            []unanswered
	StoreNote             string
}

type unanswered struct{ Day, Question string }

// questions gathers the statistics of the day (range "day") or of the
// seven days ending with it (range "week").
func (c *Console) questions(r *http.Request) (questionsView, error) {
	now := c.now().In(c.opts.Location)
	day := now
	if d := r.URL.Query().Get("day"); d != "" {
		t, err := time.ParseInLocation(time.DateOnly, d, c.opts.Location)
		if err != nil {
			return questionsView{}, fmt.Errorf("日期 %q 不对,应为 YYYY-MM-DD", d)
		}
		day = t
	}
	v := questionsView{Day: day.Format(time.DateOnly), Range: "day"}
	n := 1
	if r.URL.Query().Get("range") == "week" {
		v.Range, n = "week", 7
	}
	v.Prev = day.AddDate(0, 0, -n).Format(time.DateOnly)
	v.Next = day.AddDate(0, 0, n).Format(time.DateOnly)
	counts := map[string]int{}
	for i := n - 1; i >= 0; i-- {
		key := day.AddDate(0, 0, -i).Format(time.DateOnly)
		if v.From == "" {
			v.From = key
		}
		v.To = key
		sum, err := c.store.DayQuestions(r.Context(), key)
		if err != nil {
			return v, err
		}
		v.Questions += sum.Questions
		v.Found += sum.Found
		v.Not += sum.NotFound
		for _, q := range sum.Top {
			counts[q.Question] += q.Count
		}
		for _, q := range sum.Unanswered {
			v.Unanswered = append(v.Unanswered, unanswered{Day: key, Question: q})
		}
	}
	// Newest day first, each day's newest first.
	slices.SortStableFunc(v.Unanswered, func(a, b unanswered) int { return cmp.Compare(b.Day, a.Day) })
	for q, n := range counts {
		v.Top = append(v.Top, bot.QuestionCount{Question: q, Count: n})
	}
	slices.SortFunc(v.Top, func(a, b bot.QuestionCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Question, b.Question))
	})
	return v, nil
}

func (c *Console) questionsPage(w http.ResponseWriter, r *http.Request, s session) {
	v, err := c.questions(r)
	p := page{Title: "提问统计", User: s.User, CSRF: s.CSRF, Nav: "questions", Data: v}
	if err != nil {
		c.log.Error("console: questions", "err", err)
		p.Error = "读取统计失败:" + err.Error()
		c.render(w, http.StatusServiceUnavailable, "questions", p)
		return
	}
	c.render(w, http.StatusOK, "questions", p)
}

// questionsCSV exports the page as CSV (UTF-8 with a byte-order mark, so
// Excel reads the Chinese right): kind, question, times asked, day.
func (c *Console) questionsCSV(w http.ResponseWriter, r *http.Request, s session) {
	v, err := c.questions(r)
	if err != nil {
		c.fail(w, r, &s, http.StatusServiceUnavailable, "读取统计失败:"+err.Error())
		return
	}
	name := "questions-" + v.From
	if v.From != v.To {
		name += "_" + v.To
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"类型", "问题", "次数", "日期"})
	period := v.From
	if v.From != v.To {
		period = v.From + "~" + v.To
	}
	for _, q := range v.Top {
		cw.Write([]string{"提问", cell(q.Question), fmt.Sprint(q.Count), period})
	}
	for _, q := range v.Unanswered {
		cw.Write([]string{"没答上", cell(q.Question), "", q.Day})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		c.log.Warn("console: write CSV", "err", err)
	}
}

// cell keeps a spreadsheet from reading a question as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
