package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
	"github.com/reportbot/reportbot/store/memstore"
	"github.com/reportbot/reportbot/store/redisstore"
)

// The behaviour tests run once on the in-memory store and once on a Redis
// store backed by a real redis-server. The index of corpus.Default() and the
// redis-server are made once per test binary, on first use (a fuzzing
// worker never starts Redis).

var seedIndex = sync.OnceValues(func() (*index.Index, error) {
	reports, err := corpus.Default()
	if err != nil {
		return nil, err
	}
	return index.Build(context.Background(), reports, index.Options{})
})

func searcher(tb testing.TB) *index.Index {
	tb.Helper()
	ix, err := seedIndex()
	if err != nil {
		tb.Fatalf("build the index of corpus.Default(): %v", err)
	}
	return ix
}

var (
	redisOnce   sync.Once
	redisServer *redistest.Server
	redisDir    string
	redisErr    error
)

// sharedRedis is the redis-server of this test binary; every store opened on
// it gets its own key prefix, so tests never see each other's keys.
func sharedRedis(tb testing.TB) *redistest.Server {
	tb.Helper()
	redisOnce.Do(func() {
		redisDir, redisErr = os.MkdirTemp("", "bot-test-redis-")
		if redisErr == nil {
			redisServer, redisErr = redistest.StartServer(redisDir)
		}
	})
	if redisErr != nil {
		tb.Fatal(redisErr)
	}
	return redisServer
}

func TestMain(m *testing.M) {
	// go-redis writes each failed dial to stderr; the Redis failure test
	// checks the bot's own once-per-outage log instead.
	redisstore.RouteDriverLog(slog.New(slog.DiscardHandler))
	code := m.Run()
	if redisServer != nil {
		redisServer.Stop()
	}
	if redisDir != "" {
		os.RemoveAll(redisDir)
	}
	os.Exit(code)
}

var prefixes atomic.Int64

func openRedisStore(t *testing.T, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	srv := sharedRedis(t)
	prefix := fmt.Sprintf("bottest%d:", prefixes.Add(1))
	s, err := redisstore.Open(context.Background(), srv.URL(), append([]redisstore.Option{redisstore.WithPrefix(prefix)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type storeKind struct {
	name string
	open func(t *testing.T) bot.Store
}

var storeKinds = []storeKind{
	{"memstore", func(*testing.T) bot.Store { return memstore.New() }},
	{"redisstore", func(t *testing.T) bot.Store { return openRedisStore(t) }},
}

// behaviours are run against every store kind by TestBehaviour.
var behaviours = []struct {
	name string
	run  func(t *testing.T, open func(*testing.T) bot.Store)
}{
	{"PrivateAnswersEveryText", testPrivateAnswersEveryText},
	{"GroupNeedsMentionOrPrefix", testGroupNeedsMentionOrPrefix},
	{"GroupAllowlist", testGroupAllowlist},
	{"OwnMessagesIgnored", testOwnMessagesIgnored},
	{"NonText", testNonText},
	{"EmptyMentionGetsShortHelp", testEmptyMentionGetsShortHelp},
	{"Help", testHelp},
	{"MoreWalksTheHits", testMoreWalksTheHits},
	{"Detail", testDetail},
	{"FollowUpsNeedAQuestion", testFollowUpsNeedAQuestion},
	{"SessionsPerSender", testSessionsPerSender},
	{"Outline", testOutline},
	{"Highlights", testHighlights},
	{"Section", testSection},
	{"AdminCommandsRefused", testAdminCommandsRefused},
	{"AdminByRemarkNotDisplayName", testAdminByRemarkNotDisplayName},
	{"Stats", testStats},
	{"Reload", testReload},
	{"Subscribe", testSubscribe},
	{"DuplicateMessage", testDuplicateMessage},
	{"TwoBotsOneStore", testTwoBotsOneStore},
	{"UserRateLimit", testUserRateLimit},
	{"GroupRateLimit", testGroupRateLimit},
	{"ReplySplitting", testReplySplitting},
	{"BadInput", testBadInput},
	{"NotFound", testNotFound},
	{"Concurrent", testConcurrent},
}

func TestBehaviour(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			for _, b := range behaviours {
				t.Run(b.name, func(t *testing.T) {
					t.Parallel()
					b.run(t, kind.open)
				})
			}
		})
	}
}

// newBot is a bot on the seed index. Unless the test sets them, rate limits
// are out of the way: the default (5 a minute) would throttle a test's
// questions.
func newBot(t *testing.T, store bot.Store, opts bot.Options) *bot.Bot {
	t.Helper()
	if opts.UserRate.Burst == 0 {
		opts.UserRate = bot.RateLimit{Burst: 10000, Per: time.Millisecond}
	}
	if opts.GroupRate.Burst == 0 {
		opts.GroupRate = bot.RateLimit{Burst: 10000, Per: time.Millisecond}
	}
	return bot.New(searcher(t), store, opts)
}

var msgIDs atomic.Int64

func nextID() string { return "m" + strconv.FormatInt(msgIDs.Add(1), 10) }

// private is a private message from a contact the operator knows under the
// sender's name (its remark name).
func private(sender, text string) bot.Message {
	return bot.Message{ID: nextID(), Chat: sender, Sender: sender, SenderRemark: sender, Text: text, Kind: bot.KindText}
}

// mention is a group message @-mentioning the bot (the transport has already
// removed the @name from the text), from a contact the operator knows under
// the sender's name.
func mention(group, sender, text string) bot.Message {
	return bot.Message{ID: nextID(), Chat: group, Group: true, Sender: sender, SenderRemark: sender, Text: text, Mentioned: true, Kind: bot.KindText}
}

func groupText(group, sender, text string) bot.Message {
	return bot.Message{ID: nextID(), Chat: group, Group: true, Sender: sender, Text: text, Kind: bot.KindText}
}

// handle sends m and checks what every reply must be: addressed to m's chat,
// non-empty, valid UTF-8.
func handle(t *testing.T, b *bot.Bot, m bot.Message) []bot.Reply {
	t.Helper()
	replies := b.Handle(context.Background(), m)
	for i, r := range replies {
		if r.Chat != m.Chat || r.Group != m.Group {
			t.Errorf("%q: reply %d goes to chat %q (group %v); want %q (group %v)", m.Text, i, r.Chat, r.Group, m.Chat, m.Group)
		}
		if strings.TrimSpace(r.Text) == "" || !utf8.ValidString(r.Text) {
			t.Errorf("%q: reply %d is empty or not valid UTF-8: %q", m.Text, i, r.Text)
		}
	}
	return replies
}

// one sends m and wants exactly one reply; it returns its text.
func one(t *testing.T, b *bot.Bot, m bot.Message) string {
	t.Helper()
	replies := handle(t, b, m)
	if len(replies) != 1 {
		t.Fatalf("%q: %d replies; want 1: %q", m.Text, len(replies), texts(replies))
	}
	return replies[0].Text
}

// whole sends m and returns all reply parts joined, without their (i/n) marks.
func whole(t *testing.T, b *bot.Bot, m bot.Message) string {
	t.Helper()
	replies := handle(t, b, m)
	if len(replies) == 0 {
		t.Fatalf("%q: no reply", m.Text)
	}
	var s strings.Builder
	for _, r := range replies {
		s.WriteString(partMark.ReplaceAllString(r.Text, ""))
	}
	return s.String()
}

var partMark = regexp.MustCompile(`^\((\d+)/(\d+)\)`)

func texts(replies []bot.Reply) []string {
	out := make([]string, len(replies))
	for i, r := range replies {
		out[i] = r.Text
	}
	return out
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// manyHits is a question the seed answers with several sentences.
const manyHits = "营商环境"

func testPrivateAnswersEveryText(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	for question, want := range map[string]string{
		"中欧班列目标": "全年到发200列以上",
		"新增床位":   "新增床位800张",
		"5G":     "5G",
	} {
		text := one(t, b, private("张三", question))
		mustContain(t, question, text, want, "出处:《")
	}
}

func testGroupNeedsMentionOrPrefix(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{Prefix: "小报"})
	mustContain(t, "@ question", one(t, b, mention("测试群", "张三", "中欧班列目标")), "200列以上")
	mustContain(t, "prefixed question", one(t, b, groupText("测试群", "张三", "小报 中欧班列目标")), "200列以上")
	mustContain(t, "prefixed question without a space", one(t, b, groupText("测试群", "张三", "小报中欧班列目标")), "200列以上")
	for _, text := range []string{"中欧班列目标", "问小报中欧班列目标", "帮助", "更多"} {
		if r := handle(t, b, groupText("测试群", "张三", text)); len(r) != 0 {
			t.Errorf("group message %q without @ or prefix got %q; want silence", text, texts(r))
		}
	}
	// Without a configured prefix only an @ counts.
	plain := newBot(t, open(t), bot.Options{})
	if r := handle(t, plain, groupText("测试群", "张三", "小报 中欧班列目标")); len(r) != 0 {
		t.Errorf("no prefix configured, yet answered %q", texts(r))
	}
}

func testGroupAllowlist(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{Groups: []string{"测试群"}, Prefix: "小报"})
	mustContain(t, "allowed group", one(t, b, mention("测试群", "张三", "中欧班列目标")), "200列以上")
	for _, m := range []bot.Message{
		mention("闲聊群", "张三", "中欧班列目标"),
		groupText("闲聊群", "张三", "小报 中欧班列目标"),
		mention("闲聊群", "张三", ""),
	} {
		if r := handle(t, b, m); len(r) != 0 {
			t.Errorf("group outside the allowlist got %q", texts(r))
		}
	}
	// The allowlist is about groups: private chats are still answered.
	mustContain(t, "private chat", one(t, b, private("李四", "中欧班列目标")), "200列以上")
}

