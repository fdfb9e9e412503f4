package index

import (
	"slices"
	"strings"
	"testing"
)

// parse parses a question the way Search does: with the built-in thesaurus
// and the seed index's bigrams guarding single-rune stopwords.
func parse(t *testing.T, question string) query {
	t.Helper()
	ix := seedIndex(t)
	known := func(b string) bool { return len(passagesWith(t, ix, b)) > 0 }
	return parseQuery(question, DefaultThesaurus(), known)
}

// passagesWith tells which passages contain a folded string; it stands in for the
// bleve term lookup Search uses to know the reports' bigrams.
func passagesWith(t *testing.T, ix *Index, s string) []int {
	t.Helper()
	var out []int
	for i, p := range ix.passages {
		if strings.Contains(p.text, s) || strings.Contains(p.section, s) || strings.Contains(p.lead, s) {
			out = append(out, i)
		}
	}
	return out
}

// words are what a query keeps of the question, as the question wrote it: its
// runs of content characters (医院床位) and its Latin and number tokens.
func words(q query) []string {
	out := slices.Clone(q.fragments)
	for _, c := range q.concepts {
		if c.kind != conceptHan {
			out = append(out, c.alts[0])
		}
	}
	return out
}

func kindOf(q query, word string) (conceptKind, bool) {
	for _, c := range q.concepts {
		if c.alts[0] == word {
			return c.kind, true
		}
	}
	return 0, false
}

func TestQuestionWordsDoNotBecomeConcepts(t *testing.T) {
	fillers := []string{"请问", "多少", "今年", "咱们", "什么", "哪些", "是", "吗", "呀", "几"}
	for _, tc := range []struct {
		question string
		want     []string // concepts, in order
	}{
		{"请问中欧班列目标是多少", []string{"中欧班列"}},
		{"今年中欧班列目标", []string{"中欧班列"}},
		{"咱们今年要引进多少个航空产业项目呀", []string{"引进", "航空产业项目"}},
		{"疫情防控有什么措施", []string{"疫情防控"}},
		{"请问是多少", nil},
	} {
		q := parse(t, tc.question)
		got := words(q)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: concepts %q; want %q", tc.question, got, tc.want)
		}
		for _, w := range got {
			for _, f := range fillers {
				if w == f || (len([]rune(f)) > 1 && strings.Contains(w, f)) {
					t.Errorf("%s: question word %s left in concept %q", tc.question, f, w)
				}
			}
		}
	}
}

func TestFillerWordsDoNotChangeTheAnswer(t *testing.T) {
	ix := seedIndex(t)
	for _, tc := range []struct{ plain, chatty string }{
		{"中欧班列目标", "请问咱们今年中欧班列目标是多少呀"},
		{"新增床位", "请问今年新增床位是多少"},
		{"垃圾分类", "麻烦问一下垃圾分类有哪些打算"},
	} {
		plain := search(t, ix, tc.plain)
		chatty := search(t, ix, tc.chatty)
		if len(plain) == 0 || len(chatty) == 0 {
			t.Errorf("%s → %d hits, %s → %d hits; want both answered", tc.plain, len(plain), tc.chatty, len(chatty))
			continue
		}
		if plain[0].Sentence != chatty[0].Sentence {
			t.Errorf("%s → %q but %s → %q; filler words changed the answer",
				tc.plain, plain[0].Sentence.Text, tc.chatty, chatty[0].Sentence.Text)
		}
	}
	// A question of nothing but question words asks about nothing.
	if hits := search(t, ix, "请问是多少呢"); len(hits) != 0 {
		t.Errorf("请问是多少呢 answered %q; want nothing", hitTexts(hits))
	}
}

func TestUnitHints(t *testing.T) {
	for _, tc := range []struct {
		question string
		units    []string
		concept  string // a concept the question must keep
	}{
		{"今年学校要建几所?", []string{"所"}, "学校"},
		{"今年学校要建几所呢", []string{"所"}, "学校"},
		{"医院床位今年新增几张", []string{"张"}, "医院床位"},
		{"请问货运航线全年执飞多少班", []string{"班"}, "货运航线"},
		{"乡村建设示范镇创建几个", []string{"个"}, "乡村建设示范镇创建"},
		// 人 starts 人口: the question asks about 人口, not a number of people.
		{"新区有多少人口", nil, "人口"},
		{"学校建设", nil, "学校建设"},
	} {
		q := parse(t, tc.question)
		if !slices.Equal(q.unitHints, tc.units) {
			t.Errorf("%s: unit hints %q; want %q", tc.question, q.unitHints, tc.units)
		}
		if !slices.Contains(words(q), tc.concept) {
			t.Errorf("%s: concepts %q lack %s", tc.question, words(q), tc.concept)
		}
		if tc.units != nil && !q.wantsFigure {
			t.Errorf("%s asks for an amount but wantsFigure is false", tc.question)
		}
	}
}

func TestNumbersAndLatinTokens(t *testing.T) {
	for _, tc := range []struct {
		question, word string
		kind           conceptKind
	}{
		{"5G", "5g", conceptLatin},
		{"5G基站", "5g", conceptLatin},
		{"335+X产业倍增行动", "335+x", conceptLatin},
		{"ＧＤＰ增长目标", "gdp", conceptLatin},
		{"200列", "200列", conceptNumber},
		{"150亿元", "150亿元", conceptNumber},
		{"30万单", "30万单", conceptNumber},
		{"增长20%", "20%", conceptNumber},
		{"轨道交通5号线", "5号线", conceptNumber},
	} {
		q := parse(t, tc.question)
		kind, ok := kindOf(q, tc.word)
		if !ok || kind != tc.kind {
			t.Errorf("%s: concepts %q; want %s as kind %d", tc.question, words(q), tc.word, tc.kind)
		}
	}
	// 335+X keeps its Han neighbours as a concept of their own.
	if q := parse(t, "335+X产业倍增行动"); !slices.Contains(words(q), "产业倍增行动") {
		t.Errorf("335+X产业倍增行动: concepts %q lack 产业倍增行动", words(q))
	}
	// Latin words are rewritten by the thesaurus too.
	for _, c := range parse(t, "GDP增长").concepts {
		if c.alts[0] == "gdp" && !slices.Contains(c.alts, "地区生产总值") {
			t.Errorf("gdp concept %q lacks the rewrite 地区生产总值", c.alts)
		}
	}
}

