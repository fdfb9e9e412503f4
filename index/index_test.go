package index

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/reportbot/reportbot/corpus"
)

// seedPath is the embedded default report, read as a file so tests can parse
// edited copies of it.
const seedPath = "../corpus/reports/2022-lanzhou-xinqu-work-report.txt"

// The index of corpus.Default(), built once per test binary: every test that
// only reads it shares it.
var defaultIndex = sync.OnceValues(func() (*Index, error) {
	reports, err := corpus.Default()
	if err != nil {
		return nil, err
	}
	return Build(context.Background(), reports, Options{})
})

func seedIndex(tb testing.TB) *Index {
	tb.Helper()
	ix, err := defaultIndex()
	if err != nil {
		tb.Fatalf("build index of corpus.Default(): %v", err)
	}
	return ix
}

func seedText(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(seedPath)
	if err != nil {
		tb.Fatalf("read the seed report: %v", err)
	}
	return string(b)
}

func parseReport(tb testing.TB, name, text string) *corpus.Report {
	tb.Helper()
	r, err := corpus.Parse(name, []byte(text))
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	return r
}

func search(tb testing.TB, ix *Index, question string) []corpus.Hit {
	tb.Helper()
	hits, err := ix.Search(context.Background(), question, 5)
	if err != nil {
		tb.Fatalf("Search(%q): %v", question, err)
	}
	return hits
}

func hitTexts(hits []corpus.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Sentence.Text
	}
	return out
}

func TestBuildDefault(t *testing.T) {
	ix := seedIndex(t)
	reports, _ := corpus.Default()
	if got := ix.Reports(); len(got) != len(reports) || got[0] != reports[0] {
		t.Fatalf("Reports() = %d reports; want the %d of corpus.Default()", len(got), len(reports))
	}
	sentences := 0
	for _, p := range reports[0].Paragraphs {
		sentences += len(p.Sentences)
	}
	// Summary lines restated by the body are indexed once, so a few less.
	if ix.Len() == 0 || ix.Len() > sentences {
		t.Fatalf("Len() = %d; want between 1 and the report's %d sentences", ix.Len(), sentences)
	}
	if ix.Dir != "" || ix.Rebuilt {
		t.Errorf("in-memory index has Dir %q, Rebuilt %v; want \"\", false", ix.Dir, ix.Rebuilt)
	}
	hits := search(t, ix, "中欧班列目标")
	if len(hits) == 0 {
		t.Fatal("中欧班列目标: no hits")
	}
	top := hits[0]
	if !strings.Contains(top.Sentence.Text, "全年到发200列以上") {
		t.Errorf("中欧班列目标: top hit %q; want the 200列以上 sentence", top.Sentence.Text)
	}
	if top.Report != reports[0] || top.Sentence.Paragraph == nil {
		t.Errorf("top hit does not point into its report: %+v", top)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("hits not best first: %v then %v", hits[i-1].Score, hits[i].Score)
		}
	}
	if got := search(t, ix, "中欧班列目标"); !slices.Equal(hitTexts(got), hitTexts(hits)) {
		t.Errorf("the same question answered differently:\n%q\n%q", hitTexts(hits), hitTexts(got))
	}
}