func testOwnMessagesIgnored(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	for _, m := range []bot.Message{private("张三", "中欧班列目标"), mention("测试群", "reportbot", "中欧班列目标"), private("张三", "帮助")} {
		m.FromSelf = true
		if r := handle(t, b, m); len(r) != 0 {
			t.Errorf("own message %q answered: %q", m.Text, texts(r))
		}
	}
}

func testNonText(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	for _, kind := range []bot.Kind{bot.KindImage, bot.KindVoice, bot.KindFile, bot.KindLink, bot.KindOther} {
		g := mention("测试群", "张三", "")
		g.Kind = kind
		if r := handle(t, b, g); len(r) != 0 {
			t.Errorf("kind %d in a group got %q; want silence", kind, texts(r))
		}
		p := private("张三", "")
		p.Kind = kind
		hint := one(t, b, p)
		if strings.Contains(hint, "\n") {
			t.Errorf("kind %d in private: hint is not one line: %q", kind, hint)
		}
		mustContain(t, "non-text hint", hint, "文字")
	}
}

func testEmptyMentionGetsShortHelp(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{Name: "小报"})
	for _, text := range []string{"", "  ", "\u3000", "\u2005", "\n"} {
		help := one(t, b, mention("测试群", "张三", text))
		mustContain(t, fmt.Sprintf("@ with %q", text), help, "小报", "帮助")
		if n := utf8.RuneCountInString(help); n > 120 {
			t.Errorf("short help is %d characters: %q", n, help)
		}
	}
}

func testHelp(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}})
	for _, cmd := range []string{"帮助", " 帮助! ", "help"} {
		help := one(t, b, private("张三", cmd))
		mustContain(t, cmd, help, "更多", "详情1", "目录", "数读", "第N部分")
		if strings.Contains(help, "统计") {
			t.Errorf("help for a non-admin lists admin commands:\n%s", help)
		}
	}
	mustContain(t, "admin help", one(t, b, private("管理员甲", "帮助")), "统计", "重载")
}

