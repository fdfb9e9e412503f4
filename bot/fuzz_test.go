package bot_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/store/memstore"
)

// FuzzAsk checks that no question panics the question path, and that every
// question gets a non-empty, valid UTF-8 reply; also through Handle, whose
// reply parts stay within the configured size. The committed seed corpus is
// in testdata/fuzz/FuzzAsk (commands, bad input, HTML/SQL, invalid UTF-8).
func FuzzAsk(f *testing.F) {
	for _, seed := range []string{
		"中欧班列目标", "今年学校要建几所?", "中歐班列目標", "5G", "335+X产业倍增行动", "200列",
		"2023年中欧班列目标", "目录", "七力是哪七个", "数读", "第5部分", "第99部分", "详情1", "更多",
		"帮助", "统计", "", "\u3000", "😀", "?!。", "<script>alert(1)</script>", "'; DROP TABLE users; --",
		"\xff\xfe", "中欧班列\n目标",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, question string) {
		b := bot.New(searcher(t), memstore.New(), bot.Options{MaxReplyChars: 80, MaxReplyParts: 4,
			UserRate: bot.RateLimit{Burst: 1000, Per: 1}})
		a := b.Ask(context.Background(), question)
		if strings.TrimSpace(a.Text) == "" {
			t.Fatalf("Ask(%q): empty reply", question)
		}
		if !utf8.ValidString(a.Text) {
			t.Fatalf("Ask(%q): reply not valid UTF-8: %q", question, a.Text)
		}
		for _, m := range []bot.Message{
			{Chat: "张三", Sender: "张三", Text: question},
			{Chat: "测试群", Group: true, Mentioned: true, Sender: "张三", Text: question},
		} {
			replies := b.Handle(context.Background(), m)
			if len(replies) == 0 || len(replies) > 4 {
				t.Fatalf("Handle(%q): %d replies; want 1 to 4", question, len(replies))
			}
			for _, r := range replies {
				if strings.TrimSpace(r.Text) == "" || !utf8.ValidString(r.Text) || utf8.RuneCountInString(r.Text) > 80 {
					t.Fatalf("Handle(%q): bad reply part %q", question, r.Text)
				}
			}
		}
	})
}
