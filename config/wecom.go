package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// WeComBot is the 企业微信 智能机器人 (AI bot) channel, [wecom_bot].
type WeComBot struct {
	Enabled bool `toml:"enabled"`
	// Mode is "websocket" (the long connection: no public URL needed) or
	// "callback" (企业微信 calls our HTTPS URL).
	Mode string `toml:"mode" check:"oneof=websocket callback"`
	// BotID and Secret (websocket mode) come from the bot's settings. The
	// secret is never logged; prefer REPORTBOT_WECOM_BOT_SECRET.
	BotID  string `toml:"bot_id"`
	Secret string `toml:"secret"`
	// URL is the long-connection endpoint.
	URL string `toml:"url" check:"ws_url"`
	// Name is the bot's name in 企业微信, removed from @-mentions; empty
	// means bot.name.
	Name string `toml:"name"`
	// Admins are the 企业微信 user IDs allowed to run the admin commands
	// through this channel (user IDs are set by the enterprise, not by the
	// user).
	Admins []string `toml:"admins"`
	// Reply is "markdown" or "stream" (a stream that finishes at once).
	Reply string `toml:"reply" check:"oneof=markdown stream"`
	// Heartbeat is the time between two pings.
	Heartbeat time.Duration `toml:"heartbeat" check:"positive"`
	// Token and EncodingAESKey (callback mode) come from the bot's settings;
	// never logged.
	Token          string `toml:"token"`
	EncodingAESKey string `toml:"encoding_aes_key"`
	// CallbackAddr and CallbackPath are where callback mode listens (behind
	// an HTTPS proxy).
	CallbackAddr string `toml:"callback_addr" check:"addr"`
	CallbackPath string `toml:"callback_path"`
	// AlertChat is an AI-bot chat (chat ID, or single:USERID) told when the
	// WeChat account is logged out; websocket mode only.
	AlertChat string `toml:"alert_chat"`
}

// Defaults of [wecom_bot].
const (
	WeComBotModeWebSocket = "websocket"
	WeComBotModeCallback  = "callback"
	DefaultWeComBotURL    = "wss://openws.work.weixin.qq.com"
)

func defaultWeComBot() WeComBot {
	return WeComBot{
		Mode:         WeComBotModeWebSocket,
		URL:          DefaultWeComBotURL,
		Reply:        "markdown",
		Heartbeat:    30 * time.Second,
		CallbackAddr: "127.0.0.1:8081",
		CallbackPath: "/wecom/callback",
	}
}

// validate checks the keys an enabled channel needs. Errors name the key,
// never a secret's value.
func (w WeComBot) validate() []error {
	if !w.Enabled {
		return nil
	}
	var errs []error
	need := func(key, value, what string) {
		if strings.TrimSpace(value) == "" {
			errs = append(errs, fmt.Errorf("wecom_bot.%s: required in %s mode (%s)", key, w.Mode, what))
		}
	}
	switch w.Mode {
	case WeComBotModeWebSocket:
		need("bot_id", w.BotID, "the AI bot's Bot ID")
		need("secret", w.Secret, "the AI bot's Secret; or set REPORTBOT_WECOM_BOT_SECRET")
	case WeComBotModeCallback:
		need("token", w.Token, "the callback Token")
		if n := len(w.EncodingAESKey); n != 43 {
			errs = append(errs, fmt.Errorf("wecom_bot.encoding_aes_key: callback mode needs the 43-character EncodingAESKey (it has %d characters)", n))
		}
		if w.CallbackAddr == "" {
			errs = append(errs, errors.New("wecom_bot.callback_addr: required in callback mode"))
		}
		if !strings.HasPrefix(w.CallbackPath, "/") {
			errs = append(errs, fmt.Errorf("wecom_bot.callback_path: %q must start with /", w.CallbackPath))
		}
		if w.AlertChat != "" {
			errs = append(errs, errors.New("wecom_bot.alert_chat: callback mode cannot push to a chat; use websocket mode or wechat.alert_webhook"))
		}
	}
	return errs
}

func checkWSURL(s string) error {
	if !strings.HasPrefix(s, "wss://") && !strings.HasPrefix(s, "ws://") {
		return fmt.Errorf("must be a wss:// URL (got %q)", redact(s))
	}
	return nil
}