func testMoreWalksTheHits(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	hits := b.Ask(context.Background(), manyHits).Hits
	if len(hits) < 2 {
		t.Fatalf("%s has %d hits; the test needs a question with several", manyHits, len(hits))
	}
	first := one(t, b, private("张三", manyHits))
	mustContain(t, "first answer", first, hits[0].Sentence.Text, "更多")
	seen := []string{first}
	for i := 1; i < len(hits); i++ {
		next := one(t, b, private("张三", "更多"))
		mustContain(t, fmt.Sprintf("更多 #%d", i), next, hits[i].Sentence.Text, fmt.Sprintf("第%d条", i+1))
		if slices.Contains(seen, next) {
			t.Errorf("更多 #%d repeated an answer:\n%s", i, next)
		}
		seen = append(seen, next)
	}
	for _, cmd := range []string{"更多", "更多更多", "更多 更多!"} {
		mustContain(t, cmd+" past the last hit", one(t, b, private("张三", cmd)), "没有更多")
	}
	// A new question starts over.
	mustContain(t, "new question", one(t, b, private("张三", "中欧班列目标")), "200列以上")
	mustContain(t, "更多 after a one-hit question", one(t, b, private("张三", "更多")), "没有更多")
}

func testDetail(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{MaxReplyChars: 5000})
	hits := b.Ask(context.Background(), manyHits).Hits
	one(t, b, private("张三", manyHits))
	sentence := hits[0].Sentence
	for _, cmd := range []string{"详情1", "详情 1", "详情一", "详情"} {
		detail := one(t, b, private("张三", cmd))
		mustContain(t, cmd, detail, sentence.Text, sentence.Paragraph.Text, "出处:《")
		if utf8.RuneCountInString(detail) <= utf8.RuneCountInString(sentence.Text) {
			t.Errorf("%s is not longer than the answer sentence:\n%s", cmd, detail)
		}
	}
	mustContain(t, "详情2", one(t, b, private("张三", "详情2")), hits[1].Sentence.Paragraph.Text)
	for _, cmd := range []string{"详情9", "详情0", "详情-1", "详情 -1", "详情－1", "详情一百"} {
		n := strings.TrimSpace(strings.NewReplacer("详情", "", "－", "-").Replace(cmd))
		mustContain(t, cmd, one(t, b, private("张三", cmd)), "没有第"+n+"条", fmt.Sprintf("详情%d", len(hits)))
	}
	// With a single answer there is no range to offer.
	one(t, b, private("张三", "中欧班列目标"))
	single := one(t, b, private("张三", "详情2"))
	mustContain(t, "详情2 after a one-answer question", single, "没有第2条", "只有1条", "详情1")
	if strings.Contains(single, "到“详情1”") {
		t.Errorf("详情2 offers a range of one: %q", single)
	}
}

func testFollowUpsNeedAQuestion(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	for _, cmd := range []string{"更多", "详情1", "详情9"} {
		mustContain(t, cmd+" without a question", one(t, b, private("新人", cmd)), "请先提一个问题")
	}
	// A question the reports do not cover leaves nothing to follow up.
	one(t, b, private("新人", "天气预报"))
	mustContain(t, "详情 after not-found", one(t, b, private("新人", "详情1")), "请先提一个问题")
	mustContain(t, "更多 after not-found", one(t, b, private("新人", "更多")), "没有更多")
}

func testSessionsPerSender(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	one(t, b, mention("测试群", "张三", manyHits))
	// Someone else in the same group, and 张三 in another chat, have no session.
	mustContain(t, "other sender", one(t, b, mention("测试群", "李四", "更多")), "请先提一个问题")
	mustContain(t, "other chat", one(t, b, private("张三", "更多")), "请先提一个问题")
	mustContain(t, "asker", one(t, b, mention("测试群", "张三", "更多")), "第2条")
}

var sevenParts = []string{"引领力", "支撑力", "新动力", "竞争力", "影响力", "承载力", "向心力"}

func testOutline(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	for _, cmd := range []string{"目录", "七力是哪七个", "报告有哪几个部分"} {
		text := whole(t, b, private("张三", cmd))
		mustContain(t, cmd, text, sevenParts...)
		last := -1
		for _, p := range sevenParts {
			if i := strings.Index(text, p); i < last {
				t.Errorf("%s lists %s out of order:\n%s", cmd, p, text)
			} else {
				last = i
			}
		}
	}
}

func testHighlights(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	for _, cmd := range []string{"数读", "目标"} {
		mustContain(t, cmd, whole(t, b, private("张三", cmd)), "200列以上", "20%以上")
	}
}

func testSection(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{MaxReplyChars: 5000})
	leads := sectionLeads(t, "影响力")
	if len(leads) == 0 {
		t.Fatal("the seed's 影响力 section has no item leads")
	}
	for _, cmd := range []string{"第5部分", "第五部分", "第 5 部分"} {
		text := one(t, b, private("张三", cmd))
		mustContain(t, cmd, text, append([]string{"影响力"}, leads...)...)
		for _, other := range []string{"引领力", "向心力"} {
			if strings.Contains(text, other) {
				t.Errorf("%s speaks of %s:\n%s", cmd, other, text)
			}
		}
	}
	for _, cmd := range []string{"第99部分", "第0部分", "第八部分", "第一百部分", "第-1部分", "第 -5 部分"} {
		text := one(t, b, private("张三", cmd))
		mustContain(t, cmd, text, "没有第", "目录")
		if strings.Contains(text, "影响力") || strings.Contains(text, "引领力") {
			t.Errorf("%s shows a part:\n%s", cmd, text)
		}
	}
}

// sectionLeads are the item leads under the seed's section of that name.
func sectionLeads(t *testing.T, name string) []string {
	t.Helper()
	reports, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	var leads []string
	var walk func(*corpus.Section)
	walk = func(s *corpus.Section) {
		for _, p := range s.Paragraphs {
			if p.Lead != "" {
				leads = append(leads, p.Lead)
			}
		}
		for _, c := range s.Children {
			walk(c)
		}
	}
	for _, s := range reports[0].Sections {
		if s.Name == name {
			walk(s)
			break
		}
	}
	return leads
}

