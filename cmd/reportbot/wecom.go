package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/channel/wecom"
	"github.com/reportbot/reportbot/config"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/ops"
)

// Channel names in /healthz, /metrics and the log.
const (
	channelWeChat   = "wechat"
	channelWeComBot = "wecom_bot"
)

// wecomBot is the 企业微信 AI bot as serve runs it: a long connection
// (client) or a callback endpoint (callback).
type wecomBot struct {
	cfg      config.WeComBot
	client   *wecom.Client
	callback *wecom.Callback
}

// newWeComBot builds the AI-bot channel of the configured mode; h answers
// its messages (the bot is built later: it needs the digest, which needs
// this channel).
func newWeComBot(cfg config.Config, h wecom.Handler, metrics wecom.Metrics, log *slog.Logger) (*wecomBot, error) {
	w := &wecomBot{cfg: cfg.WeComBot}
	names := []string{cfg.Bot.Name}
	if cfg.WeComBot.Name != "" {
		names = []string{cfg.WeComBot.Name, cfg.Bot.Name}
	}
	var err error
	if cfg.WeComBot.Mode == config.WeComBotModeCallback {
		w.callback, err = wecom.NewCallback(wecom.CallbackOptions{
			Token: cfg.WeComBot.Token, EncodingAESKey: cfg.WeComBot.EncodingAESKey,
			Handler: h, Names: names, Logger: log, Metrics: metrics,
		})
	} else {
		w.client, err = wecom.New(wecom.Options{
			BotID: cfg.WeComBot.BotID, Secret: cfg.WeComBot.Secret, URL: cfg.WeComBot.URL,
			Handler: h, Names: names, Stream: cfg.WeComBot.Reply == "stream",
			Heartbeat: cfg.WeComBot.Heartbeat, Logger: log, Metrics: metrics,
		})
	}
	if err != nil {
		return nil, fmt.Errorf("wecom_bot: %w", err)
	}
	return w, nil
}

// run serves the channel until ctx ends.
func (w *wecomBot) run(ctx context.Context) error {
	if w.callback != nil {
		return w.callback.ListenAndServe(ctx, w.cfg.CallbackAddr, w.cfg.CallbackPath)
	}
	return w.client.Run(ctx)
}

// up is the channel's state for /metrics.
func (w *wecomBot) up() bool {
	if w.callback != nil {
		return w.callback.Listening()
	}
	return w.client.Connected()
}

// status is the channel's line in /healthz.
func (w *wecomBot) status() ops.ChannelStatus {
	st := ops.ChannelStatus{Name: channelWeComBot}
	if w.callback != nil {
		st.Up = w.callback.Listening()
		if !st.Up {
			st.Detail = "callback endpoint not listening on " + w.cfg.CallbackAddr
		}
		return st
	}
	st.Up, st.Detail = w.client.Status()
	if st.Up {
		st.Detail = ""
	}
	return st
}

// chatSender is the push to AI-bot chats, or nil in callback mode (which
// cannot push).
func (w *wecomBot) chatSender() digest.ChatSender {
	if w == nil || w.client == nil {
		return nil
	}
	return w.client
}

// alert tells the configured AI-bot chat; nil when none is configured.
func (w *wecomBot) alert() func(ctx context.Context, text string) error {
	if w == nil || w.client == nil || w.cfg.AlertChat == "" {
		return nil
	}
	return func(ctx context.Context, text string) error {
		return w.client.SendToChat(ctx, w.cfg.AlertChat, wecom.FitBytes(text, wecom.MaxMarkdownBytes))
	}
}

// wecomBotOptions are the chat core's options for the AI-bot channel: its
// own admins (企业微信 user IDs, which users cannot choose, unlike WeChat
// names) and no WeChat group allowlist.
func wecomBotOptions(base bot.Options, cfg config.Config, svc *digest.Service) bot.Options {
	base.Admins = cfg.WeComBot.Admins
	base.Groups = nil
	if svc != nil {
		base.Digest = wecomDigest{svc}
	}
	return base
}

// wecomDigest serves 订阅, 退订 and 今日推送预览 in AI-bot chats. An AI-bot
// chat is a digest target by configuration (digest.wecom_chats), not by
// 订阅, which adds WeChat groups; the refusal tells the admin the line to
// add.
type wecomDigest struct{ svc *digest.Service }

func (d wecomDigest) Subscribe(_ context.Context, chat string) error {
	id := strings.TrimPrefix(chat, wecom.ChatName(""))
	return fmt.Errorf("企业微信群的每日一读在配置中设置:在 [digest.wecom_chats] 加一行 名称 = \"%s\",重启后生效", id)
}

func (d wecomDigest) Unsubscribe(_ context.Context, chat string) error {
	id := strings.TrimPrefix(chat, wecom.ChatName(""))
	return fmt.Errorf("企业微信群的每日一读在配置中设置:从 [digest.wecom_chats] 删去 \"%s\" 那一行", id)
}

func (d wecomDigest) Preview(ctx context.Context, day time.Time) (string, error) {
	return d.svc.Preview(ctx, day)
}

// alerts joins the ways a logout alert goes out; nil when there is none.
func alerts(sends ...func(ctx context.Context, text string) error) func(ctx context.Context, text string) error {
	var list []func(ctx context.Context, text string) error
	for _, s := range sends {
		if s != nil {
			list = append(list, s)
		}
	}
	if len(list) == 0 {
		return nil
	}
	return func(ctx context.Context, text string) error {
		var errs []error
		for _, s := range list {
			errs = append(errs, s(ctx, text))
		}
		return errors.Join(errs...)
	}
}

// independent runs a chat channel so that its failure is logged and shown
// by /healthz but stops nothing else: the other channel keeps answering.
func independent(name string, run func(context.Context) error, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := run(ctx); err != nil && ctx.Err() == nil {
			log.Error("CHANNEL STOPPED: the other channels keep running", "channel", name, "err", err)
		}
		return nil
	}
}
