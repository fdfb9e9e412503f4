package main

import (
	"context"
	"strings"
	"testing"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/channel/wecom"
	"github.com/reportbot/reportbot/config"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/store/memstore"
)

// The AI-bot channel's chat core has its own admins (企业微信 user IDs) and
// answers 订阅 with the configuration line for the chat.
func TestWeComBotChatCoreAdminsAndSubscribe(t *testing.T) {
	cfg := config.Default()
	cfg.Bot.Admins = []string{"张三"}            // a WeChat admin, by the operator's remark name
	cfg.WeComBot.Admins = []string{"zhangsan"} // the 企业微信 admin, by user ID
	reports, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(context.Background(), reports, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	state := digest.NewMemoryState()
	svc, err := digest.New(digest.Config{StartDate: "2026-12-01"}, reports, state, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(ix, memstore.New(), wecomBotOptions(botOptions(cfg, nil), cfg, svc))
	ask := func(id, sender, text string) string {
		var parts []string
		// The channel passes the user ID as the operator-controlled identity.
		for _, r := range b.Handle(context.Background(), bot.Message{ID: id, Chat: wecom.ChatName("wrkAbc"), Group: true, Mentioned: true, Sender: sender, SenderRemark: sender, Text: text}) {
			parts = append(parts, r.Text)
		}
		return strings.Join(parts, "\n")
	}
	if got := ask("1", "zhangsan", "订阅"); !strings.Contains(got, "[digest.wecom_chats]") || !strings.Contains(got, `"wrkAbc"`) {
		t.Fatalf("订阅 by the 企业微信 admin: %q", got)
	}
	if subs, err := state.Subscriptions(context.Background()); err != nil || len(subs) != 0 {
		t.Fatal("an AI-bot chat was subscribed as a WeChat group")
	}
	// The WeChat admin's name is no right in 企业微信.
	refused := ask("2", "张三", "订阅")
	if strings.Contains(refused, "[digest.wecom_chats]") {
		t.Fatalf("a WeChat admin name ran 订阅 in 企业微信: %q", refused)
	}
}