var adminCommands = []string{"统计", "重载", "订阅", "退订", "今日推送预览"}

func testAdminCommandsRefused(t *testing.T, open func(*testing.T) bot.Store) {
	digest := &recordingDigest{}
	b := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}, Digest: digest,
		Reload: func(context.Context) (bot.Searcher, error) {
			t.Error("重载 ran for a non-admin")
			return nil, errors.New("no")
		}})
	for _, cmd := range adminCommands {
		mustContain(t, cmd+" by a non-admin", one(t, b, private("张三", cmd)), "管理员")
		mustContain(t, cmd+" by a non-admin in a group", one(t, b, mention("测试群", "张三", cmd)), "管理员")
	}
	if calls := digest.calls(); len(calls) != 0 {
		t.Errorf("digest called for a non-admin: %q", calls)
	}
}

// An admin's display name on a sender the operator does not know under that
// remark name gives no rights: display names are anyone's to choose.
func testAdminByRemarkNotDisplayName(t *testing.T, open func(*testing.T) bot.Store) {
	digest := &recordingDigest{}
	b := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}, Digest: digest,
		Reload: func(context.Context) (bot.Searcher, error) {
			t.Error("重载 ran for an impersonator")
			return nil, errors.New("no")
		}})
	for _, remark := range []string{"", "李四"} {
		for _, cmd := range adminCommands {
			m := mention("测试群", "管理员甲", cmd)
			m.SenderRemark = remark
			mustContain(t, fmt.Sprintf("%s by a member named 管理员甲 (remark %q)", cmd, remark), one(t, b, m), "只有管理员")
			p := private("管理员甲", cmd)
			p.SenderRemark = remark
			mustContain(t, fmt.Sprintf("%s in private from 管理员甲 (remark %q)", cmd, remark), one(t, b, p), "只有管理员")
		}
	}
	if calls := digest.calls(); len(calls) != 0 {
		t.Errorf("digest called for an impersonator: %q", calls)
	}
	// The admin's remark works whatever the display name.
	m := mention("测试群", "随便什么昵称", "统计")
	m.SenderRemark = "管理员甲"
	mustContain(t, "统计 by the admin under another display name", one(t, b, m), "统计】")
}

func testStats(t *testing.T, open func(*testing.T) bot.Store) {
	// A fixed clock: the test never straddles midnight.
	clock := testkit.NewClock(time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC))
	b := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}, Clock: clock, Location: time.UTC})
	for _, q := range []string{"中欧班列目标", "中欧班列目标", "天气预报", "新增床位"} {
		one(t, b, private("张三", q))
	}
	// Commands are not questions.
	one(t, b, private("张三", "目录"))
	one(t, b, private("张三", "更多"))
	stats := one(t, b, private("管理员甲", "统计"))
	mustContain(t, "统计", stats, "2025-03-05", "提问4次", "答到3次", "没找到1次", "中欧班列目标(2次)", "最近没答上的", "天气预报")
}

// miniReport is a small second corpus for 重载.
func miniReport(t *testing.T) *index.Index {
	t.Helper()
	r, err := corpus.Parse("mini.txt", []byte("兰州新区小火车报告\n\n全年建成小火车站3座以上。小火车线路年内通车。\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(context.Background(), []*corpus.Report{r}, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func testReload(t *testing.T, open func(*testing.T) bot.Store) {
	mini := miniReport(t)
	reloads := 0
	b := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}, Reload: func(context.Context) (bot.Searcher, error) {
		reloads++
		return mini, nil
	}})
	mustContain(t, "before 重载", one(t, b, private("张三", "中欧班列目标")), "200列以上")
	done := one(t, b, private("管理员甲", "重载"))
	mustContain(t, "重载", done, "已重载:共1份报告", "新增1份:《兰州新区小火车报告》", "移除1份")
	if reloads != 1 || b.Searcher() != bot.Searcher(mini) {
		t.Fatalf("after 重载: %d reloads, searcher %T; want 1 and the new index", reloads, b.Searcher())
	}
	mustContain(t, "after 重载", one(t, b, private("张三", "小火车站建几座")), "3座以上", "《兰州新区小火车报告》")
	mustContain(t, "old question after 重载", one(t, b, private("张三", "新增床位")), "没有找到")

	// A failed 重载 shows a short Chinese reason; the log keeps the detail.
	logs := &testkit.LogBuffer{}
	var reloadErr error
	failing := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Reload: func(context.Context) (bot.Searcher, error) { return nil, reloadErr }})
	reloadErr = errors.New("open /srv/secret/reports: permission denied")
	failed := one(t, failing, private("管理员甲", "重载"))
	mustContain(t, "failed 重载", failed, "重载失败", "仍使用原来的报告", "日志")
	if strings.Contains(failed, "/srv") || regexp.MustCompile(`[A-Za-z]{3,}`).MatchString(failed) {
		t.Errorf("failed 重载 shows the error's detail in chat: %q", failed)
	}
	mustContain(t, "log of a failed 重载", logs.String(), "/srv/secret/reports: permission denied")
	reloadErr = &bot.ReloadError{Reason: "报告目录里没有可读的报告", Err: errors.New("no readable report in /srv/secret")}
	failed = one(t, failing, private("管理员甲", "重载"))
	mustContain(t, "failed 重载 with a reason", failed, "报告目录里没有可读的报告")
	if strings.Contains(failed, "/srv") {
		t.Errorf("failed 重载 shows the path: %q", failed)
	}
	mustContain(t, "after a failed 重载", one(t, failing, private("张三", "中欧班列目标")), "200列以上")

	none := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}})
	mustContain(t, "重载 without Reload", one(t, none, private("管理员甲", "重载")), "不支持重载")

	// Many reports changed: counted, a few named, never all.
	var titles []string
	for i := range 40 {
		titles = append(titles, fmt.Sprintf("第%d号报告", i))
	}
	many := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}, Reload: func(context.Context) (bot.Searcher, error) {
		return changedSearcher{mini, titles}, nil
	}})
	reply := one(t, many, private("管理员甲", "重载"))
	mustContain(t, "重载 of many", reply, "更新40份", "《第0号报告》", "等40份")
	if strings.Contains(reply, "第39号报告") {
		t.Errorf("重载 lists every changed report: %q", reply)
	}
	unchanged := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}, Reload: func(context.Context) (bot.Searcher, error) {
		return changedSearcher{mini, nil}, nil
	}})
	mustContain(t, "重载 of nothing changed", one(t, unchanged, private("管理员甲", "重载")), "没有变化")
}

