package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportbot/reportbot/internal/redistest"
	"github.com/reportbot/reportbot/internal/testkit"
)

// Two chat runs on one Redis (the README's example, run twice) both answer:
// message IDs are unique per run, not chat-1, chat-2… in every process.
func TestChatRunsSharingRedisBothAnswer(t *testing.T) {
	srv := redistest.Start(t)
	for run := 1; run <= 2; run++ {
		out, stderr, err := runCLI(t, nil, "中欧班列目标\n目录\n", "chat", "--redis", srv.URL())
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, stderr)
		}
		if replies := strings.Split(strings.TrimSpace(out), "\n\n"); len(replies) != 2 || !strings.Contains(replies[0], "200列") {
			t.Errorf("run %d answered %d of 2 lines:\n%s", run, len(replies), out)
		}
	}
}

// COMMAND --help prints the command's usage and exits 0.
func TestHelpFlagExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"ask", "--help"}, {"index", "-h"}, {"chat", "--help"}, {"serve", "--help"},
		{"digest", "preview", "--help"}, {"digest", "send", "-h"}, {"digest", "status", "--help"},
		{"digest", "--help"}, {"--help"},
	} {
		out, stderr, err := runCLI(t, nil, "", args...)
		if err != nil {
			t.Errorf("%v: err %v (exit %d); want exit 0", args, err, exitCode(err))
		}
		if !strings.Contains(out+stderr, "sage") || strings.Contains(stderr, "help requested") {
			t.Errorf("%v: no usage, or a complaint:\nstdout %s\nstderr %s", args, out, stderr)
		}
	}
}

// chat --config honours the digest settings, as the bot in WeChat does.
func TestChatUsesTheDigestSettings(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "reportbot.toml")
	conf := "[bot]\nadmins = [\"管理员\"]\n[digest]\nenabled = true\nstart_date = \"2026-12-01\"\ngroups = [\"宣传群\"]\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCLI(t, nil, "@reportbot 今日推送预览\n@reportbot 订阅\n@reportbot 退订\n", "chat", "--config", cfg, "--group", "测试群", "--user", "管理员")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	replies := strings.Split(strings.TrimSpace(out), "\n\n")
	if len(replies) != 3 || strings.Contains(out, "没有配置") {
		t.Fatalf("replies:\n%s", out)
	}
	for i, want := range []string{"每日一读", "已订阅", "已退订"} {
		if !strings.Contains(replies[i], want) {
			t.Errorf("reply %d lacks %q:\n%s", i+1, want, replies[i])
		}
	}
	// --user is the operator's name for the sender: a name not in bot.admins is refused.
	out, _, err = runCLI(t, nil, "@reportbot 订阅\n", "chat", "--config", cfg, "--group", "测试群", "--user", "张三")
	if err != nil || !strings.Contains(out, "只有管理员") {
		t.Errorf("订阅 by a non-admin: %v\n%s", err, out)
	}
}

// @Reportbot in another letter case is still a mention.
func TestChatMentionInAnyCase(t *testing.T) {
	out, _, err := runCLI(t, nil, "@Reportbot 中欧班列目标\n@REPORTBOT\u2005新增床位多少\n", "chat", "--group", "测试群")
	if err != nil {
		t.Fatal(err)
	}
	if replies := strings.Split(strings.TrimSpace(out), "\n\n"); len(replies) != 2 || !strings.Contains(out, "200列") || !strings.Contains(out, "800张") {
		t.Errorf("mentions in another case not answered:\n%s", out)
	}
}

// removeThenRead removes files when stdin is first read: after the bot
// started on them, before 重载.
type removeThenRead struct {
	r     io.Reader
	paths []string
}

func (x *removeThenRead) Read(p []byte) (int, error) {
	for _, path := range x.paths {
		os.Remove(path)
	}
	x.paths = nil
	return x.r.Read(p)
}

