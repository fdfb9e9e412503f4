package corpus

import (
	"slices"
	"strings"
	"testing"
)

func seed(t testing.TB) *Report {
	t.Helper()
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ID == "2022-lanzhou-xinqu-work-report" {
			return r
		}
	}
	t.Fatal("seed report not embedded")
	return nil
}

func TestSeedMetadata(t *testing.T) {
	r := seed(t)
	want := Report{
		ID:     "2022-lanzhou-xinqu-work-report",
		Title:  "开启“黄金十年”新征程:兰州新区汇聚“七力”乘势而起——新区工作报告解读(二)",
		Source: "兰州新区报",
		Date:   "2022-01-14",
		Year:   2022,
	}
	got := Report{ID: r.ID, Title: r.Title, Source: r.Source, Date: r.Date, Year: r.Year}
	if got.ID != want.ID || got.Title != want.Title || got.Source != want.Source || got.Date != want.Date || got.Year != want.Year {
		t.Errorf("metadata = %+v, want %+v", got, want)
	}
}

func TestSeedStructure(t *testing.T) {
	r := seed(t)
	type sec struct {
		level                  int
		number, name, subtitle string
		parent                 string
	}
	want := []sec{
		{1, "", "展望2022年", "", ""},
		{2, "", "奋斗目标", "", "展望2022年"},
		{2, "", "数读报告", "", "展望2022年"},
		{1, "", "重点工作", "", ""},
		{2, "1", "引领力", "强堡垒 增强高质量跨越式发展引领力", "重点工作"},
		{2, "2", "支撑力", "强实体 加大高质量跨越式发展支撑力", "重点工作"},
		{2, "3", "新动力", "求突破 释放高质量跨越式发展", "重点工作"},
		{2, "4", "竞争力", "强驱动 提升高质量跨越式发展竞争力", "重点工作"},
		{2, "5", "影响力", "提能级 扩大高质量跨越式发展影响力", "重点工作"},
		{2, "6", "承载力", "促发展 提升高质量跨越式发展承载力", "重点工作"},
		{2, "7", "向心力", "惠民生 凝聚高质量跨越式发展向心力", "重点工作"},
	}
	var got []sec
	for _, s := range r.Sections {
		parent := ""
		if s.Parent != nil {
			parent = s.Parent.Name
			if !slices.Contains(s.Parent.Children, s) {
				t.Errorf("%s is not among its parent's children", s.Name)
			}
		}
		got = append(got, sec{s.Level, s.Number, s.Name, s.Subtitle, parent})
	}
	if !slices.Equal(got, want) {
		t.Errorf("sections:\n got %v\nwant %v", got, want)
	}
	if names := sectionNames(r.TopLevel()); !slices.Equal(names, []string{"展望2022年", "重点工作"}) {
		t.Errorf("TopLevel = %v", names)
	}

	// Preamble: two paragraphs without a section.
	if p := r.Paragraphs[0]; p.Section != nil || !strings.HasPrefix(p.Text, "2022年是党的二十大召开之年") {
		t.Errorf("paragraph 0 = %q in %v, want preamble", p.Text, p.Section)
	}
	if r.Paragraphs[1].Section != nil || r.Paragraphs[2].Section == nil {
		t.Error("want exactly two preamble paragraphs")
	}

	// 奋斗目标: five target lines, one sentence each, no full stop.
	goals := r.Sections[1]
	var lines []string
	for _, p := range goals.Paragraphs {
		if len(p.Sentences) != 1 || p.Lead != "" {
			t.Errorf("goal %q: %d sentences, lead %q", p.Text, len(p.Sentences), p.Lead)
		}
		lines = append(lines, p.Text)
	}
	if want := []string{
		"地区生产总值、固定资产投资、一般公共预算收入、税收收入均增长20%以上",
		"进出口贸易额增长50%以上",
		"社会消费品零售总额增长15%以上",
		"城乡居民人均可支配收入分别增长8%、10%以上",
		"八家监管企业营收、利税均增长20%以上",
	}; !slices.Equal(lines, want) {
		t.Errorf("奋斗目标 lines = %q", lines)
	}
	if n := len(r.Sections[2].Paragraphs); n != 4 {
		t.Errorf("数读报告 has %d paragraphs, want 4", n)
	}

	// Keyword sections: intro without lead, then items with leads.
	wantLeads := map[string][]string{
		"引领力": {"", "全面加强政治建设", "全面凝聚思想共识", "全面筑牢组织堡垒", "全面强化纪律作风", "全面办好庆祝活动"},
		"新动力": {"", "着力在管理体制改革上再突破", "着力在“放管服”改革上再突破", "着力在绿色金融改革上再突破",
			"着力在国资国企改革上再突破", "着力在要素市场化配置改革上再突破", "着力在其他领域改革上再突破"},
		"影响力": {"", "全方位构筑对外开放“大平台”", "全方位拓展外贸经济“新廊道”", "全方位扩大对外合作“朋友圈”"},
	}
	for _, s := range r.Sections {
		want, ok := wantLeads[s.Name]
		if !ok {
			continue
		}
		var leads []string
		for _, p := range s.Paragraphs {
			leads = append(leads, p.Lead)
			if p.Lead != "" && p.Sentences[0].Text != p.Lead+"。" {
				t.Errorf("lead %q is not sentence 0 (%q)", p.Lead, p.Sentences[0].Text)
			}
		}
		if !slices.Equal(leads, want) {
			t.Errorf("%s leads = %q, want %q", s.Name, leads, want)
		}
	}
	for _, s := range r.Sections[4:] {
		if len(s.Paragraphs) < 4 || s.Paragraphs[0].Lead != "" {
			t.Errorf("%s: %d paragraphs, intro lead %q", s.Name, len(s.Paragraphs), s.Paragraphs[0].Lead)
		}
	}

	// Indexes and back pointers.
	for i, p := range r.Paragraphs {
		if p.Index != i {
			t.Fatalf("paragraph %d has Index %d", i, p.Index)
		}
		for j, s := range p.Sentences {
			if s.Index != j || s.Paragraph != p || r.Sentence(i, j) != s {
				t.Fatalf("sentence %d.%d: bad Index/Paragraph", i, j)
			}
		}
	}
	// No boilerplate left.
	last := r.Paragraphs[len(r.Paragraphs)-1]
	if !strings.HasPrefix(last.Text, "多元化共享治理成果。") {
		t.Errorf("last paragraph = %.40q", last.Text)
	}
	for _, p := range r.Paragraphs {
		for _, junk := range []string{"官方微信", "返 回", "ICP", "版权所有", "新区头条"} {
			if strings.Contains(p.Text, junk) {
				t.Errorf("boilerplate %q left in %q", junk, p.Text)
			}
		}
	}
}