// changedSearcher is a searcher whose reload changed the given reports.
type changedSearcher struct {
	*index.Index
	changed []string
}

func (c changedSearcher) ReloadChanges() (added, changed, removed []string, ok bool) {
	return nil, c.changed, nil, true
}

// recordingDigest is a bot.DigestControl that records what the bot asked of
// it: the digest service is another part's, consumed through this interface.
type recordingDigest struct {
	mu  sync.Mutex
	log []string
	err error
}

func (d *recordingDigest) record(call string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log = append(d.log, call)
	return d.err
}

func (d *recordingDigest) calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.log)
}

func (d *recordingDigest) Subscribe(_ context.Context, group string) error {
	return d.record("subscribe " + group)
}

func (d *recordingDigest) Unsubscribe(_ context.Context, group string) error {
	return d.record("unsubscribe " + group)
}

func (d *recordingDigest) Preview(_ context.Context, day time.Time) (string, error) {
	if err := d.record("preview " + day.Format(time.DateOnly)); err != nil {
		return "", err
	}
	return "今日一读:中欧班列全年到发200列以上。", nil
}

func testSubscribe(t *testing.T, open func(*testing.T) bot.Store) {
	digest := &recordingDigest{}
	clock := testkit.NewClock(time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC))
	b := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}, Digest: digest, Clock: clock, Location: time.UTC})
	mustContain(t, "订阅 in a group", one(t, b, mention("测试群", "管理员甲", "订阅")), "已订阅")
	mustContain(t, "退订 in a group", one(t, b, mention("测试群", "管理员甲", "退订")), "已退订")
	mustContain(t, "订阅 in private", one(t, b, private("管理员甲", "订阅")), "请在要订阅的群里发送")
	mustContain(t, "今日推送预览", one(t, b, private("管理员甲", "今日推送预览")), "今日一读")
	want := []string{"subscribe 测试群", "unsubscribe 测试群", "preview 2025-03-05"}
	if got := digest.calls(); !slices.Equal(got, want) {
		t.Errorf("digest calls %q; want %q", got, want)
	}

	digest.err = errors.New("redis down")
	mustContain(t, "failed 订阅", one(t, b, mention("测试群", "管理员甲", "订阅")), "失败")

	unconfigured := newBot(t, open(t), bot.Options{Admins: []string{"管理员甲"}})
	for _, cmd := range []string{"订阅", "今日推送预览"} {
		mustContain(t, cmd+" without a digest", one(t, unconfigured, mention("测试群", "管理员甲", cmd)), "没有配置")
	}
}

func testDuplicateMessage(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	m := private("张三", "中欧班列目标")
	one(t, b, m)
	if r := handle(t, b, m); len(r) != 0 {
		t.Errorf("the same message ID answered twice: %q", texts(r))
	}
	// Another message with the same text is a new question.
	one(t, b, private("张三", "中欧班列目标"))
	// Without an ID nothing is de-duplicated.
	m.ID = ""
	one(t, b, m)
	one(t, b, m)
}

// exactlyOneAnswers delivers the same message to all bots at once, rounds
// times, and wants exactly one of them to answer each time.
func exactlyOneAnswers(t *testing.T, bots []*bot.Bot, rounds int) {
	t.Helper()
	for round := range rounds {
		m := mention("测试群", "张三", "中欧班列目标")
		if n := answeredBy(bots, m); n != 1 {
			t.Errorf("round %d: %d of %d bots answered one message; want exactly 1", round, n, len(bots))
		}
	}
}

func testTwoBotsOneStore(t *testing.T, open func(*testing.T) bot.Store) {
	store := open(t)
	bots := []*bot.Bot{newBot(t, store, bot.Options{}), newBot(t, store, bot.Options{})}
	exactlyOneAnswers(t, bots, 5)
}

const rateNotice = "提问太频繁了,请稍后再问。"

func testUserRateLimit(t *testing.T, open func(*testing.T) bot.Store) {
	clock := testkit.NewClock(time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC))
	b := newBot(t, open(t), bot.Options{Clock: clock, UserRate: bot.RateLimit{Burst: 2, Per: time.Hour}})
	for i := range 2 {
		mustContain(t, fmt.Sprintf("question %d", i+1), one(t, b, private("张三", "中欧班列目标")), "200列以上")
	}
	if got := one(t, b, private("张三", "中欧班列目标")); got != rateNotice {
		t.Errorf("3rd question: %q; want the notice %q", got, rateNotice)
	}
	for i := range 3 {
		if r := handle(t, b, private("张三", "中欧班列目标")); len(r) != 0 {
			t.Errorf("question %d of a flood: %q; want silence", i+4, texts(r))
		}
	}
	// Others are not throttled by 张三's flood.
	mustContain(t, "another sender", one(t, b, private("李四", "中欧班列目标")), "200列以上")

	clock.Advance(time.Hour + time.Second)
	mustContain(t, "after the bucket refilled", one(t, b, private("张三", "中欧班列目标")), "200列以上")
	if got := one(t, b, private("张三", "中欧班列目标")); got != rateNotice {
		t.Errorf("flooding again: %q; want the notice again", got)
	}
}

