package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func seedBytes(t testing.TB) []byte {
	t.Helper()
	data, err := embedded.ReadFile("reports/2022-lanzhou-xinqu-work-report.txt")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// outline renders a report's section tree for comparison.
func outline(r *Report) []string {
	var out []string
	for _, s := range r.Sections {
		line := strings.Repeat("  ", s.Level-1)
		if s.Number != "" {
			line += "[" + s.Number + "] "
		}
		line += s.Name
		if s.Subtitle != "" {
			line += " / " + s.Subtitle
		}
		out = append(out, line)
	}
	return out
}

func mustParse(t *testing.T, name, text string) *Report {
	t.Helper()
	r, err := Parse(name, []byte(text))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}

func checkOutline(t *testing.T, r *Report, want []string) {
	t.Helper()
	if got := outline(r); !slices.Equal(got, want) {
		t.Errorf("outline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseGB18030EqualsUTF8(t *testing.T) {
	utf := seedBytes(t)
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(utf)
	if err != nil {
		t.Fatal(err)
	}
	if string(gb) == string(utf) {
		t.Fatal("encoding did not change the bytes")
	}
	want, err := Parse("seed.txt", utf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("seed.txt", gb)
	if err != nil {
		t.Fatalf("GB18030 seed: %v", err)
	}
	if Fingerprint([]*Report{got}) != Fingerprint([]*Report{want}) {
		t.Error("GB18030 seed parses differently from the UTF-8 seed")
	}

	// GBK proper (what most government files are) and a UTF-8 BOM.
	sample := "关于2023年工作的报告\n\n一、主要目标\n地区生产总值增长6%左右。\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(sample)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"gbk.txt": []byte(gbk), "bom.txt": append([]byte{0xEF, 0xBB, 0xBF}, sample...)} {
		r, err := Parse(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.Title != "关于2023年工作的报告" || r.Paragraphs[0].Text != "地区生产总值增长6%左右。" || r.Year != 2023 {
			t.Errorf("%s: title %q, paragraph %q, year %d", name, r.Title, r.Paragraphs[0].Text, r.Year)
		}
	}
}

func TestParseErrors(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
	noisy := []byte(strings.Repeat("ab\x01\x02cd", 50))
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"photo.txt", png, ErrBinary},
		{"noise.md", noisy, ErrBinary},
		{"utf16-without-bom.txt", []byte("a\x00b\x00"), ErrBinary},
		{"empty.txt", nil, ErrEmpty},
		{"blank.html", []byte(" \n\t\r\n\u3000\u00a0\n"), ErrEmpty},
		{"title-only.txt", []byte("2022年工作报告\n\n"), ErrEmpty},
		{"chrome-only.html", []byte("<html><body><nav>首页</nav><script>x()</script></body></html>"), ErrEmpty},
		{"boilerplate.txt", []byte("标题\n官方微信\n返 回\n版权所有:某单位\n"), ErrEmpty},
		{"latin1.txt", []byte("caf\xe9 au lait, cr\xe8me br\xfbl\xe9e"), ErrEncoding},
		{"huge.txt", make([]byte, MaxSize+1), ErrTooLarge},
	}
	for _, tt := range tests {
		r, err := Parse(tt.name, tt.data)
		if !errors.Is(err, tt.want) {
			t.Errorf("Parse(%s) = %v, %v; want %v", tt.name, r, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.name) || !strings.HasPrefix(err.Error(), "corpus: ") {
			t.Errorf("error %q does not name %s", err, tt.name)
		}
	}
	_, err := Parse("dir/photo.txt", png)
	if got, want := err.Error(), "corpus: dir/photo.txt: binary file, not a report"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestParseOfficialForm(t *testing.T) {
	r := mustParse(t, "2023-city.txt", `关于2023年政府工作报告
发布时间：2023-02-10 09:30 来源：某市人民政府
各位代表：现在，我代表市人民政府作报告。
一、2022年工作回顾
过去一年，全市地区生产总值增长5%左右。
二、2023年工作安排
（一）总体要求
今年主要预期目标是：地区生产总值增长6%以上。
（二）重点任务
1. 扩大有效需求。全年固定资产投资增长10%，新开工项目200个，确保投资稳定增长。
2．建设现代化产业体系
推动制造业高质量发展。
（1）壮大先进制造业。培育千亿级产业集群3个，推动重点企业扩能。
(2)发展现代服务业
推动服务业提质。
（三）保障措施
加强组织领导。
三、加强政府自身建设
各位代表！让我们携手奋进。
`)
	if r.Title != "关于2023年政府工作报告" || r.Date != "2023-02-10" || r.Source != "某市人民政府" || r.Year != 2023 {
		t.Errorf("metadata: %q %q %q %d", r.Title, r.Date, r.Source, r.Year)
	}
	checkOutline(t, r, []string{
		"[一] 2022年工作回顾",
		"[二] 2023年工作安排",
		"  [（一）] 总体要求",
		"  [（二）] 重点任务",
		"    [1] 扩大有效需求",
		"    [2] 建设现代化产业体系",
		"      [（1）] 壮大先进制造业",
		"      [(2)] 发展现代服务业",
		"  [（三）] 保障措施",
		"[三] 加强政府自身建设",
	})
	if p := r.Paragraphs[0]; p.Section != nil || p.Place() != PreamblePlace {
		t.Errorf("preamble %q in %v", p.Text, p.Section)
	}
	// The lead sentence of a numbered line names the section; the rest is
	// its first paragraph.
	s := findSentence(t, r, "新开工项目200个")
	if got := s.Paragraph.Place(); got != "重点任务 › 扩大有效需求" {
		t.Errorf("Place = %q", got)
	}
	if s.Paragraph.Text != "全年固定资产投资增长10%，新开工项目200个，确保投资稳定增长。" {
		t.Errorf("body paragraph = %q", s.Paragraph.Text)
	}
	if got := findSentence(t, r, "千亿级产业集群").Paragraph.Section.Path(); !slices.Equal(got, []string{"2023年工作安排", "重点任务", "建设现代化产业体系", "壮大先进制造业"}) {
		t.Errorf("Path = %q", got)
	}
	if h := r.Highlights(); h != nil {
		t.Errorf("Highlights of a report opening with a numbered section = %v, want nil", h)
	}
}

func TestParseParts(t *testing.T) {
	r := mustParse(t, "county.txt", `2021年某县政府工作报告
第一部分 回顾
（一）经济
全县地区生产总值增长5%。
第二部分 安排
主要目标
全县地区生产总值增长6%。
二、重点任务
建设“强县域”
推进县城建设。加快建设产业园区，新建标准厂房10万平方米。
`)
	checkOutline(t, r, []string{
		"[第一部分] 回顾",
		"  [（一）] 经济",
		"[第二部分] 安排",
		"  主要目标",
		"  [二] 重点任务",
		"    建设“强县域”",
	})
	p := findSentence(t, r, "新建标准厂房").Paragraph
	if p.Place() != "建设“强县域” › 推进县城建设" {
		t.Errorf("Place = %q", p.Place())
	}
	if f := p.Sentences[1].Figures; len(f) != 1 || f[0].Text != "10万平方米" || f[0].Unit != "万平方米" {
		t.Errorf("figures = %+v", f)
	}
}

func TestParseMarkdown(t *testing.T) {
	r := mustParse(t, "district.md", `# 2024年某区**政府工作报告**

*2024-01-20 来源：某区融媒体中心*

## 一、主要目标

- 地区生产总值增长**6%**左右
- 城镇新增就业[1.2万人](http://example.com/jobs)

## 二、重点工作

### （一）扩大内需

推动消费回暖。全年社会消费品零售总额
增长8%，新建`+"`5G`"+`基站1000个。

> 引用的段落。

---
`)
	if r.Title != "2024年某区政府工作报告" || r.Date != "2024-01-20" || r.Source != "某区融媒体中心" || r.Year != 2024 {
		t.Errorf("metadata: %q %q %q %d", r.Title, r.Date, r.Source, r.Year)
	}
	checkOutline(t, r, []string{"[一] 主要目标", "[二] 重点工作", "  [（一）] 扩大内需"})
	var texts []string
	for _, p := range r.Paragraphs {
		texts = append(texts, p.Text)
	}
	want := []string{"地区生产总值增长6%左右", "城镇新增就业1.2万人", "推动消费回暖。全年社会消费品零售总额增长8%，新建5G基站1000个。", "引用的段落。"}
	if !slices.Equal(texts, want) {
		t.Errorf("paragraphs = %q", texts)
	}
	if p := r.Paragraphs[2]; p.Lead != "推动消费回暖" || p.Place() != "扩大内需 › 推动消费回暖" {
		t.Errorf("lead %q place %q", p.Lead, p.Place())
	}
	if f := r.Paragraphs[1].Sentences[0].Figures; len(f) != 1 || f[0].Text != "1.2万人" || f[0].Unit != "万人" {
		t.Errorf("figures = %+v", f)
	}

	// Table rows and list items are text, never headings, however short.
	r = mustParse(t, "table.md", "# 报告\n\n- 目标\n\n| 指标 | 值 |\n|---|---|\n| 就业 | 3万人 |\n")
	if len(r.Sections) != 0 || len(r.Paragraphs) != 3 || r.Paragraphs[0].Text != "目标" || r.Paragraphs[1].Text != "指标 值" {
		t.Errorf("table: outline %q, paragraphs %d", outline(r), len(r.Paragraphs))
	}
}

func TestParseHTML(t *testing.T) {
	r := mustParse(t, "page.html", `<!DOCTYPE html><html><head><meta charset="utf-8">
<title>开启新征程 - 兰州新区门户网站</title><script>var x = "一、不是标题";</script><style>p{color:red}</style></head>
<body><header><a href="/">首页</a> <a>新闻</a></header><nav>首页 &gt; 新闻</nav>
<div class="breadcrumb">当前位置：首页 &gt; 新闻</div>
<div class="article"><div class="title">开启新征程</div><p class="info">2022年01月14日 来源：兰州新区报</p>
<p>　　2022年是关键之年。</p>
<h2>展望2022年</h2><h3>奋斗目标</h3><p>进出口贸易额增长50%以上</p>
<h2>重点工作</h2><h3>1 关键词：影响力</h3><p><strong>提能级&nbsp;扩大影响力</strong></p>
<p>聚焦开放。</p><p>全方位拓展外贸经济“新廊道”。推动班列常态化
    发运,全年到发<b>200</b>列以上。<br>持续拓展包机业务。</p>
<table><tr><td>指标</td><td>增长12%</td></tr></table></div>
<div class="footer">版权所有 ICP备12345号</div><footer>联系我们</footer><div id="share-box">分享到</div>
<script>alert("一、假标题")</script></body></html>`)
	if r.Title != "开启新征程" || r.Date != "2022-01-14" || r.Source != "兰州新区报" || r.Year != 2022 {
		t.Errorf("metadata: %q %q %q %d", r.Title, r.Date, r.Source, r.Year)
	}
	checkOutline(t, r, []string{"展望2022年", "  奋斗目标", "重点工作", "  [1] 影响力 / 提能级 扩大影响力"})
	var texts []string
	for _, p := range r.Paragraphs {
		texts = append(texts, p.Text)
	}
	want := []string{"2022年是关键之年。", "进出口贸易额增长50%以上", "聚焦开放。",
		"全方位拓展外贸经济“新廊道”。推动班列常态化发运,全年到发200列以上。", "持续拓展包机业务。", "指标 增长12%"}
	if !slices.Equal(texts, want) {
		t.Errorf("paragraphs = %q", texts)
	}
	if got := r.Paragraphs[3].Place(); got != "影响力 › 全方位拓展外贸经济“新廊道”" {
		t.Errorf("Place = %q", got)
	}

	// Without a headline element the <title> gives the title, minus the site.
	r = mustParse(t, "bare.htm", `<title>2021年工作报告_某县人民政府</title><p>第一段。</p>`)
	if r.Title != "2021年工作报告" || r.Year != 2021 {
		t.Errorf("title %q year %d", r.Title, r.Year)
	}
	// A short headline repeated in the body is not kept as a heading.
	r = mustParse(t, "short.html", `<title>短题 - 网站</title><div>短题</div><ul><li>目标</li></ul><p>正文。</p>`)
	if r.Title != "短题" || len(r.Sections) != 0 || len(r.Paragraphs) != 2 {
		t.Errorf("title %q, outline %q, %d paragraphs", r.Title, outline(r), len(r.Paragraphs))
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b-seed.txt", seedBytes(t))
	write("a.md", []byte("# 2023年报告\n\n## 目标\n\n增长5%。\n"))
	write("c.HTML", []byte("<h1>2024年报告</h1><p>增长6%。</p>"))
	write("d.docx", docxOf(t, "2025年某市政府工作报告", "一、主要目标", "地区生产总值增长5%左右。"))
	write("bad.txt", []byte("\x00\x01binary"))
	write("broken.docx", []byte("not a zip"))
	write("old.doc", []byte("ignored"))
	write(".hidden.txt", []byte("ignored"))
	if err := os.Mkdir(filepath.Join(dir, "sub.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	reports, skipped, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range reports {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []string{"a", "b-seed", "c", "d"}) {
		t.Errorf("IDs = %q", ids)
	}
	reasons := map[string]error{}
	for _, s := range skipped {
		reasons[filepath.Base(s.File)] = s.Reason
	}
	if len(skipped) != 3 || !errors.Is(reasons["bad.txt"], ErrBinary) || !errors.Is(reasons["broken.docx"], ErrDocx) ||
		!strings.Contains(fmt.Sprint(reasons["old.doc"]), ".docx") {
		t.Errorf("skipped = %v, want bad.txt (binary), broken.docx (not docx), old.doc (save as .docx)", skipped)
	}
}

func TestLoadDirWithoutReports(t *testing.T) {
	if _, _, err := LoadDir(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing folder: %v", err)
	}
	empty := t.TempDir()
	if rs, _, err := LoadDir(empty); len(rs) != 0 || err == nil || !strings.Contains(err.Error(), "no report files") {
		t.Errorf("empty folder: %v, %v", rs, err)
	}
	unsupported := t.TempDir()
	for _, name := range []string{"a.pdf", "b.doc"} {
		if err := os.WriteFile(filepath.Join(unsupported, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, skipped, err := LoadDir(unsupported)
	if len(rs) != 0 || len(skipped) != 2 || err == nil || !strings.Contains(err.Error(), "2 files skipped") {
		t.Errorf("folder of unsupported files: %v, %v, %v", rs, skipped, err)
	}
}

func TestLoadDirRefusesHugeFileUnread(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "huge.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: its size is over the limit without writing 16 MiB.
	if err := f.Truncate(MaxSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(filepath.Join(dir, "ok.txt"), seedBytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	_, skipped, err := LoadDir(dir)
	if err != nil || len(skipped) != 1 || !errors.Is(skipped[0].Reason, ErrTooLarge) ||
		!strings.Contains(skipped[0].Error(), "huge.txt") || !strings.Contains(skipped[0].Error(), "16 MiB") {
		t.Errorf("skipped = %v, err = %v; want huge.txt refused naming the 16 MiB limit", skipped, err)
	}
}

func TestFingerprint(t *testing.T) {
	a, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Default()
	if &a[0] != &b[0] {
		t.Error("Default parsed twice")
	}
	again, err := Parse("2022-lanzhou-xinqu-work-report.txt", seedBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	again.Thesaurus = a[0].Thesaurus // the file beside the embedded report
	fp := Fingerprint(a)
	if len(fp) != 64 || Fingerprint([]*Report{again}) != fp {
		t.Errorf("fingerprint %q not stable across parses", fp)
	}
	edited, _ := Parse("2022-lanzhou-xinqu-work-report.txt", []byte(strings.Replace(string(seedBytes(t)), "800张", "900张", 1)))
	if Fingerprint([]*Report{edited}) == fp {
		t.Error("fingerprint ignores an edited figure")
	}
	if Fingerprint(nil) == fp || Fingerprint(append(a, again)) == fp {
		t.Error("fingerprint ignores the set of reports")
	}
}

func BenchmarkParseSeed(b *testing.B) {
	data := seedBytes(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("seed.txt", data); err != nil {
			b.Fatal(err)
		}
	}
}

// Issue 9: a number glued to 关键词 is a heading, and a report with no title
// line keeps its first paragraph as text and takes its file name as title.
func TestGluedKeywordHeadingAndUntitledReport(t *testing.T) {
	r, err := Parse("r.txt", []byte("2022年某区工作报告\n重点工作\n1关键词:引领力\n强化党建引领，全年新建党群服务中心5个。\n2关键词:支撑力\n做强实体经济，新增规上企业10家。\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(outline(r), "|"); !strings.Contains(got, "引领力") || !strings.Contains(got, "支撑力") {
		t.Errorf("outline %q; want 引领力 and 支撑力 as headings", got)
	}
	first := "今年是实施“十四五”规划的关键之年，全区上下要坚定信心，全年地区生产总值增长6%左右，一般公共预算收入增长5%，城乡居民收入稳步增长。"
	r, err = Parse("2023-untitled.txt", []byte(first+"\n要抓好重点项目建设，全年完成投资100亿元。\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "2023-untitled" || len(r.Paragraphs) != 2 || r.Paragraphs[0].Text != first {
		t.Errorf("title %q, %d paragraphs; want the file name as title and both paragraphs kept", r.Title, len(r.Paragraphs))
	}
}

// A province named by its short name in the title (2025年宁夏政府工作报告)
// is the report's region, with the names users call it by.
func TestRegionFromShortProvinceName(t *testing.T) {
	for title, want := range map[string]string{
		"2025年宁夏政府工作报告":         "宁夏回族自治区",
		"2025年浙江省政府工作报告":        "浙江省",
		"2024年杭州市人民政府工作报告":      "杭州市",
		"2023年中华人民共和国国务院政府工作报告": National,
	} {
		if got := regionOf(title); got != want {
			t.Errorf("regionOf(%s) = %q, want %q", title, got, want)
		}
	}
	r := &Report{Region: "宁夏回族自治区"}
	if names := r.RegionNames(); !slices.Contains(names, "宁夏") {
		t.Errorf("RegionNames = %v, want 宁夏 among them", names)
	}
}