func TestSearchLimit(t *testing.T) {
	ix := seedIndex(t)
	for _, limit := range []int{1, 2, 5} {
		hits, err := ix.Search(t.Context(), "黄河生态保护", limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || len(hits) > limit {
			t.Errorf("limit %d: %d hits", limit, len(hits))
		}
	}
	// limit 0 means the default, not "nothing".
	hits, err := ix.Search(t.Context(), "黄河生态保护", 0)
	if err != nil || len(hits) == 0 {
		t.Errorf("limit 0: %d hits, %v; want some", len(hits), err)
	}
}

func TestBuildNoReports(t *testing.T) {
	ix, err := Build(t.Context(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Len() != 0 || len(ix.Reports()) != 0 {
		t.Fatalf("empty index holds %d sentences, %d reports", ix.Len(), len(ix.Reports()))
	}
	if hits := search(t, ix, "中欧班列目标"); len(hits) != 0 {
		t.Fatalf("empty index answered: %q", hitTexts(hits))
	}
}

func TestOpenReusesAndRebuilds(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	reports, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	questions := []string{"中欧班列目标", "新增床位", "5G", "黄河生态保护", "天气预报"}
	answers := func(ix *Index) [][]string {
		var out [][]string
		for _, q := range questions {
			out = append(out, hitTexts(search(t, ix, q)))
		}
		return out
	}

	first, err := Open(ctx, dir, reports, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Rebuilt || first.Dir != dir {
		t.Errorf("first Open: Rebuilt %v, Dir %q; want true, %q", first.Rebuilt, first.Dir, dir)
	}
	want := answers(first)
	if len(want[0]) == 0 {
		t.Fatal("on-disk index does not answer 中欧班列目标")
	}
	if mem := answers(seedIndex(t)); !slices.EqualFunc(want, mem, slices.Equal) {
		t.Errorf("on-disk index answers differently from the in-memory one:\n%q\n%q", want, mem)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := Open(ctx, dir, reports, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if second.Rebuilt {
		t.Error("second Open of unchanged reports rebuilt the index")
	}
	if got := answers(second); !slices.EqualFunc(want, got, slices.Equal) {
		t.Errorf("reused index answers differently:\n%q\n%q", want, got)
	}
	second.Close()

	// One sentence of the report changed: same file name, other content.
	seed := seedText(t)
	if !strings.Contains(seed, "全年到发200列以上") {
		t.Fatal("the seed no longer says 全年到发200列以上; update this test")
	}
	edited := parseReport(t, filepath.Base(seedPath), strings.Replace(seed, "全年到发200列以上", "全年到发300列以上", 1))
	third, err := Open(ctx, dir, []*corpus.Report{edited}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if third.Rebuilt || !slices.Equal(third.Changes.Changed, []string{edited.Title}) {
		t.Errorf("Open after a report changed: Rebuilt %v, changes %+v; want that report updated", third.Rebuilt, third.Changes)
	}
	hits := search(t, third, "中欧班列目标")
	if len(hits) == 0 || !strings.Contains(hits[0].Sentence.Text, "300列以上") {
		t.Errorf("rebuilt index answers %q; want the edited 300列以上 sentence", hitTexts(hits))
	}
	third.Close()

	fourth, err := Open(ctx, dir, []*corpus.Report{edited}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fourth.Close()
	if fourth.Rebuilt || !fourth.Changes.None() {
		t.Errorf("Open of the edited reports, unchanged since: Rebuilt %v, changes %+v", fourth.Rebuilt, fourth.Changes)
	}
}

func TestOpenRebuildsUnreadableIndex(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "reportbot.bleve")
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), []byte("not an index"), 0o644); err != nil {
		t.Fatal(err)
	}
	reports, _ := corpus.Default()
	ix, err := Open(t.Context(), dir, reports, Options{})
	if err != nil {
		t.Fatalf("Open over a broken index: %v", err)
	}
	defer ix.Close()
	if !ix.Rebuilt {
		t.Error("broken index not rebuilt")
	}
	if hits := search(t, ix, "中欧班列目标"); len(hits) == 0 {
		t.Error("rebuilt index does not answer")
	}
}

// Two reports of different years: a year in the question picks its report.
func TestYearRestrictsToItsReport(t *testing.T) {
	seed := seedText(t)
	r22 := parseReport(t, "report-2022.txt", seed)
	r23 := parseReport(t, "report-2023.txt", strings.ReplaceAll(seed, "2022", "2023"))
	if r22.Year != 2022 || r23.Year != 2023 {
		t.Fatalf("years %d, %d; want 2022, 2023", r22.Year, r23.Year)
	}
	ix, err := Build(t.Context(), []*corpus.Report{r22, r23}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	for _, tc := range []struct {
		question, report string
	}{
		{"2023年中欧班列目标", "report-2023"},
		{"2022年中欧班列目标", "report-2022"},
		{"2023 年新增床位多少", "report-2023"},
	} {
		hits := search(t, ix, tc.question)
		if len(hits) == 0 {
			t.Errorf("%s: no hits", tc.question)
			continue
		}
		for _, h := range hits {
			if h.Report.ID != tc.report {
				t.Errorf("%s: hit from %s (%q); want only %s", tc.question, h.Report.ID, h.Sentence.Text, tc.report)
			}
		}
	}
	if hits := search(t, ix, "2021年中欧班列目标"); len(hits) != 0 {
		t.Errorf("2021年中欧班列目标: %d hits from a corpus without 2021; want none: %q", len(hits), hitTexts(hits))
	}

	hits := search(t, ix, "中欧班列目标")
	if len(hits) == 0 {
		t.Fatal("中欧班列目标: no hits across two reports")
	}
	seen := map[string]bool{}
	for _, h := range hits {
		if h.Report != r22 && h.Report != r23 {
			t.Fatalf("hit %q names no report of the index: %+v", h.Sentence.Text, h.Report)
		}
		if h.Sentence.Paragraph == nil || h.Report.Sentence(h.Sentence.Paragraph.Index, h.Sentence.Index) != h.Sentence {
			t.Errorf("hit %q is not a sentence of the report it names (%s)", h.Sentence.Text, h.Report.ID)
		}
		seen[h.Report.ID] = true
	}
	if !seen["report-2022"] || !seen["report-2023"] {
		t.Errorf("a question without a year, answered word for word by both reports, drew hits from %v only", seen)
	}
}

func TestTraditionalQuestionFindsSimplifiedText(t *testing.T) {
	ix := seedIndex(t)
	simp := hitTexts(search(t, ix, "中欧班列目标"))
	trad := hitTexts(search(t, ix, "中歐班列目標"))
	if len(trad) == 0 || trad[0] != simp[0] {
		t.Errorf("中歐班列目標 → %q; want the same top answer as 中欧班列目标 (%q)", trad, simp[0])
	}
}

func TestParseThesaurus(t *testing.T) {
	th, err := ParseThesaurus("mine.txt", "# comment\n\n火车 => 班列, 铁路\n  ＧＤＰ => 地區生產總值  \n外贸 => 进出口，对外贸易、外贸\n")
	if err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string][]string{
		"火车":  {"班列", "铁路"},
		"gdp": {"地区生产总值"}, // folded on both sides
		"外贸":  {"进出口", "对外贸易", "外贸"},
	} {
		if got := th.rules[word]; !slices.Equal(got, want) {
			t.Errorf("rule %s = %q; want %q", word, got, want)
		}
	}
	if got := th.rewrites("火车"); !slices.Equal(got, []string{"班列", "铁路"}) {
		t.Errorf("rewrites(火车) = %q", got)
	}
	if got := th.rewrites("外贸"); !slices.Equal(got, []string{"进出口", "对外贸易"}) {
		t.Errorf("rewrites(外贸) = %q; the word itself is not its own rewrite", got)
	}

	for _, tc := range []struct{ text, want string }{
		{"火车 => 班列\n# fine\n没有箭头的一行\n", "bad.txt:3"},
		{"火车 =>\n", "bad.txt:1"},
		{"火车 => ,  ,\n", "bad.txt:1"},
		{"\n => 班列\n", "bad.txt:2"},
		{"火车 -> 班列\n", "bad.txt:1"},
	} {
		_, err := ParseThesaurus("bad.txt", tc.text)
		if err == nil {
			t.Errorf("ParseThesaurus(%q) accepted a bad line", tc.text)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseThesaurus(%q) error %q does not name %s", tc.text, err, tc.want)
		}
	}
}

func TestDefaultThesaurus(t *testing.T) {
	th := DefaultThesaurus()
	for _, word := range []string{"gdp", "外贸", "火车", "地铁", "孩子", "看病", "养老金", "种地"} {
		if len(th.rules[word]) == 0 {
			t.Errorf("built-in thesaurus has no rule for %s", word)
		}
	}
	// Each call is a fresh copy: extending one does not change the next.
	th.rules["铁皮车"] = []string{"班列"}
	if _, ok := DefaultThesaurus().rules["铁皮车"]; ok {
		t.Error("DefaultThesaurus returned a shared, modified thesaurus")
	}
}

func TestLoadThesaurusAddsRules(t *testing.T) {
	ix := seedIndex(t)
	for _, q := range []string{"铁皮车", "蒸汽机车"} {
		if hits := search(t, ix, q); len(hits) != 0 {
			t.Fatalf("%s already answered by the built-in thesaurus (%q); pick another test word", q, hitTexts(hits))
		}
	}

	file := filepath.Join(t.TempDir(), "extra.txt")
	// The second rule is written in traditional characters: rules fold too.
	if err := os.WriteFile(file, []byte("# our words\n铁皮车 => 班列\n蒸汽機車 => 班列\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	th, err := LoadThesaurus(file)
	if err != nil {
		t.Fatal(err)
	}
	reports, _ := corpus.Default()
	extended, err := Build(t.Context(), reports, Options{Thesaurus: th})
	if err != nil {
		t.Fatal(err)
	}
	defer extended.Close()
	for _, q := range []string{"铁皮车", "蒸汽机车", "鐵皮車"} {
		hits := search(t, extended, q)
		if len(hits) == 0 || !strings.Contains(hits[0].Sentence.Text, "班列") {
			t.Errorf("with the extra rule, %s → %q; want a 班列 sentence", q, hitTexts(hits))
		}
	}
	// The built-in rules still apply.
	if hits := search(t, extended, "外贸增长目标"); len(hits) == 0 || !strings.Contains(hits[0].Sentence.Text, "进出口") {
		t.Errorf("外贸增长目标 with the extended thesaurus → %q; want the 进出口 target", hitTexts(hits))
	}
}

func TestLoadThesaurusErrors(t *testing.T) {
	th, err := LoadThesaurus("")
	if err != nil || len(th.rules["gdp"]) == 0 {
		t.Fatalf(`LoadThesaurus("") = %v, %v; want the built-in thesaurus`, th, err)
	}
	if _, err := LoadThesaurus(filepath.Join(t.TempDir(), "missing.txt")); err == nil {
		t.Error("LoadThesaurus of a missing file succeeded")
	}
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(bad, []byte("铁皮车 => 班列\n铁皮车 班列\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadThesaurus(bad)
	if err == nil || !strings.Contains(err.Error(), bad+":2") {
		t.Errorf("LoadThesaurus(bad file) error %v; want it to name %s:2", err, bad)
	}
}

func buildFrom(t *testing.T, name, text string) *Index {
	t.Helper()
	r, err := corpus.Parse(name, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), []*corpus.Report{r}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// In a report of a few sentences every word is "common"; questions are
// still answered.
func TestSmallReportAnswers(t *testing.T) {
	ix := buildFrom(t, "small.txt", "某县2024年工作报告\n今年粮食产量稳定在50万吨以上。\n新建高标准农田3万亩。\n开行中欧班列20列。\n")
	for q, want := range map[string]string{"粮食产量": "50万吨", "高标准农田多少亩": "3万亩", "中欧班列": "20列"} {
		hits := search(t, ix, q)
		if len(hits) == 0 || !strings.Contains(hits[0].Sentence.Text, want) {
			t.Errorf("%s → %q; want the sentence with %s", q, hitTexts(hits), want)
		}
	}
}

// A year that no report is about but the text names (到2035年) is matched
// like any number; a year with neither is a report we do not have.
func TestYearTheReportSpeaksOf(t *testing.T) {
	ix := buildFrom(t, "long.txt", "某市2024年政府工作报告\n到2035年基本建成现代化国际化新城。\n今年地区生产总值增长6%左右。\n")
	if hits := search(t, ix, "2035年建成什么样的新城"); len(hits) == 0 || !strings.Contains(hits[0].Sentence.Text, "2035年") {
		t.Errorf("2035年… → %q; want the 2035 sentence", hitTexts(hits))
	}
	if hits := search(t, ix, "2019年地区生产总值"); len(hits) != 0 {
		t.Errorf("2019年… → %q; want nothing", hitTexts(hits))
	}
}

// A second Open of an index another process (here: another Index) holds
// fails within seconds, saying so, instead of waiting for the lock forever.
func TestOpenInUseFails(t *testing.T) {
	dir := t.TempDir()
	reports := []*corpus.Report{seedIndex(t).Reports()[0]}
	first, err := Open(context.Background(), dir, reports, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := Open(context.Background(), dir, reports, Options{})
	if err == nil {
		second.Close()
		t.Fatal("second Open of a held index succeeded")
	}
	if !strings.Contains(err.Error(), "in use") {
		t.Errorf("err = %v; want it to say the index is in use", err)
	}
}

// TestFreqCache: the frequencies a search caches are bleve's, answers do not
// change once they come from the cache, and a full cache starts over
// rather than grow.
func TestFreqCache(t *testing.T) {
	reports, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix := buildOwn(t, reports)
	const q = "中欧班列开行目标"
	first := search(t, ix, q)
	if len(ix.freqs.freqs) == 0 {
		t.Fatal("a search cached no frequency")
	}
	ts, done, err := ix.termStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	ts.cache = &freqCache{} // read from bleve, not from the cache
	for term, cached := range ix.freqs.freqs {
		if got := ts.lookup(term); got != cached {
			t.Errorf("cached frequency of %q %+v; bleve says %+v", term, cached, got)
		}
	}
	if again := search(t, ix, q); !slices.EqualFunc(first, again, func(a, b corpus.Hit) bool { return a.Sentence == b.Sentence }) {
		t.Errorf("answers changed once frequencies came from the cache")
	}

	var c freqCache
	for i := range freqCacheSize + 10 {
		c.put(strconv.Itoa(i), freq{text: i})
	}
	if n := len(c.freqs); n != 10 {
		t.Errorf("cache holds %d terms after %d puts; want it to start over at %d", n, freqCacheSize+10, freqCacheSize)
	}
	if f, ok := c.get(strconv.Itoa(freqCacheSize + 9)); !ok || f.text != freqCacheSize+9 {
		t.Errorf("last term put: %+v, %v", f, ok)
	}
}

// TestNextYearReviewsTheYear: what a year achieved is told by the next
// year's report; a question about a year with no report, or about what a
// year did, is answered from that review (and only from its review), while
// a question naming a report with 去年 stays in that report.
func TestNextYearReviewsTheYear(t *testing.T) {
	ix := buildDir(t, "../testdata/tuning-reports-6") // national 2006 and 2007
	for _, tc := range []struct {
		question string
		year     int
		review   bool // every hit reviews the past
	}{
		{"2005年城镇新增就业多少", 2006, true},
		{"2006年国内生产总值增长了多少", 2007, false},
		{"2007年报告里去年粮食产量多少", 2007, false},
	} {
		hits := search(t, ix, tc.question)
		if len(hits) == 0 {
			t.Errorf("%s: no hits", tc.question)
			continue
		}
		if got := hits[0].Report.Year; got != tc.year {
			t.Errorf("%s: answered from the %d report (%q); want the %d report", tc.question, got, hits[0].Sentence.Text, tc.year)
		}
		for _, h := range hits {
			if tc.review && h.Sentence.Paragraph.Period != corpus.PeriodReview {
				t.Errorf("%s: hit %q of the %d report does not review the past", tc.question, h.Sentence.Text, h.Report.Year)
			}
		}
	}
}

// buildOwn is an index of reports that only this test uses, closed when it
// ends.
func buildOwn(t *testing.T, reports []*corpus.Report) *Index {
	t.Helper()
	ix, err := Build(t.Context(), reports, Options{})
	if err != nil {
		t.Fatalf("build index: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// buildDir is buildOwn of the reports of a folder.
func buildDir(t *testing.T, dir string) *Index {
	t.Helper()
	reports, _, err := corpus.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return buildOwn(t, reports)
}
