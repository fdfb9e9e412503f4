package main

import (
	"bytes"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportbot/reportbot/card"
	"github.com/reportbot/reportbot/config"
	"github.com/reportbot/reportbot/console"
	"github.com/reportbot/reportbot/ops"
	"github.com/reportbot/reportbot/store/memstore"
)

func checkPNG(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	if img.Bounds().Dx() != card.Width {
		t.Errorf("%s is %d px wide, want %d", path, img.Bounds().Dx(), card.Width)
	}
}

func TestAskAndDigestPreviewWriteCards(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCLI(t, nil, "", "ask", "--png", filepath.Join(dir, "ask.png"), "数读")
	if err != nil || !strings.Contains(out, "主要目标") {
		t.Fatalf("ask --png: %v\n%s", err, out)
	}
	checkPNG(t, filepath.Join(dir, "ask.png"))
	env := map[string]string{"REPORTBOT_DIGEST_START_DATE": "2026-01-01"}
	out, _, err = runCLI(t, env, "", "digest", "preview", "--date", "2026-01-03", "--png", filepath.Join(dir, "day.png"))
	if err != nil || !strings.Contains(out, "第3期") {
		t.Fatalf("digest preview --png: %v\n%s", err, out)
	}
	checkPNG(t, filepath.Join(dir, "day.png"))
	if _, _, err := runCLI(t, nil, "", "ask", "--png", filepath.Join(dir, "x.png"), "-"); err == nil {
		t.Error("ask --png - was accepted")
	}
}

func TestConsoleCommands(t *testing.T) {
	out, _, err := runCLI(t, nil, "一个密码\n", "console", "passwd", "王芳")
	if err != nil || !strings.Contains(out, `"王芳" = "pbkdf2-sha256$600000$`) {
		t.Fatalf("console passwd: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, nil, "", "console", "passwd", "王芳"); err == nil {
		t.Error("console passwd without a password was accepted")
	}
	env := map[string]string{"REPORTBOT_CONSOLE_ADDR": "127.0.0.1:8081", "REPORTBOT_CONSOLE_SECRET": strings.Repeat("k", 32)}
	out, _, err = runCLI(t, env, "", "console", "adduser", "王芳")
	if err != nil || !strings.Contains(out, "http://127.0.0.1:8081/login/link?") {
		t.Fatalf("console adduser: %v\n%s", err, out)
	}
	env["REPORTBOT_CONSOLE_SECRET"] = "short"
	if _, _, err := runCLI(t, env, "", "console", "adduser", "王芳"); err == nil || !strings.Contains(err.Error(), "32") {
		t.Errorf("adduser with a short secret: %v", err)
	}
}

func TestConsoleServerPlacement(t *testing.T) {
	hash, err := console.HashPassword("pw", 1000)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Console.Users = map[string]string{"王芳": hash}
	log := slog.New(slog.DiscardHandler)

	var h ops.Handlers
	run, err := consoleServer(cfg, memstore.New(), nil, &h, log)
	if err != nil || run != nil || h.Fallback != nil {
		t.Errorf("console.addr empty: runner %v, fallback %v, err %v; want off", run != nil, h.Fallback != nil, err)
	}
	cfg.Console.Addr = cfg.Ops.Addr
	run, err = consoleServer(cfg, memstore.New(), nil, &h, log)
	if err != nil || run != nil || h.Fallback == nil {
		t.Errorf("console.addr = ops.addr: runner %v, fallback %v, err %v; want the ops fallback", run != nil, h.Fallback != nil, err)
	}
	h = ops.Handlers{}
	cfg.Console.Addr = "127.0.0.1:0"
	run, err = consoleServer(cfg, memstore.New(), nil, &h, log)
	if err != nil || run == nil || h.Fallback != nil {
		t.Errorf("own address: runner %v, fallback %v, err %v; want its own server", run != nil, h.Fallback != nil, err)
	}
	cfg.Console.Users = nil
	if _, err := consoleServer(cfg, memstore.New(), nil, &h, log); err == nil {
		t.Error("a console nobody can sign in to was started")
	}
}
