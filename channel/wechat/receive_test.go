package wechat

import (
	"testing"
	"time"

	"github.com/eatmoreapple/openwechat"

	"github.com/reportbot/reportbot/bot"
)

func TestStripMention(t *testing.T) {
	names := []string{"reportbot", "报告 助手"}
	cases := []struct {
		in        string
		want      string
		mentioned bool
	}{
		{"@reportbot\u2005中欧班列目标", "中欧班列目标", true},
		{"@reportbot 中欧班列目标", "中欧班列目标", true},
		{"@报告 助手\u2005中欧班列目标", "中欧班列目标", true},
		{"中欧班列目标 @reportbot", "中欧班列目标", true},
		{"请问@reportbot\u2005中欧班列目标", "请问 中欧班列目标", true},
		{"@reportbot", "", true},
		{"@reportbot2 中欧班列目标", "@reportbot2 中欧班列目标", false},
		{"中欧班列目标", "中欧班列目标", false},
		{"发邮件给 a@reportbot.cn 吧", "发邮件给 a@reportbot.cn 吧", false},
		// A mention inside a quoted message is not addressed to the bot.
		{"「张三：@reportbot\u2005中欧班列目标」\n- - - - - - - - - - - - - - -\n谢谢", "谢谢", false},
		{"「张三：中欧班列目标」\n- - - - - - - - - - - - - - -\n@reportbot\u2005再说一遍", "再说一遍", true},
	}
	for _, c := range cases {
		got, mentioned := stripMention(c.in, names)
		if got != c.want || mentioned != c.mentioned {
			t.Errorf("stripMention(%q) = %q, %v; want %q, %v", c.in, got, mentioned, c.want, c.mentioned)
		}
	}
}

func TestKindOf(t *testing.T) {
	cases := []struct {
		in   incoming
		want bot.Kind
	}{
		{incoming{msgType: openwechat.MsgTypeText}, bot.KindText},
		{incoming{msgType: openwechat.MsgTypeText, url: "https://apis.map.qq.com/x"}, bot.KindOther},
		{incoming{msgType: openwechat.MsgTypeImage}, bot.KindImage},
		{incoming{msgType: openwechat.MsgTypeEmoticon}, bot.KindImage},
		{incoming{msgType: openwechat.MsgTypeVoice}, bot.KindVoice},
		{incoming{msgType: openwechat.MsgTypeApp, appType: openwechat.AppMsgTypeAttach}, bot.KindFile},
		{incoming{msgType: openwechat.MsgTypeApp, appType: openwechat.AppMsgTypeUrl}, bot.KindLink},
		{incoming{msgType: openwechat.MsgTypeVideo}, bot.KindOther},
	}
	for _, c := range cases {
		if got := kindOf(c.in); got != c.want {
			t.Errorf("kindOf(type %d, app %d, url %q) = %v, want %v", c.in.msgType, c.in.appType, c.in.url, got, c.want)
		}
	}
}

// Two groups of one name: sending by that name must not pick one at random.
func TestFindByNameRefusesAmbiguousNames(t *testing.T) {
	cs := newContacts(nil, nil, nil, time.Hour, discardLogger())
	cs.lastList = time.Now() // no fetch: the cache is all there is
	cs.add(openwechat.Members{
		{UserName: "@@a", NickName: "学习群"},
		{UserName: "@@b", NickName: "学习群"},
		{UserName: "@@c", NickName: "工作群"},
		{UserName: "@d", NickName: "工作群", RemarkName: "老王"},
	})
	if u, ok := cs.findByName(t.Context(), "学习群", true); ok {
		t.Errorf("ambiguous group name resolved to %q", u)
	}
	if u, ok := cs.findByName(t.Context(), "工作群", true); !ok || u != "@@c" {
		t.Errorf("group 工作群 = %q, %v; want @@c", u, ok)
	}
	if u, ok := cs.findByName(t.Context(), "老王", false); !ok || u != "@d" {
		t.Errorf("friend by remark name = %q, %v; want @d", u, ok)
	}
}
