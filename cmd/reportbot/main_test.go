package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reportbot/reportbot/internal/redistest"
)

// runCLI runs reportbot in-process as a user would from a shell.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestAskPrintsTheChatReply(t *testing.T) {
	out, _, err := runCLI(t, nil, "", "ask", "中欧班列目标")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"【影响力 › 全方位拓展外贸经济“新廊道”】", "全年到发200列以上", "数据:", "出处:《", "详情1"} {
		if !strings.Contains(out, want) {
			t.Errorf("reply lacks %q:\n%s", want, out)
		}
	}
	if n := len([]rune(strings.SplitN(out, "出处", 2)[0])); n > 600 {
		t.Errorf("first answer is %d characters, want under 600", n)
	}
}

func TestAskJSONStdinKeepsOrderAndContract(t *testing.T) {
	questions := []string{"中欧班列目标", "天气预报", "", "目录", "🙂🙂", strings.Repeat("长", 10000), "新增床位多少"}
	out, _, err := runCLI(t, nil, strings.Join(questions, "\n")+"\n", "ask", "--json", "-")
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", len(lines)+1, err, sc.Text())
		}
		lines = append(lines, m)
	}
	if len(lines) != len(questions) {
		t.Fatalf("%d questions but %d answer lines", len(questions), len(lines))
	}
	for i, q := range questions {
		if lines[i]["query"] != q {
			t.Errorf("line %d answers %q, want %q", i+1, lines[i]["query"], q)
		}
		if s, _ := lines[i]["answer"].(string); s == "" {
			t.Errorf("line %d (%q) has an empty answer", i+1, q)
		}
		if _, ok := lines[i]["results"].([]any); !ok {
			t.Errorf("line %d: results is %T, want a list", i+1, lines[i]["results"])
		}
	}
	first := lines[0]["results"].([]any)[0].(map[string]any)
	if !strings.Contains(first["text"].(string), "200列") || first["section"] == "" {
		t.Errorf("first result = %v", first)
	}
	if figs := first["figures"].([]any); len(figs) == 0 || figs[0] != "200列以上" {
		t.Errorf("figures = %v, want 200列以上 first", figs)
	}
	if res := lines[1]["results"].([]any); len(res) != 0 {
		t.Errorf("天气预报 got results %v, want none", res)
	}
	if !strings.Contains(lines[1]["answer"].(string), "没有找到") {
		t.Errorf("not-found answer = %q", lines[1]["answer"])
	}
	for _, name := range []string{"引领力", "支撑力", "新动力", "竞争力", "影响力", "承载力", "向心力"} {
		if !strings.Contains(lines[3]["answer"].(string), name) {
			t.Errorf("目录 lacks %s", name)
		}
	}
}

func TestAskUsageErrors(t *testing.T) {
	if _, _, err := runCLI(t, nil, "", "ask"); exitCode(err) != 2 {
		t.Errorf("ask without a question: err %v, want a usage error", err)
	}
	if _, _, err := runCLI(t, nil, "", "frobnicate"); exitCode(err) != 2 {
		t.Errorf("unknown command: err %v, want a usage error", err)
	}
}

func TestAskCorpusFolderAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	seed, err := os.ReadFile("../../corpus/reports/2022-lanzhou-xinqu-work-report.txt")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2022.txt", seed)
	write("2023.txt", bytes.ReplaceAll(seed, []byte("2022"), []byte("2023")))
	write("empty.txt", nil)
	write("binary.txt", []byte{0, 1, 2, 3, 0xff, 0, 0})
	out, stderr, err := runCLI(t, map[string]string{"REPORTBOT_CORPUS": dir}, "", "ask", "--json", "2023年中欧班列目标")
	if err != nil {
		t.Fatal(err)
	}
	var a answerJSON
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Results) == 0 {
		t.Fatalf("no results: %s", out)
	}
	for _, r := range a.Results {
		if r.Report != "2023" {
			t.Errorf("2023 question answered from report %q", r.Report)
		}
	}
	for _, bad := range []string{"empty.txt", "binary.txt"} {
		if !strings.Contains(stderr, bad) {
			t.Errorf("stderr does not name the skipped %s:\n%s", bad, stderr)
		}
	}
}

