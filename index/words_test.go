package index

import (
	"strings"
	"testing"
)

func TestSegment(t *testing.T) {
	d := generalDictionary()
	cases := map[string]string{
		"孩子上学有什么新政策": "孩子 上学 有 什么 新 政策",
		"老人没人照顾怎么办":  "老人 没 人 照顾 怎么办",
		"城镇新增就业目标":   "城镇 新增 就业 目标",
		"看病报销":       "看病 报销",
	}
	for q, want := range cases {
		if got := strings.Join(d.segment([]rune(q), nil), " "); got != want {
			t.Errorf("segment(%s) = %s, want %s", q, got, want)
		}
	}
	if f, c := d.lookup("孩子"); f < 1000 || c != classNoun {
		t.Errorf("孩子: %d %d", f, c)
	}
}
