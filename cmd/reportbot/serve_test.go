package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reportbot/reportbot/channel/wecom"
	"github.com/reportbot/reportbot/internal/testkit"
)

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServe runs `reportbot serve` in-process until the test ends.
func startServe(t *testing.T, env map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stderr := &testkit.LogBuffer{}
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
		for _, secret := range []string{env["REPORTBOT_WECOM_BOT_SECRET"], env["REPORTBOT_WECOM_BOT_ENCODING_AES_KEY"]} {
			if secret != "" && strings.Contains(stderr.String(), secret) {
				t.Error("a secret appears in serve's log")
			}
		}
		if t.Failed() {
			t.Logf("serve log:\n%s", stderr.String())
		}
	})
}

// httpGet polls url until something answers, then returns the answer.
func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(u)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing answers at %s: %v", u, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeWithTheWeComBotDownKeepsServing(t *testing.T) {
	ops := freeAddr(t)
	startServe(t, map[string]string{
		"REPORTBOT_WECHAT_ENABLED":    "false",
		"REPORTBOT_WECOM_BOT_ENABLED": "true",
		"REPORTBOT_WECOM_BOT_BOT_ID":  "aib-test",
		"REPORTBOT_WECOM_BOT_SECRET":  "secret-of-the-serve-test",
		"REPORTBOT_WECOM_BOT_URL":     "ws://" + freeAddr(t) + "/", // nobody there: the bot keeps retrying
		"REPORTBOT_OPS_ADDR":          ops,
	})
	status, body := httpGet(t, "http://"+ops+"/healthz")
	var h struct {
		Status   string `json:"status"`
		Channels []struct {
			Name   string `json:"name"`
			Up     bool   `json:"up"`
			Detail string `json:"detail"`
		} `json:"channels"`
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("healthz %d %q", status, body)
	}
	if status != http.StatusServiceUnavailable || len(h.Channels) != 1 || h.Channels[0].Name != "wecom_bot" || h.Channels[0].Up || h.Channels[0].Detail == "" {
		t.Fatalf("healthz %d %s", status, body)
	}
	// The rest of the process serves on.
	if status, body := httpGet(t, "http://"+ops+"/api/ask?q="+url.QueryEscape("中欧班列目标")); status != http.StatusOK || !strings.Contains(body, "班列") {
		t.Fatalf("/api/ask %d %s", status, body)
	}
	if _, body := httpGet(t, "http://"+ops+"/metrics"); !strings.Contains(body, `reportbot_channel_up{channel="wecom_bot"} 0`) {
		t.Fatalf("/metrics lacks the channel:\n%s", body)
	}
}

func TestServeAnswersThroughTheWeComCallback(t *testing.T) {
	const key = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	ops, cb := freeAddr(t), freeAddr(t)
	startServe(t, map[string]string{
		"REPORTBOT_WECHAT_ENABLED":             "false",
		"REPORTBOT_WECOM_BOT_ENABLED":          "true",
		"REPORTBOT_WECOM_BOT_MODE":             "callback",
		"REPORTBOT_WECOM_BOT_TOKEN":            "tok",
		"REPORTBOT_WECOM_BOT_ENCODING_AES_KEY": key,
		"REPORTBOT_WECOM_BOT_CALLBACK_ADDR":    cb,
		"REPORTBOT_OPS_ADDR":                   ops,
	})
	crypto, err := wecom.NewCrypto("tok", key, "")
	if err != nil {
		t.Fatal(err)
	}
	echo, _ := crypto.Encrypt([]byte("424242"))
	q := url.Values{"msg_signature": {crypto.Signature("1", "2", echo)}, "timestamp": {"1"}, "nonce": {"2"}, "echostr": {echo}}
	if status, body := httpGet(t, "http://"+cb+"/wecom/callback?"+q.Encode()); status != http.StatusOK || body != "424242" {
		t.Fatalf("URL check through serve: %d %q", status, body)
	}
	if status, body := httpGet(t, "http://"+ops+"/healthz"); status != http.StatusOK || !strings.Contains(body, `"name":"wecom_bot","up":true`) {
		t.Fatalf("healthz %d %s", status, body)
	}
}