func sectionNames(ss []*Section) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func findSentence(t *testing.T, r *Report, sub string) *Sentence {
	t.Helper()
	for _, p := range r.Paragraphs {
		for _, s := range p.Sentences {
			if strings.Contains(s.Text, sub) {
				return s
			}
		}
	}
	t.Fatalf("no sentence contains %q", sub)
	return nil
}

func TestSeedPlaces(t *testing.T) {
	r := seed(t)
	tests := []struct{ sentence, place string }{
		{"提升“中吉乌”公铁联运班列运营水平", "影响力 › 全方位拓展外贸经济“新廊道”"},
		{"聚焦深挖“一带一路”黄金节点优势", "影响力"},
		{"快速推进三中、七小等10所学校建设。", "展望2022年 › 数读报告"},
		{"进出口贸易额增长50%以上", "展望2022年 › 奋斗目标"},
		{"2022年是党的二十大召开之年", "导语"},
		{"立足跻身营商环境“国评”第一方阵目标", "新动力 › 着力在“放管服”改革上再突破"},
	}
	for _, tt := range tests {
		if got := findSentence(t, r, tt.sentence).Paragraph.Place(); got != tt.place {
			t.Errorf("Place(%q) = %q, want %q", tt.sentence, got, tt.place)
		}
	}
	s := findSentence(t, r, "全年执飞50班以上").Paragraph.Section
	if got := s.Path(); !slices.Equal(got, []string{"重点工作", "影响力"}) {
		t.Errorf("Path = %q", got)
	}
	if r.Sentence(-1, 0) != nil || r.Sentence(0, 99) != nil || r.Sentence(len(r.Paragraphs), 0) != nil {
		t.Error("Sentence out of range is not nil")
	}
}

func TestSeedHighlights(t *testing.T) {
	r := seed(t)
	var got []string
	for _, s := range r.Highlights() {
		got = append(got, s.Text)
	}
	want := []string{
		"地区生产总值、固定资产投资、一般公共预算收入、税收收入均增长20%以上",
		"进出口贸易额增长50%以上",
		"社会消费品零售总额增长15%以上",
		"城乡居民人均可支配收入分别增长8%、10%以上",
		"八家监管企业营收、利税均增长20%以上",
		"全年到发200列以上。",
		"新增床位800张。",
		"快速推进三中、七小等10所学校建设。",
		"全年注册企业1300家以上、融资150亿元以上。",
	}
	if len(got) != len(want) {
		t.Fatalf("Highlights = %q", got)
	}
	for i := range want {
		if !strings.HasSuffix(got[i], want[i]) {
			t.Errorf("highlight %d = %q, want …%q", i, got[i], want[i])
		}
	}
}

func TestSeedFigures(t *testing.T) {
	r := seed(t)
	tests := []struct {
		sentence string
		figs     []Figure // Pos ignored
	}{
		{"全年到发200列以上", []Figure{{Text: "200列以上", Unit: "列", Clause: "全年到发200列以上"}}},
		{"新增床位800张。", []Figure{{Text: "800张", Unit: "张", Clause: "新增床位800张"}}},
		{"分别增长8%、10%以上", []Figure{{Text: "8%、10%以上", Unit: "%", Clause: "城乡居民人均可支配收入分别增长8%、10%以上"}}},
		{"税收收入均增长20%以上", []Figure{{Text: "20%以上", Unit: "%", Clause: "地区生产总值、固定资产投资、一般公共预算收入、税收收入均增长20%以上"}}},
		{"全年注册企业1300家以上、融资150亿元以上。", []Figure{
			{Text: "1300家以上", Unit: "家", Clause: "全年注册企业1300家以上"},
			{Text: "150亿元以上", Unit: "亿元", Clause: "融资150亿元以上"}}},
		{"全年完成30万单以上", []Figure{{Text: "30万单以上", Unit: "万单", Clause: "全年完成30万单以上"}}},
		{"轨道交通5号线", nil}, // the name of a line, not a figure
		{"依托5G、工业互联网", nil},
		{"大力实施“335+X”产业倍增行动", nil},
		{"2022年是党的二十大召开之年", nil},
	}
	for _, tt := range tests {
		s := findSentence(t, r, tt.sentence)
		var got []Figure
		for _, f := range s.Figures {
			if s.Text[f.Pos:f.Pos+len(f.Text)] != f.Text {
				t.Errorf("%q: Pos %d does not point at %q", s.Text, f.Pos, f.Text)
			}
			f.Pos = 0
			got = append(got, f)
		}
		if !slices.Equal(got, tt.figs) {
			t.Errorf("figures of %q:\n got %+v\nwant %+v", s.Text, got, tt.figs)
		}
	}
}
