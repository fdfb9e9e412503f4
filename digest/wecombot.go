package digest

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// WeComBotPrefix starts the target name of a 企业微信 AI-bot chat
// (digest.wecom_chats).
const WeComBotPrefix = "wecombot:"

// ChatSender pushes markdown to a 企业微信 AI-bot chat by its chat ID
// (aibot_send_msg); wecom.Client implements it. An error wrapping
// wecom.ErrMaybeDelivered means the push went out but its fate is unknown
// (recorded unknown, not retried); any other error means nothing was sent.
type ChatSender interface {
	SendToChat(ctx context.Context, chat, markdown string) error
}

// WithWeComBot gives the digest the AI bot's connection, for the targets
// of Config.WeComChats. Without it those targets fail with a reason (only
// the process holding the bot's connection can push).
func WithWeComBot(bot ChatSender) Option {
	return func(s *Service) { s.wecomBot = bot }
}

var errWeComBotDown = errors.New("the 企业微信 AI bot is not connected in this process (only `reportbot serve` with [wecom_bot] in websocket mode pushes to its chats)")

// chatTargets are the AI-bot chats, sorted by name.
func (s *Service) chatTargets() []target {
	names := make([]string, 0, len(s.cfg.WeComChats))
	for name := range s.cfg.WeComChats {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]target, len(names))
	for i, name := range names {
		out[i] = target{name: WeComBotPrefix + name, chat: name}
	}
	return out
}

// sendToChat pushes text to the AI-bot chat of target t.
func (s *Service) sendToChat(ctx context.Context, t target, text string) error {
	if s.wecomBot == nil {
		return errWeComBotDown
	}
	return s.wecomBot.SendToChat(ctx, s.cfg.WeComChats[t.chat], text)
}

// checkChats validates digest.wecom_chats.
func checkChats(chats map[string]string, bad func(key, format string, args ...any)) {
	for name, chat := range chats {
		switch {
		case strings.TrimSpace(name) == "":
			bad("wecom_chats", "a chat has an empty name")
		case strings.TrimSpace(chat) == "" || strings.TrimSpace(chat) != chat:
			bad("wecom_chats."+name, "%q: want the chat ID (or single:USERID), without spaces", chat)
		}
	}
}
