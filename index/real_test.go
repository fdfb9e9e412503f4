package index

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/reportbot/reportbot/corpus"
)

// Behaviour on real reports (testdata/reports: six national reports saved
// from a web page, three provincial .docx files). Every assertion is about a
// kind of question, checked on what the reports themselves say, not about
// one question's wording.

var realIndex = sync.OnceValues(func() (*Index, error) {
	rs, _, err := corpus.LoadDir("../testdata/reports")
	if err != nil {
		return nil, err
	}
	return Build(context.Background(), rs, Options{})
})

func realIx(t *testing.T) *Index {
	t.Helper()
	ix, err := realIndex()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func top(t *testing.T, ix *Index, q string) *corpus.Hit {
	t.Helper()
	hits, err := ix.Search(context.Background(), q, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		return nil
	}
	return &hits[0]
}

// A region or year named restricts the answer to that report; a region with
// no loaded report is not found, never another region's text.
func TestRealRegionAndYearScope(t *testing.T) {
	ix := realIx(t)
	for _, r := range ix.Reports() {
		if r.IsNational() {
			continue
		}
		names := r.RegionNames()
		q := names[len(names)-1] + "生产总值增长目标"
		h := top(t, ix, q)
		if h == nil || h.Report != r {
			t.Errorf("%s: answered from %v; want %s", q, label(h), r.Label())
		}
	}
	for _, q := range []string{"广东生产总值增长目标", "江苏房价", "1999年赤字率", "2024年赤字率"} {
		if h := top(t, ix, q); h != nil {
			t.Errorf("%s: answered from %s (%s); want not found", q, h.Report.Label(), h.Sentence.Text)
		}
	}
	for _, y := range []int{2018, 2021, 2023} {
		q := strconv.Itoa(y) + "年赤字率"
		if h := top(t, ix, q); h == nil || h.Report.Year != y {
			t.Errorf("%s: answered from %s", q, label(h))
		}
	}
	// No region named: the newest report, national first.
	if h := top(t, ix, "城镇新增就业目标"); h == nil || h.Report.Year != 2025 || !h.Report.IsNational() {
		t.Errorf("城镇新增就业目标 with no region: %s", label(h))
	}
}

// Questions about last year are answered from the review, questions about
// this year's target from the plan.
func TestRealReviewOrPlan(t *testing.T) {
	ix := realIx(t)
	for _, tc := range []struct {
		q    string
		want corpus.Period
	}{
		{"去年国内生产总值增长多少", corpus.PeriodReview},
		{"2023年报告里去年粮食产量多少", corpus.PeriodReview},
		{"今年国内生产总值增长目标", corpus.PeriodPlan},
		{"2022年赤字率安排多少", corpus.PeriodPlan},
	} {
		h := top(t, ix, tc.q)
		if h == nil || h.Sentence.Paragraph.Period != tc.want || len(h.Sentence.Figures) == 0 {
			t.Errorf("%s: %s; want a %s sentence with a figure", tc.q, text(h), tc.want)
		}
	}
}

// Everyday wording finds the official sentence, and the official phrasing
// the vocabulary offers is what matches.
func TestRealEverydayWords(t *testing.T) {
	ix := realIx(t)
	for q, anyOf := range map[string][]string{
		"看病报销":     {"医保", "医疗保险", "就医", "报销"},
		"老人养老金涨吗":  {"养老金"},
		"找工作难怎么办":  {"就业"},
		"种地有补贴吗":   {"耕地", "种粮", "补贴"},
		"孩子上学有啥政策": {"教育", "学生", "儿童", "入学"},
	} {
		h := top(t, ix, q)
		if h == nil || !containsAny(h.Sentence.Text, anyOf) {
			t.Errorf("%s: %s; want a sentence about %v", q, text(h), anyOf)
		}
	}
	// An everyday subject no report speaks of is not found.
	for _, q := range []string{"股票代码是多少", "周杰伦演唱会门票多少钱", "比特币价格"} {
		if h := top(t, ix, q); h != nil {
			t.Errorf("%s: %s; want not found", q, text(h))
		}
	}
}

// A glossary entry (名词解释) answers "X是什么意思" first.
func TestRealGlossaryFirst(t *testing.T) {
	ix := realIx(t)
	n := 0
	for _, r := range ix.Reports() {
		for _, p := range r.Paragraphs {
			if p.Term == "" || n >= 5 {
				continue
			}
			n++
			q := p.Term + "是什么意思"
			if h := top(t, ix, q); h == nil || h.Sentence.Paragraph != p {
				t.Errorf("%s: %s; want the glossary entry %q", q, text(h), p.Text)
			}
		}
	}
	if n == 0 {
		t.Fatal("no glossary entry found in the real reports (名词解释 of the Sichuan report)")
	}
}

// Comparisons: a range, 这几年, a target beside its outcome, a region pair,
// a year with no report said on its line.
func TestRealComparisons(t *testing.T) {
	ix := realIx(t)
	ctx := context.Background()
	cmp, ok, err := ix.Compare(ctx, "2021年到2023年国内生产总值增长目标")
	if err != nil || !ok || len(cmp.Rows) != 3 {
		t.Fatalf("range: %v %v %+v", ok, err, cmp)
	}
	for i, row := range cmp.Rows {
		if row.Report == nil || row.Report.Year != 2021+i || row.Hit == nil || len(row.Figures) == 0 || row.Hit.Sentence.Paragraph.Period != corpus.PeriodPlan {
			t.Errorf("range row %d: %+v", i, row)
		}
	}
	cmp, ok, _ = ix.Compare(ctx, "赤字率这几年的变化")
	if !ok || len(cmp.Rows) != 6 {
		t.Errorf("这几年: %d rows; want one per national report (6)", len(cmp.Rows))
	}
	cmp, ok, _ = ix.Compare(ctx, "2022年国内生产总值增长目标定的多少，实际完成多少")
	if !ok || len(cmp.Rows) != 2 || cmp.Rows[0].Role != "目标" || cmp.Rows[1].Role != "实际" ||
		cmp.Rows[1].Report == nil || cmp.Rows[1].Report.Year != 2023 || cmp.Rows[1].Hit == nil ||
		cmp.Rows[1].Hit.Sentence.Paragraph.Period != corpus.PeriodReview {
		t.Errorf("target against outcome: %+v", cmp.Rows)
	}
	cmp, ok, _ = ix.Compare(ctx, "2021年和2024年赤字率")
	if !ok || len(cmp.Rows) != 2 || cmp.Rows[1].Report != nil || cmp.Rows[0].Hit == nil {
		t.Errorf("a year with no report: %+v", cmp.Rows)
	}
	cmp, ok, _ = ix.Compare(ctx, "浙江和四川的生产总值增长目标对比")
	if !ok || len(cmp.Rows) != 2 || cmp.Rows[0].Report == nil || cmp.Rows[1].Report == nil ||
		!strings.Contains(cmp.Rows[0].Report.Region, "浙江") || !strings.Contains(cmp.Rows[1].Report.Region, "四川") {
		t.Errorf("region pair: %+v", cmp.Rows)
	}
	if _, ok, _ := ix.Compare(ctx, "城镇新增就业目标"); ok {
		t.Error("a one-report question was taken for a comparison")
	}
}

func TestJoinSplitVerbs(t *testing.T) {
	for in, want := range map[string]string{"脱了贫": "脱贫", "涨了多少": "涨了多少", "去年": "去年"} {
		if got := joinSplitVerbs(in); got != want {
			t.Errorf("joinSplitVerbs(%s) = %s, want %s", in, got, want)
		}
	}
}

func label(h *corpus.Hit) string {
	if h == nil {
		return "(not found)"
	}
	return h.Report.Label()
}

func text(h *corpus.Hit) string {
	if h == nil {
		return "(not found)"
	}
	return h.Report.Label() + ": " + h.Sentence.Text
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Issue 9's wrong replies: facts the report does not state, filler words
// that took over a question, a past-tense question given this year's plan.
func TestSeedFactsNotStatedAndFillers(t *testing.T) {
	ix := seedIndex(t)
	for _, q := range []string{"新区有多少人口", "新区面积多大", "新区哪年成立的", "新区离兰州市区多远", "新区有几个镇",
		"新区党工委书记是谁", "中欧班列去年开了多少列", "中欧班列运费多少钱一柜"} {
		if hits := search(t, ix, q); len(hits) != 0 {
			t.Errorf("%s: %q; want not found", q, hits[0].Sentence.Text)
		}
	}
	if hits := search(t, ix, "领导说的335+X是啥"); len(hits) == 0 || !strings.Contains(hits[0].Sentence.Text, "335+X") {
		t.Errorf("领导说的335+X是啥: %v; want the 335+X sentence, not one about 领导", hitTexts(hits))
	}
}

// A comparison over years where one report has nothing on the topic says so
// on that row, and the rows that have it keep their figures.
func TestRealComparisonTopicMissingInOneYear(t *testing.T) {
	ix := realIx(t)
	// 专项债 appears as a target in some national reports only.
	cmp, ok, err := ix.Compare(context.Background(), "这几年地方政府专项债券安排多少")
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	with, without := 0, 0
	for _, row := range cmp.Rows {
		switch {
		case row.Report == nil:
		case row.Hit == nil:
			without++
		case len(row.Figures) > 0:
			with++
		}
	}
	if with == 0 {
		t.Errorf("no row states a figure: %+v", cmp.Rows)
	}
	for _, row := range cmp.Rows {
		if row.Hit != nil && !strings.Contains(row.Clause, "专项债") {
			t.Errorf("%s: %q is not about 专项债", row.Label, row.Clause)
		}
	}
	t.Logf("%d rows with a figure, %d saying the report has nothing", with, without)
}
