package corpus

import (
	"archive/zip"
	"bytes"
	"errors"
	"html"
	"strings"
	"testing"
)

// docxOf builds a minimal .docx whose paragraphs are the given lines. A line
// starting with "#N " is a paragraph in the style "标题 N" (a Chinese Word
// heading style with an opaque ID); a line with " | " is a table row.
func docxOf(t testing.TB, lines ...string) []byte {
	t.Helper()
	var body strings.Builder
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "#") && len(l) > 2 && l[2] == ' ':
			body.WriteString(`<w:p><w:pPr><w:pStyle w:val="` + l[1:2] + `"/></w:pPr><w:r><w:t>` + html.EscapeString(l[3:]) + `</w:t></w:r></w:p>`)
		case strings.Contains(l, " | "):
			body.WriteString(`<w:tbl><w:tr>`)
			for _, c := range strings.Split(l, " | ") {
				body.WriteString(`<w:tc><w:p><w:r><w:t>` + html.EscapeString(c) + `</w:t></w:r></w:p></w:tc>`)
			}
			body.WriteString(`</w:tr></w:tbl>`)
		default:
			// Text split over two runs with a tab, as Word saves it.
			half := len([]rune(l)) / 2
			rs := []rune(l)
			body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(string(rs[:half])) + `</w:t></w:r><w:r><w:t>` + html.EscapeString(string(rs[half:])) + `</w:t></w:r></w:p>`)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, content string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types/>`)
	add("word/styles.xml", `<?xml version="1.0"?><w:styles xmlns:w="w"><w:style w:styleId="2"><w:name w:val="heading 2"/></w:style><w:style w:styleId="1"><w:name w:val="标题 1"/></w:style></w:styles>`)
	add("word/document.xml", `<?xml version="1.0"?><w:document xmlns:w="w"><w:body>`+body.String()+`</w:body></w:document>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseDocx(t *testing.T) {
	data := docxOf(t,
		"2025年某省政府工作报告",
		"#1 一、2024年工作回顾",
		"过去一年，全省地区生产总值增长5.4%。",
		"#2 （一）经济运行",
		"指标 | 目标 | 完成",
		"#1 二、2025年主要目标",
		"地区生产总值增长5.5%左右；城镇新增就业100万人以上。",
	)
	r, err := Parse("2025-some.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "2025年某省政府工作报告" || r.Year != 2025 {
		t.Errorf("title %q year %d", r.Title, r.Year)
	}
	if got := strings.Join(outline(r), "|"); !strings.Contains(got, "2024年工作回顾") || !strings.Contains(got, "经济运行") || !strings.Contains(got, "2025年主要目标") {
		t.Errorf("outline %q", got)
	}
	var texts []string
	for _, p := range r.Paragraphs {
		texts = append(texts, p.Text)
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "指标；目标；完成") || !strings.Contains(all, "过去一年，全省地区生产总值增长5.4%。") {
		t.Errorf("paragraphs:\n%s", all)
	}
}

func TestParseDocxBroken(t *testing.T) {
	good := docxOf(t, "标题", "正文一句。")
	cases := map[string][]byte{
		"not a zip":       []byte("PK\x03\x04 but not really"),
		"truncated":       good[:len(good)/2],
		"no document.xml": zipOf(t, map[string]string{"word/other.xml": "<x/>"}),
		"malformed XML":   zipOf(t, map[string]string{"word/document.xml": "<w:document><w:body><w:p><w:t>半截"}),
		"empty document":  zipOf(t, map[string]string{"word/document.xml": `<w:document xmlns:w="w"><w:body/></w:document>`}),
		"empty zip":       zipOf(t, map[string]string{}),
	}
	for name, data := range cases {
		_, err := Parse("r.docx", data)
		if err == nil || !(errors.Is(err, ErrDocx) || errors.Is(err, ErrEmpty)) || !strings.Contains(err.Error(), "r.docx") {
			t.Errorf("%s: err = %v, want ErrDocx or ErrEmpty naming the file", name, err)
		}
	}
}

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	zw.Close()
	return buf.Bytes()
}