func TestIndexCommandBuildsThenReuses(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCLI(t, nil, "", "index", "--index", dir)
	if err != nil || !strings.Contains(out, "built now") {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, nil, "", "index", "--index", dir)
	if err != nil || !strings.Contains(out, "reused") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, nil, "", "ask", "--index", dir, "新增床位多少")
	if err != nil || !strings.Contains(out, "800张") {
		t.Fatalf("ask on the disk index: %v\n%s", err, out)
	}
}

func TestChatScriptedSessionWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	in := "中欧班列目标\n更多\n详情1\n目录\n帮助\n"
	out, stderr, err := runCLI(t, nil, in, "chat", "--redis", srv.URL())
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	replies := strings.Split(strings.TrimSpace(out), "\n\n")
	if len(replies) != 5 {
		t.Fatalf("%d replies to 5 lines:\n%s", len(replies), out)
	}
	checks := []string{"200列", "没有更多", "全方位拓展外贸经济“新廊道”。", "第7部分", "目录:报告结构"}
	for i, want := range checks {
		if !strings.Contains(replies[i], want) {
			t.Errorf("reply %d lacks %q:\n%s", i+1, want, replies[i])
		}
	}
}

func TestChatInGroupAnswersOnlyMentions(t *testing.T) {
	out, _, err := runCLI(t, nil, "中欧班列目标\n@reportbot 中欧班列目标\n@reportbot\n", "chat", "--group", "测试群", "--user", "张三")
	if err != nil {
		t.Fatal(err)
	}
	replies := strings.Split(strings.TrimSpace(out), "\n\n")
	if len(replies) != 2 {
		t.Fatalf("want 2 replies (the @ question and the short help), got %d:\n%s", len(replies), out)
	}
	if !strings.Contains(replies[0], "200列") || !strings.Contains(replies[1], "@我") {
		t.Errorf("replies:\n%s", out)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "reportbot.toml")
	if err := os.WriteFile(cfg, []byte("[bot]\nnmae = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, nil, "", "ask", "--config", cfg, "中欧班列目标")
	if err == nil || !strings.Contains(err.Error(), "bot.nmae") {
		t.Errorf("err = %v, want it to name bot.nmae", err)
	}
	_, _, err = runCLI(t, map[string]string{"REPORTBOT_REDIS_URL": "http://x"}, "", "chat")
	if err == nil || !strings.Contains(err.Error(), "REPORTBOT_REDIS_URL") {
		t.Errorf("err = %v, want it to name REPORTBOT_REDIS_URL", err)
	}
}

func TestDigestPreviewAndDryRun(t *testing.T) {
	out1, _, err := runCLI(t, map[string]string{"REPORTBOT_DIGEST_START_DATE": "2026-12-01"}, "", "digest", "preview", "--date", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	out2, _, err := runCLI(t, map[string]string{"REPORTBOT_DIGEST_START_DATE": "2026-12-01"}, "", "digest", "preview", "--date", "2026-12-02")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out1, "第1期") || !strings.Contains(out2, "第2期") || out1 == out2 {
		t.Errorf("previews:\n%s\n---\n%s", out1, out2)
	}
	env := map[string]string{"REPORTBOT_DIGEST_START_DATE": "2026-12-01", "REPORTBOT_DIGEST_GROUPS": "宣传群"}
	out, _, err := runCLI(t, env, "", "digest", "send", "--dry-run", "--date", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wechat:宣传群") || !strings.Contains(out, "第1期") {
		t.Errorf("dry run:\n%s", out)
	}
}

// 重载 on a running chat with an on-disk index updates it in place (the
// process holds its lock) with the report added since the start, answers
// from it, and leaves it up to date on disk for the next start.
func TestChatReloadWithDiskIndex(t *testing.T) {
	dir, idx := t.TempDir(), t.TempDir()
	seed, err := os.ReadFile("../../corpus/reports/2022-lanzhou-xinqu-work-report.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "2022.txt"), seed, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, stderr strings.Builder
	stdin := &writeThenRead{r: strings.NewReader("重载\n小火车站建几座\n新增床位多少\n"),
		path: filepath.Join(dir, "mini.txt"), text: "兰州新区小火车报告\n\n全年建成小火车站3座以上。\n"}
	err = run(context.Background(), []string{"chat", "--admin", "--corpus", dir, "--index", idx}, func(string) string { return "" }, stdin, &out, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	replies := strings.Split(strings.TrimSpace(out.String()), "\n\n")
	if len(replies) != 3 || !strings.Contains(replies[0], "共2份报告") || !strings.Contains(replies[0], "新增1份:《兰州新区小火车报告》") ||
		!strings.Contains(replies[1], "3座") || !strings.Contains(replies[2], "800张") {
		t.Errorf("replies:\n%s", out.String())
	}
	again, _, err := runCLI(t, nil, "", "index", "--corpus", dir, "--index", idx)
	if err != nil || !strings.Contains(again, "up to date") {
		t.Errorf("index after the 重载: %v\n%s", err, again)
	}
}

// writeThenRead writes a file when stdin is first read: after the bot
// started, before 重载.
type writeThenRead struct {
	r          io.Reader
	path, text string
}

func (x *writeThenRead) Read(p []byte) (int, error) {
	if x.path != "" {
		os.WriteFile(x.path, []byte(x.text), 0o644)
		x.path = ""
	}
	return x.r.Read(p)
}

// reportbot index on a report folder re-reads only what changed, says what
// it changed, and draws no progress line off a terminal.
func TestIndexCommandUpdatesAChangedReport(t *testing.T) {
	dir, idx := t.TempDir(), t.TempDir()
	mini := filepath.Join(dir, "mini.txt")
	if err := os.WriteFile(mini, []byte("兰州新区小火车报告\n\n全年建成小火车站3座以上。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCLI(t, nil, "", "index", "--corpus", dir, "--index", idx)
	if err != nil || !strings.Contains(out, "built now") || stderr != "" {
		t.Fatalf("first run: %v\n%s\nstderr: %q", err, out, stderr)
	}
	if err := os.WriteFile(mini, []byte("兰州新区小火车报告\n\n全年建成小火车站5座以上。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, nil, "", "index", "--corpus", dir, "--index", idx)
	if err != nil || !strings.Contains(out, "updated: 0 added, 1 changed, 0 removed") {
		t.Fatalf("after a change: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, nil, "", "ask", "--corpus", dir, "--index", idx, "小火车站建几座")
	if err != nil || !strings.Contains(out, "5座") {
		t.Fatalf("ask after the update: %v\n%s", err, out)
	}
}

// TestAskComparisonJSON: a question across reports answers one line per
// report in the text, within the reply limit, and gives the rows as data.
func TestAskComparisonJSON(t *testing.T) {
	corpusDir, err := filepath.Abs("../../testdata/reports")
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, map[string]string{"REPORTBOT_CORPUS": corpusDir}, "", "ask", "--json", "2021年到2023年国内生产总值增长目标分别是多少")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Answer     string `json:"answer"`
		Comparison []struct {
			Report  string   `json:"report"`
			Year    int      `json:"year"`
			Text    string   `json:"text"`
			Figures []string `json:"figures"`
		} `json:"comparison"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got.Comparison) != 3 {
		t.Fatalf("%d comparison rows, want 3 (2021, 2022, 2023): %s", len(got.Comparison), out)
	}
	for i, row := range got.Comparison {
		if row.Year != 2021+i || row.Report == "" || len(row.Figures) == 0 || !strings.Contains(got.Answer, row.Text) {
			t.Errorf("row %d: %+v; want year %d with a figure, its clause in the answer", i, row, 2021+i)
		}
	}
	if !strings.Contains(got.Answer, "变化:") || utf8.RuneCountInString(got.Answer) > 600 {
		t.Errorf("answer:\n%s\nwant the figures in a row, under 600 characters", got.Answer)
	}
}