func testGroupRateLimit(t *testing.T, open func(*testing.T) bot.Store) {
	clock := testkit.NewClock(time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC))
	b := newBot(t, open(t), bot.Options{Clock: clock, GroupRate: bot.RateLimit{Burst: 2, Per: time.Hour}})
	one(t, b, mention("测试群", "甲", "中欧班列目标"))
	one(t, b, mention("测试群", "乙", "中欧班列目标"))
	if got := one(t, b, mention("测试群", "丙", "中欧班列目标")); got != rateNotice {
		t.Errorf("3rd question in the group: %q; want the notice", got)
	}
	if r := handle(t, b, mention("测试群", "丁", "中欧班列目标")); len(r) != 0 {
		t.Errorf("4th question in the group: %q; want silence", texts(r))
	}
	mustContain(t, "another group", one(t, b, mention("别的群", "丁", "中欧班列目标")), "200列以上")
	clock.Advance(time.Hour + time.Second)
	mustContain(t, "after refill", one(t, b, mention("测试群", "丁", "中欧班列目标")), "200列以上")
}

func testReplySplitting(t *testing.T, open func(*testing.T) bot.Store) {
	// 详情1 of the first answer, unsplit, as a chat with room for it gets it.
	wide := newBot(t, memstore.New(), bot.Options{MaxReplyChars: 100000})
	one(t, wide, private("张三", manyHits))
	full := one(t, wide, private("张三", "详情1"))
	for _, tc := range []struct {
		chars, parts int
	}{{60, 0}, {60, 5}, {80, 2}, {25, 3}, {200, 10}} {
		b := newBot(t, open(t), bot.Options{MaxReplyChars: tc.chars, MaxReplyParts: tc.parts})
		maxParts := tc.parts
		if maxParts == 0 {
			maxParts = 3 // the default
		}
		who := fmt.Sprintf("张三%d-%d", tc.chars, tc.parts)
		handle(t, b, private(who, manyHits))
		replies := handle(t, b, private(who, "详情1"))
		if len(replies) < 2 {
			t.Fatalf("limit %d: 详情1 (%d characters) came as %d part(s)", tc.chars, utf8.RuneCountInString(full), len(replies))
		}
		if len(replies) > maxParts {
			t.Errorf("limit %d characters, %d parts: got %d parts", tc.chars, maxParts, len(replies))
		}
		var joined strings.Builder
		for i, r := range replies {
			if n := utf8.RuneCountInString(r.Text); n > tc.chars {
				t.Errorf("limit %d: part %d has %d characters: %q", tc.chars, i+1, n, r.Text)
			}
			if !utf8.ValidString(r.Text) || strings.ContainsRune(r.Text, utf8.RuneError) {
				t.Errorf("limit %d: part %d cut inside a character: %q", tc.chars, i+1, r.Text)
			}
			m := partMark.FindStringSubmatch(r.Text)
			if m == nil || m[1] != strconv.Itoa(i+1) || m[2] != strconv.Itoa(len(replies)) {
				t.Errorf("limit %d: part %d is not marked (%d/%d): %q", tc.chars, i+1, i+1, len(replies), r.Text)
			}
			joined.WriteString(partMark.ReplaceAllString(r.Text, ""))
		}
		// The parts say the reply in order, losing nothing but line breaks
		// at the cuts, up to where a reply too long for the parts stops.
		got, _, truncated := strings.Cut(joined.String(), "……(内容较长")
		flat, fullFlat := strings.ReplaceAll(got, "\n", ""), strings.ReplaceAll(full, "\n", "")
		switch {
		case truncated && !strings.HasPrefix(fullFlat, flat):
			t.Errorf("limit %d: truncated parts are not the start of the reply:\n%s", tc.chars, joined.String())
		case !truncated && flat != fullFlat:
			t.Errorf("limit %d: parts do not spell the reply:\n%s\nwant\n%s", tc.chars, joined.String(), full)
		}
	}
}

func testBadInput(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	for _, tc := range []struct {
		name, text string
		want       string // a substring of the reply
	}{
		{"empty", "", "帮助"},
		{"spaces", "   \t ", "帮助"},
		{"ideographic spaces", "\u3000\u3000", "帮助"},
		{"zero-width", "\u200b\ufeff", "帮助"},
		{"10000 characters", string([]rune(strings.Repeat("中欧班列目标", 1667))[:10000]), "太长"},
		{"10000 ASCII characters", strings.Repeat("a", 10000), "太长"},
		{"emoji only", "😀🎉👍🏻", "没看懂"},
		{"punctuation only", "?!。,,…——“”", "没看懂"},
		{"html", "<script>alert(1)</script>", "没有找到"},
		{"sql", "'; DROP TABLE users; --", "没有找到"},
		{"invalid UTF-8", "\xff\xfe\xfd", "帮助"},
		{"invalid UTF-8 around a question", "\xff中欧班列\xfe目标\xfd", "200列以上"},
		{"newlines", "中欧班列\n目标\n", "200列以上"},
		{"control characters", "中欧班列\x00目标\x1b", "200列以上"},
		{"not covered", "天气预报", "没有找到"},
	} {
		text := one(t, b, private("张三", tc.text))
		if !strings.Contains(text, tc.want) {
			t.Errorf("%s: reply lacks %q:\n%s", tc.name, tc.want, text)
		}
		ask := b.Ask(context.Background(), tc.text)
		if strings.TrimSpace(ask.Text) == "" || !utf8.ValidString(ask.Text) {
			t.Errorf("%s: Ask returned %q", tc.name, ask.Text)
		}
	}
}

func testNotFound(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	for _, q := range []string{"天气预报", "股票行情", "世界杯冠军是谁"} {
		a := b.Ask(context.Background(), q)
		if len(a.Hits) != 0 || len(a.Results) != 0 {
			t.Errorf("%s: %d hits; want none", q, len(a.Hits))
		}
		mustContain(t, q, a.Text, "没有找到", "目录", q)
		mustContain(t, q+" in chat", one(t, b, private("张三", q)), "没有找到", "目录")
	}
}

