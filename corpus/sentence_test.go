package corpus

import (
	"slices"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"全面加强政治建设。坚持把政治建设摆在首位。", []string{"全面加强政治建设。", "坚持把政治建设摆在首位。"}},
		{"进出口贸易额增长50%以上", []string{"进出口贸易额增长50%以上"}},
		{"真的吗？是的！好;再见；", []string{"真的吗？", "是的！", "好;", "再见；"}},
		{"什么？！然后。", []string{"什么？！", "然后。"}},
		// Never inside quotes or brackets.
		{"开展“知责、担责；尽责”活动。下一句。", []string{"开展“知责、担责；尽责”活动。", "下一句。"}},
		{"用好《方案。细则》政策。", []string{"用好《方案。细则》政策。"}},
		{"理顺园区、镇(中心社区;试点)管理。完善（机制。）体系。", []string{"理顺园区、镇(中心社区;试点)管理。", "完善（机制。）体系。"}},
		// A quote that ends its sentence keeps its closer: …。” stays.
		{"他说：“要努力。”下一句。", []string{"他说：“要努力。”", "下一句。"}},
		{"口号是“拼搏！”", []string{"口号是“拼搏！”"}},
		// An unbalanced quote protects nothing.
		{"开“头。没有收尾。", []string{"开“头。", "没有收尾。"}},
		{"多余的”。下一句。", []string{"多余的”。", "下一句。"}},
		// White space trimmed, including U+3000 and U+00A0; empty dropped.
		{"\u3000\u3000第一句。\u00a0 第二句。 。", []string{"第一句。", "第二句。", "。"}},
		{"  ", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := SplitSentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