func TestYearExtraction(t *testing.T) {
	for _, tc := range []struct {
		question string
		year     int
	}{
		{"2023年中欧班列目标", 2023},
		{"2022 年新增床位多少", 2022},
		{"中欧班列目标", 0},
		{"200列", 0},  // a number, not a year
		{"2022列", 0}, // no 年: not a year
		{"1999年目标", 1999},
	} {
		q := parse(t, tc.question)
		if q.year != tc.year {
			t.Errorf("%s: year %d; want %d", tc.question, q.year, tc.year)
		}
		if tc.year != 0 {
			for _, w := range words(q) {
				if strings.Contains(w, "年") || strings.Contains(w, "20") || strings.Contains(w, "19") {
					t.Errorf("%s: the year stayed in concept %q", tc.question, w)
				}
			}
		}
	}
}

func TestFigureIntentAndAims(t *testing.T) {
	for _, tc := range []struct {
		question    string
		wantsFigure bool
		aims        []string
	}{
		{"中欧班列目标", true, []string{"目标"}},
		{"进出口增长多少", true, nil},
		{"营商环境", false, nil},
		{"东数西算", false, nil},
		{"中歐班列目標", true, []string{"目标"}},
	} {
		q := parse(t, tc.question)
		if q.wantsFigure != tc.wantsFigure || !slices.Equal(q.aims, tc.aims) {
			t.Errorf("%s: wantsFigure %v, aims %q; want %v, %q", tc.question, q.wantsFigure, q.aims, tc.wantsFigure, tc.aims)
		}
	}
}

// A target question ranks a sentence that states figures first.
func TestTargetQuestionsPreferFigures(t *testing.T) {
	ix := seedIndex(t)
	for _, question := range []string{"中欧班列目标", "进出口增长多少", "新增床位多少", "跨境电商要完成多少单"} {
		hits := search(t, ix, question)
		if len(hits) == 0 || len(hits[0].Sentence.Figures) == 0 {
			t.Errorf("%s: top hit %q has no figures", question, hitTexts(hits))
		}
	}
}

func TestTraditionalAndFullWidthQuestionsParseLikeSimplified(t *testing.T) {
	for _, pair := range [][2]string{
		{"中歐班列目標", "中欧班列目标"},
		{"ＧＤＰ增長多少", "gdp增长多少"},
		{"335＋Ｘ", "335+x"},
	} {
		a, b := parse(t, pair[0]), parse(t, pair[1])
		if !slices.Equal(words(a), words(b)) || a.wantsFigure != b.wantsFigure {
			t.Errorf("%s parsed as %q, %s as %q", pair[0], words(a), pair[1], words(b))
		}
	}
}

// Questions are cut into words, each rewritten on its own: an everyday word
// gets its official phrasings, a rule word of several characters stays whole.
func TestQuestionWordsAreRewrittenOneByOne(t *testing.T) {
	th, err := ParseThesaurus("test", "看病 => 就医, 医疗\n报销 => 医保\n找工作 => 就业\n")
	if err != nil {
		t.Fatal(err)
	}
	q := parseQuery("看病报销难不难", th, nil)
	got := map[string][]string{}
	for _, c := range q.concepts {
		got[c.alts[0]] = c.alts[1:]
	}
	if !slices.Equal(got["看病"], []string{"就医", "医疗"}) || !slices.Equal(got["报销"], []string{"医保"}) {
		t.Errorf("看病报销难不难 → %v", got)
	}
	q = parseQuery("大学生找工作", th, nil)
	if len(q.concepts) != 2 || q.concepts[1].alts[0] != "找工作" || q.concepts[1].alts[1] != "就业" {
		t.Errorf("大学生找工作 → %v; want 大学生 and the rule word 找工作", q.concepts)
	}
}

// The A-not-A form is filler (管不管), but not when its first character ends
// a word (老人没人照顾 keeps 老人).
func TestANotA(t *testing.T) {
	for in, want := range map[string]string{"管不管": " ", "有没有补贴": " 补贴", "老人没人照顾": "老人没人照顾"} {
		if got := dropANotA(in); got != want {
			t.Errorf("dropANotA(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestSpellShortYears(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"06年东西会不会涨价", "2006年东西会不会涨价"},
		{"'08年粮食产量", "2008年粮食产量"},
		{"’98年的洪水", "1998年的洪水"},
		{"06年和07年赤字对比", "2006年和2007年赤字对比"},
		{"近10年经济增长", "近10年经济增长"},   // a span, not a year
		{"20年来城镇化率", "20年来城镇化率"},   // two digits without 0 or '
		{"2006年经济增长", "2006年经济增长"}, // four digits stay
		{"过去05年", "过去05年"},         // after a span word
		{"'35年远景目标", "'35年远景目标"},   // neither century
		{"没有年份的问题", "没有年份的问题"},
		{"过去05年和05年相比", "过去05年和2005年相比"}, // each occurrence read where it stands
	} {
		if got := spellShortYears(tc.in); got != tc.want {
			t.Errorf("spellShortYears(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