// testConcurrent sends many messages at once from several people (for the
// race detector); each gets its answer.
func testConcurrent(t *testing.T, open func(*testing.T) bot.Store) {
	b := newBot(t, open(t), bot.Options{})
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			who := fmt.Sprintf("用户%d", i)
			for _, q := range []string{"中欧班列目标", "更多", manyHits, "更多", "详情1", "目录"} {
				if r := b.Handle(context.Background(), private(who, q)); len(r) == 0 {
					t.Errorf("%s: %s got no reply", who, q)
				}
			}
		})
	}
	wg.Wait()
}

// TestAskIsStateless: Ask answers like a chat, with nothing remembered.
func TestAskIsStateless(t *testing.T) {
	b := newBot(t, memstore.New(), bot.Options{})
	a := b.Ask(context.Background(), "中欧班列目标")
	if len(a.Hits) == 0 || len(a.Results) != len(a.Hits) {
		t.Fatalf("Ask: %d hits, %d results", len(a.Hits), len(a.Results))
	}
	r := a.Results[0]
	if r.Text != a.Hits[0].Sentence.Text || r.Section == "" || r.Report == "" || !slices.Contains(r.Figures, "200列以上") {
		t.Errorf("result %+v does not mirror the top hit", r)
	}
	mustContain(t, "Ask reply", a.Text, "【", "全年到发200列以上", "数据:", "出处:《", "兰州新区报", "2022-01-14")
	if utf8.RuneCountInString(a.Text) > 600 {
		t.Errorf("first answer is %d characters; want under 600", utf8.RuneCountInString(a.Text))
	}
	mustContain(t, "更多 after Ask", b.Ask(context.Background(), "更多").Text, "请先提一个问题")
}

// TestAnswerMetricsCountChatOnly: OnAnswer (the chat answer metrics) sees
// chat questions, not one-off questions (reportbot ask, /api/ask), so the
// not-found ratio is the chat users'.
func TestAnswerMetricsCountChatOnly(t *testing.T) {
	var found, notFound atomic.Int64
	b := newBot(t, memstore.New(), bot.Options{OnAnswer: func(ok bool, _ time.Duration) {
		if ok {
			found.Add(1)
		} else {
			notFound.Add(1)
		}
	}})
	for _, q := range []string{"中欧班列目标", "天气预报", "新增床位多少"} {
		b.Ask(context.Background(), q)
	}
	if found.Load() != 0 || notFound.Load() != 0 {
		t.Errorf("one-off questions observed: %d found, %d not found; want none", found.Load(), notFound.Load())
	}
	one(t, b, private("张三", "中欧班列目标"))
	one(t, b, private("张三", "天气预报"))
	if found.Load() != 1 || notFound.Load() != 1 {
		t.Errorf("chat questions observed: %d found, %d not found; want 1 and 1", found.Load(), notFound.Load())
	}
}

// TestQuestionSets scores what users get, Ask's results and reply text,
// the way ../shared/eval/score.py scores `reportbot ask --json`: the shared
// dev set must reach issue 2's bar, our own wider set (structure questions
// included) 95 % hit@1 and 90 % not-found.
func TestQuestionSets(t *testing.T) {
	b := newBot(t, memstore.New(), bot.Options{})
	dev := scoreQuestions(t, b, "../testdata/questions/dev.jsonl")
	if dev.hit1*24 < dev.n*23 || dev.hit3 != dev.n || dev.fig1*12 < dev.figs*11 || dev.noneOK != dev.nones {
		t.Errorf("dev set: %+v; want hit@1 ≥ 23/24, hit@3 all, figures@1 ≥ 11/12, not-found all", dev)
	}
	own := scoreQuestions(t, b, "../testdata/questions/tuning-lanzhou.jsonl")
	if own.n == 0 || own.nones == 0 || own.outlines == 0 {
		t.Fatalf("own set: %+v; want answerable, outline and not-found questions", own)
	}
	if own.hit1*100 < own.n*95 || own.noneOK*100 < own.nones*90 {
		t.Errorf("own set: %+v; want hit@1 ≥ 95%%, not-found ≥ 90%%", own)
	}
}

type setScore struct {
	n, hit1, hit3, figs, fig1, nones, noneOK, outlines int
}

var scoreSpace = regexp.MustCompile(`[\s\x{00a0}\x{3000}]+`)

func scoreNorm(s string) string { return scoreSpace.ReplaceAllString(s, "") }

func scoreQuestions(t *testing.T, b *bot.Bot, path string) setScore {
	t.Helper()
	var s setScore
	for _, c := range testkit.ReadQuestions(t, path) {
		a := b.Ask(context.Background(), c.Q)
		var texts []string
		for _, r := range a.Results {
			texts = append(texts, scoreNorm(r.Text))
		}
		switch {
		case c.None:
			s.nones++
			if len(a.Results) == 0 {
				s.noneOK++
			} else {
				t.Logf("miss %s: want not-found, got %q", c.Q, a.Results[0].Text)
			}
			continue
		case len(c.WantAll) > 0:
			s.n++
			s.outlines++
			blob := scoreNorm(a.Text) + strings.Join(texts, "")
			ok := true
			for _, w := range c.WantAll {
				ok = ok && strings.Contains(blob, scoreNorm(w))
			}
			if ok {
				s.hit1++
				s.hit3++
			} else {
				t.Logf("miss %s: answer lacks some of %v", c.Q, c.WantAll)
			}
			continue
		}
		s.n++
		in := func(text string) bool {
			for _, w := range c.Want {
				if strings.Contains(text, scoreNorm(w)) {
					return true
				}
			}
			return false
		}
		if len(texts) > 0 && in(texts[0]) {
			s.hit1++
		} else {
			t.Logf("miss %s: top answer %q", c.Q, firstOf(texts))
		}
		for _, text := range texts[:min(3, len(texts))] {
			if in(text) {
				s.hit3++
				break
			}
		}
		if c.Fig != "" {
			s.figs++
			if len(a.Results) > 0 && slices.ContainsFunc(a.Results[0].Figures, func(f string) bool {
				return strings.Contains(scoreNorm(f), scoreNorm(c.Fig))
			}) {
				s.fig1++
			}
		}
	}
	t.Logf("%s: %+v", path, s)
	return s
}