// A failed 重载 shows a short Chinese reason; the path stays in the log.
func TestChatReloadFailureShowsAReason(t *testing.T) {
	dir := t.TempDir()
	seed, err := os.ReadFile("../../corpus/reports/2022-lanzhou-xinqu-work-report.txt")
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "2022.txt")
	if err := os.WriteFile(report, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, stderr strings.Builder
	stdin := &removeThenRead{r: strings.NewReader("重载\n中欧班列目标\n"), paths: []string{report}}
	err = run(context.Background(), []string{"chat", "--admin", "--corpus", dir}, func(string) string { return "" }, stdin, &out, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	replies := strings.Split(strings.TrimSpace(out.String()), "\n\n")
	if len(replies) != 2 || !strings.Contains(replies[0], "重载失败") || !strings.Contains(replies[0], "报告目录里没有可读的报告") {
		t.Fatalf("replies:\n%s", out.String())
	}
	if strings.Contains(replies[0], dir) || strings.Contains(replies[0], "no readable") {
		t.Errorf("the chat reply shows the detail: %q", replies[0])
	}
	if !strings.Contains(stderr.String(), dir) {
		t.Errorf("the log lacks the detail:\n%s", stderr.String())
	}
	if !strings.Contains(replies[1], "200列") {
		t.Errorf("after the failed 重载 the old reports answer: %q", replies[1])
	}
}

// README: `reportbot digest preview --date 2026-12-01` works on a fresh
// machine (no digest.start_date), whatever today is.
func TestDigestPreviewWithoutStartDate(t *testing.T) {
	for _, date := range []string{"2026-12-01", "2020-01-01"} {
		out, stderr, err := runCLI(t, nil, "", "digest", "preview", "--date", date)
		if err != nil || !strings.Contains(out, "第1期") {
			t.Errorf("preview --date %s: %v\n%s%s", date, err, out, stderr)
		}
	}
}

// fakeWebhook is a 企业微信 robot answering every post with errcode.
func fakeWebhook(t *testing.T, errcode int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"errcode": errcode, "errmsg": "test"})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/cgi-bin/webhook/send?key=k"
}

// digest send exits non-zero when a target failed or nothing could be sent
// from here, and a command-line send neither sends to nor records WeChat
// groups (the running bot does), so status shows them pending.
func TestDigestSendExitStatus(t *testing.T) {
	srv := redistest.Start(t)
	base := map[string]string{"REPORTBOT_DIGEST_START_DATE": "2026-12-01", "REPORTBOT_REDIS_URL": srv.URL()}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	failing := with("REPORTBOT_DIGEST_WEBHOOKS", "team="+fakeWebhook(t, 93000))
	if out, _, err := runCLI(t, failing, "", "digest", "send", "--date", "2026-12-01"); err == nil || exitCode(err) == 0 {
		t.Errorf("every target failed, yet exit 0:\n%s", out)
	}
	onlyGroups := with("REPORTBOT_DIGEST_GROUPS", "宣传群")
	out, _, err := runCLI(t, onlyGroups, "", "digest", "send", "--date", "2026-12-02")
	if err == nil || !strings.Contains(err.Error(), "reportbot serve") {
		t.Errorf("only WeChat groups, nothing sent: err %v\n%s", err, out)
	}
	status, _, err := runCLI(t, onlyGroups, "", "digest", "status", "--date", "2026-12-02")
	if err != nil || !strings.Contains(status, "pending") || strings.Contains(status, "failed") {
		t.Errorf("status after a command-line send: %v\n%s", err, status)
	}
	working := with("REPORTBOT_DIGEST_GROUPS", "宣传群", "REPORTBOT_DIGEST_WEBHOOKS", "team="+fakeWebhook(t, 0))
	if out, _, err := runCLI(t, working, "", "digest", "send", "--date", "2026-12-03"); err != nil {
		t.Errorf("the robot got it, the group is left to the bot: err %v\n%s", err, out)
	}
}

// digest status with no targets says so; its columns line up in a terminal
// with Chinese names (two columns a character).
func TestDigestStatusTable(t *testing.T) {
	env := map[string]string{"REPORTBOT_DIGEST_START_DATE": "2026-12-01"}
	out, _, err := runCLI(t, env, "", "digest", "status", "--date", "2026-12-01")
	if err != nil || !strings.Contains(out, "no targets") {
		t.Errorf("status without targets: %v\n%s", err, out)
	}
	env["REPORTBOT_DIGEST_GROUPS"] = "兰州新区宣传群,ab"
	out, _, err = runCLI(t, env, "", "digest", "status", "--date", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("status:\n%s", out)
	}
	col := func(line, word string) int {
		i := strings.Index(line, word)
		if i < 0 {
			t.Fatalf("%q lacks %q", line, word)
		}
		return displayWidth(line[:i])
	}
	header := col(lines[0], "STATE")
	for _, l := range lines[1:] {
		if c := col(l, "pending"); c != header {
			t.Errorf("STATE at column %d, pending at %d:\n%s", header, c, out)
		}
	}
}

// serve with Redis down at boot waits for it (a log line per attempt)
// instead of exiting, and stops cleanly (exit 0) when told to.
func TestServeWaitsForRedisAtBoot(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logs := &testkit.LogBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	env := map[string]string{"REPORTBOT_REDIS_URL": "redis://" + addr + "/0", "REPORTBOT_OPS_ADDR": "127.0.0.1:0"}
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(logs.String(), "redis unreachable at start") < 2 {
		select {
		case err := <-done:
			t.Fatalf("serve returned %v with Redis down; want it to wait:\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no second attempt logged:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve stopped while waiting for Redis: %v; want nil (exit 0)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
}
