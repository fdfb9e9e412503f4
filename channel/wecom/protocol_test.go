package wecom

import "testing"

func TestStripMention(t *testing.T) {
	names := []string{"reportbot", "报告助手"}
	for in, want := range map[string]string{
		"@reportbot 中欧班列目标":  "中欧班列目标",
		"@报告助手\u2005新增床位多少":  "新增床位多少",
		"中欧班列目标 @reportbot":  "中欧班列目标",
		"@reportbot":         "",
		"@小助手 中欧班列目标":        "中欧班列目标", // the bot under another name
		"@reportbot2 中欧班列目标": "中欧班列目标", // not our name, but the leading @ is the bot
		"中欧班列@reportbot2目标":  "中欧班列@reportbot2目标",
		"  进出口增长目标是多少  ":     "进出口增长目标是多少",
		"":                   "",
	} {
		if got := stripMention(in, names); got != want {
			t.Errorf("stripMention(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFitBytes(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4, 5, 7, 100} {
		got := FitBytes("报告里的目标", n)
		if len(got) > max(n, len("…")) && len("报告里的目标") > n {
			t.Errorf("FitBytes(_, %d) = %q: %d bytes", n, got, len(got))
		}
	}
	if got := FitBytes("目标", 100); got != "目标" {
		t.Errorf("short text changed: %q", got)
	}
}