func firstOf(texts []string) string {
	if len(texts) == 0 {
		return "(nothing)"
	}
	return texts[0]
}

// TestEveryAnswerNamesItsReport: with two reports, an answer says which one
// it comes from, and a year in the question picks the report.
func TestEveryAnswerNamesItsReport(t *testing.T) {
	seed, err := os.ReadFile("../corpus/reports/2022-lanzhou-xinqu-work-report.txt")
	if err != nil {
		t.Fatal(err)
	}
	r22, err := corpus.Parse("report-2022.txt", seed)
	if err != nil {
		t.Fatal(err)
	}
	r23, err := corpus.Parse("report-2023.txt", []byte(strings.ReplaceAll(string(seed), "2022", "2023")))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(context.Background(), []*corpus.Report{r22, r23}, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	b := bot.New(ix, memstore.New(), bot.Options{})
	for q, date := range map[string]string{"2023年中欧班列目标": "2023-01-14", "2022年中欧班列目标": "2022-01-14"} {
		a := b.Ask(context.Background(), q)
		mustContain(t, q, a.Text, "200列以上", "出处:《", date)
	}
	a := b.Ask(context.Background(), "中欧班列目标")
	if len(a.Results) == 0 {
		t.Fatal("中欧班列目标: no answer across two reports")
	}
	for _, r := range a.Results {
		if r.Report != "report-2022" && r.Report != "report-2023" {
			t.Errorf("result names report %q", r.Report)
		}
	}
	mustContain(t, "no-year answer", a.Text, "出处:《")
	// 目录 speaks of one report, the newest, and says how to reach the other;
	// a year picks the report, also for 数读 and 第N部分.
	outline := b.Ask(context.Background(), "目录").Text
	if n := strings.Count(outline, "第7部分 向心力"); n != 1 || !strings.Contains(outline, "另有1份报告") {
		t.Errorf("目录 of two reports:\n%s\nwant the 2023 report's outline once and a pointer to the other", outline)
	}
	mustContain(t, "2022年目录", b.Ask(context.Background(), "2022年目录").Text, "2022", "第7部分 向心力")
	if rs := b.Ask(context.Background(), "2022年目录").Results; len(rs) == 0 || rs[0].Report != "report-2022" {
		t.Errorf("2022年目录 shows %+v; want report-2022", rs)
	}
	mustContain(t, "2022年第5部分", b.Ask(context.Background(), "2022年第5部分").Text, "影响力")
	mustContain(t, "2021年目录", b.Ask(context.Background(), "2021年目录").Text, "没有这份报告")
	// A year alone, with or without 年, shows that report's headline targets.
	for _, q := range []string{"2022年", "2022"} {
		a := b.Ask(context.Background(), q)
		if !strings.Contains(a.Text, "【主要目标】") || len(a.Results) == 0 || a.Results[0].Report != "report-2022" {
			t.Errorf("%s alone: %q %+v; want report-2022's headline targets", q, a.Text, a.Results)
		}
	}
}

// TestNoReports: a bot over an index with no reports answers every command
// without panicking.
func TestNoReports(t *testing.T) {
	empty, err := index.Build(context.Background(), nil, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	b := bot.New(empty, memstore.New(), bot.Options{})
	for _, q := range []string{"中欧班列目标", "目录", "数读", "第1部分", "七力是哪七个", "更多", "详情1"} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s panicked: %v", q, r)
				}
			}()
			if a := b.Ask(context.Background(), q); strings.TrimSpace(a.Text) == "" {
				t.Errorf("%s: empty reply", q)
			}
		}()
	}
}

// TestExamplesComeFromTheReports: help and not-found replies suggest
// questions about the loaded report's own targets, never the embedded one's.
func TestExamplesComeFromTheReports(t *testing.T) {
	r, err := corpus.Parse("2025-city.txt", []byte("2025年某市政府工作报告\n\n一、2024年工作回顾\n\n过去一年，全市经济稳中向好。\n\n二、2025年主要目标\n\n今年主要预期目标是：地区生产总值增长6%左右；城镇新增就业5万人以上；居民收入增长与经济增长同步。\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Build(context.Background(), []*corpus.Report{r}, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	b := bot.New(ix, memstore.New(), bot.Options{})
	for _, q := range []string{"帮助", "火星基地建设进度", "🙂🙂"} {
		text := b.Ask(context.Background(), q).Text
		if strings.Contains(text, "中欧班列") {
			t.Errorf("%s suggests the embedded report's 中欧班列:\n%s", q, text)
		}
	}
	mustContain(t, "帮助", b.Ask(context.Background(), "帮助").Text, "地区生产总值增长目标", "城镇新增就业目标")
	mustContain(t, "not found", b.Ask(context.Background(), "火星基地建设进度").Text, "没有找到", "地区生产总值增长目标")
	// The suggested question is answered.
	mustContain(t, "example", b.Ask(context.Background(), "地区生产总值增长目标").Text, "6%左右")
}

// TestWhichFewIsNoOutline: "哪几个" asks for things named in a passage
// (创建哪几个示范镇), not for the report's outline; "哪七个" with the count
// of the report's parts does.
func TestWhichFewIsNoOutline(t *testing.T) {
	b := newBot(t, memstore.New(), bot.Options{})
	a := b.Ask(context.Background(), "省级乡村建设示范镇创建哪几个")
	if len(a.Results) == 0 || !strings.Contains(a.Results[0].Text, "示范镇") {
		t.Errorf("哪几个 question answered %q; want the sentence naming the towns", a.Text)
	}
	mustContain(t, "七力是哪七个", b.Ask(context.Background(), "七力是哪七个").Text, "第7部分")
}
