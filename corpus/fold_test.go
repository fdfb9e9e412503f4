package corpus

import (
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"中歐班列目標", "中欧班列目标"},
		{"經濟增長", "经济增长"},
		{"進出口貿易額", "进出口贸易额"},
		{"ＧＤＰ增长２０％", "gdp增长20%"},
		{"5G", "5g"},
		{"335+X", "335+x"},
		{"GDP", "gdp"},
		{"Ａｂｃ", "abc"},
		{"　前后\u00a0", " 前后 "},
		{"？！，", "?!,"},
		{"已是简体:中欧班列", "已是简体:中欧班列"},
		{"", ""},
	} {
		got := Fold(tc.in)
		if got != tc.want {
			t.Errorf("Fold(%q) = %q; want %q", tc.in, got, tc.want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(tc.in) {
			t.Errorf("Fold(%q) changed the rune count: %q", tc.in, got)
		}
	}
}
