package corpus

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that no input panics Parse, that failures are one of the
// documented errors, and that what parses is well formed. The committed seed
// corpus is in testdata/fuzz/FuzzParse (text, Markdown, HTML, GBK, UTF-16,
// binary).
func FuzzParse(f *testing.F) {
	f.Add("a.txt", []byte("标题\n2022/01/14 来源:某报\n一、总体要求\n（一）目标\n增长20%以上。“引用。”完\n"))
	f.Add("b.md", []byte("# 标题\n\n## 1 关键词:X\n\n**副题**\n\n- 做好。新增8%、10%以上\n"))
	f.Add("c.html", []byte("<title>t</title><h1>标题</h1><p>正文。<br>百亿元以上</p>"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		r, err := Parse(name, data)
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrBinary) && !errors.Is(err, ErrEncoding) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("undocumented error: %v", err)
			}
			return
		}
		if !utf8.ValidString(r.Title) || len(r.Paragraphs) == 0 {
			t.Fatalf("title %q, %d paragraphs", r.Title, len(r.Paragraphs))
		}
		for i, p := range r.Paragraphs {
			if p.Index != i || len(p.Sentences) == 0 {
				t.Fatalf("paragraph %d: index %d, %d sentences", i, p.Index, len(p.Sentences))
			}
			_ = p.Place()
			for j, s := range p.Sentences {
				if s.Text == "" || !utf8.ValidString(s.Text) || s.Index != j || s.Paragraph != p {
					t.Fatalf("bad sentence %d.%d: %q", i, j, s.Text)
				}
				for _, fg := range s.Figures {
					if fg.Text == "" || !strings.HasPrefix(s.Text[fg.Pos:], fg.Text) || !strings.Contains(s.Text, fg.Clause) {
						t.Fatalf("figure %+v not in sentence %q", fg, s.Text)
					}
				}
			}
		}
		for _, s := range r.Sections {
			if s.Level < 1 || s.Parent != nil && s.Level != s.Parent.Level+1 {
				t.Fatalf("section %q level %d", s.Name, s.Level)
			}
			_ = s.Path()
		}
		_ = r.Highlights()
		_ = Fingerprint([]*Report{r})
	})
}

// FuzzSplitSentences: splitting loses nothing but white space, and every
// sentence's figures point into it.
func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{"全面加强政治建设。坚持“知责。”好", "开“头。（没有；收尾。", "增长8%、10%以上，百亿元以上；第十五届。5G、335+X", "1,300.5万人次"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		sents := SplitSentences(text)
		if got, want := squash(strings.Join(sents, "")), squash(text); got != want {
			t.Fatalf("sentences %q lose text of %q", sents, text)
		}
		for _, s := range sents {
			if s == "" || s != trimSpace(s) {
				t.Fatalf("sentence %q not trimmed", s)
			}
			for _, fg := range ExtractFigures(s) {
				if fg.Text == "" || !strings.HasPrefix(s[fg.Pos:], fg.Text) || !strings.Contains(s, fg.Clause) {
					t.Fatalf("figure %+v not in %q", fg, s)
				}
			}
		}
	})
}
