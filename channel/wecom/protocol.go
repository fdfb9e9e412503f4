package wecom

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reportbot/reportbot/bot"
)

// The AI bot's long-connection protocol (docs path/101463): every frame is
// JSON {cmd, headers: {req_id}, body}; the server acknowledges a command
// with a frame carrying the same req_id, errcode and errmsg.
const (
	cmdSubscribe     = "aibot_subscribe"
	cmdPing          = "ping"
	cmdMsgCallback   = "aibot_msg_callback"
	cmdEventCallback = "aibot_event_callback"
	cmdRespond       = "aibot_respond_msg"
	cmdSend          = "aibot_send_msg"

	// eventDisconnected tells that a newer connection with the same bot
	// ID replaced ours; the server closes ours after it.
	eventDisconnected = "disconnected_event"
)

// Error codes users of the AI bot report.
const (
	CodeInvalidReqID  = 846605 // the req_id of a reply is unknown or too old
	CodeStreamExpired = 846608 // a stream was updated after it expired
)

// Limits of one message, in bytes of UTF-8 (a stream's content is capped at
// 20480 bytes; markdown is kept to the same).
const MaxReplyBytes = 20480

// Chat types of aibot_send_msg.
const (
	chatTypeSingle = 1
	chatTypeGroup  = 2
)

// SinglePrefix marks a private chat in a chat target: "single:USERID"
// pushes to that person; a bare chat ID is a group chat.
const SinglePrefix = "single:"

type frame struct {
	Cmd     string          `json:"cmd,omitempty"`
	Headers headers         `json:"headers"`
	Body    json.RawMessage `json:"body,omitempty"`
	ErrCode int             `json:"errcode,omitempty"`
	ErrMsg  string          `json:"errmsg,omitempty"`
}

// err is the outcome an acknowledgement reports: nil, or an *APIError.
func (f frame) err() error {
	if f.ErrCode != 0 {
		return &APIError{Code: f.ErrCode, Message: f.ErrMsg}
	}
	return nil
}

type headers struct {
	ReqID string `json:"req_id"`
}

type subscribeBody struct {
	BotID  string `json:"bot_id"`
	Secret string `json:"secret"`
}

type content struct {
	Content string `json:"content"`
}

type stream struct {
	ID      string `json:"id"`
	Finish  bool   `json:"finish"`
	Content string `json:"content"`
}

// replyBody is the body of aibot_respond_msg (and of an encrypted callback
// reply): markdown, or a stream that finishes at once.
type replyBody struct {
	MsgType  string   `json:"msgtype"`
	Markdown *content `json:"markdown,omitempty"`
	Stream   *stream  `json:"stream,omitempty"`
}

func newReplyBody(text string, asStream bool) replyBody {
	if asStream {
		return replyBody{MsgType: "stream", Stream: &stream{ID: newReqID(), Finish: true, Content: text}}
	}
	return replyBody{MsgType: "markdown", Markdown: &content{Content: text}}
}

type sendBody struct {
	ChatID   string   `json:"chatid"`
	ChatType int      `json:"chat_type"`
	MsgType  string   `json:"msgtype"`
	Markdown *content `json:"markdown"`
}

// callbackBody is an incoming message or event, the same JSON in the
// long-connection and the callback mode.
type callbackBody struct {
	MsgID    string `json:"msgid"`
	AIBotID  string `json:"aibotid"`
	ChatID   string `json:"chatid"`
	ChatType string `json:"chattype"` // "single" or "group"
	From     struct {
		UserID string `json:"userid"`
	} `json:"from"`
	MsgType string   `json:"msgtype"`
	Text    *content `json:"text"`
	// Voice carries 企业微信's transcription.
	Voice *content `json:"voice"`
	Mixed *struct {
		Items []struct {
			MsgType string   `json:"msgtype"`
			Text    *content `json:"text"`
		} `json:"msg_item"`
	} `json:"mixed"`
	Event *struct {
		EventType string `json:"eventtype"`
	} `json:"event"`
}

// ChatName is the bot.Message.Chat of an AI-bot chat: its chat ID (a
// group) or the person's user ID (a private chat), prefixed so that it never
// meets a WeChat group's or contact's name in the shared store.
func ChatName(chatID string) string { return "wecom:" + chatID }

// isGroup is true for group chats; anything but "group" counts as private,
// the safer reading (a private chat is answered without an @).
func (cb *callbackBody) isGroup() bool { return cb.ChatType == "group" }

// chatTarget is where a proactive push reaches this message's chat.
func (cb *callbackBody) chatTarget() string {
	if cb.isGroup() && cb.ChatID != "" {
		return cb.ChatID
	}
	return SinglePrefix + cb.From.UserID
}

// message translates the callback for the chat core. ID is scoped by the
// bot, so two AI bots in one group each answer.
func (cb *callbackBody) message(botID string, names []string) bot.Message {
	// The user ID is assigned by the enterprise's administrators and cannot
	// be changed by its holder, so it is what admin rights are tied to
	// (wecom_bot.admins lists user IDs), never a display name.
	m := bot.Message{Group: cb.isGroup(), Sender: cb.From.UserID, SenderRemark: cb.From.UserID}
	if cb.MsgID != "" {
		m.ID = "wecom:" + botID + ":" + cb.MsgID
	}
	if m.Group {
		m.Chat = ChatName(cb.ChatID)
		// 企业微信 delivers a group message to the AI bot only when it
		// @-mentions the bot.
		m.Mentioned = true
	} else {
		m.Chat = ChatName(cb.From.UserID)
	}
	text, kind := cb.text()
	m.Kind = kind
	if m.Group {
		text = stripMention(text, names)
	}
	m.Text = text
	return m
}

// text is what the message says and what it carries.
func (cb *callbackBody) text() (string, bot.Kind) {
	switch cb.MsgType {
	case "text":
		if cb.Text != nil {
			return cb.Text.Content, bot.KindText
		}
		return "", bot.KindText
	case "voice":
		if cb.Voice != nil && strings.TrimSpace(cb.Voice.Content) != "" {
			return cb.Voice.Content, bot.KindText
		}
		return "", bot.KindVoice
	case "mixed":
		var parts []string
		if cb.Mixed != nil {
			for _, it := range cb.Mixed.Items {
				if it.MsgType == "text" && it.Text != nil {
					parts = append(parts, it.Text.Content)
				}
			}
		}
		if len(parts) == 0 {
			return "", bot.KindImage
		}
		return strings.Join(parts, "\n"), bot.KindText
	case "image":
		return "", bot.KindImage
	case "file":
		return "", bot.KindFile
	case "link":
		return "", bot.KindLink
	}
	return "", bot.KindOther
}

// stripMention removes the @-mention of the bot from a group text. The
// bot's name in 企业微信 is not in the callback, so besides the configured
// names, a leading "@word" is taken for the bot: 企业微信 only delivers
// group texts that @ the bot, and people write the @ first.
func stripMention(text string, names []string) string {
	text = strings.TrimSpace(text)
	uniq := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == "" })
	slices.SortFunc(uniq, func(a, b string) int { return len(b) - len(a) })
	for _, n := range uniq {
		at := "@" + n
		if i := strings.Index(text, at); i >= 0 {
			// "@reportbot2" is someone else.
			if rest := text[i+len(at):]; rest == "" || startsWithSpace(rest) {
				return strings.TrimSpace(text[:i] + " " + rest)
			}
		}
	}
	if strings.HasPrefix(text, "@") {
		if i := strings.IndexFunc(text, unicode.IsSpace); i > 0 {
			return strings.TrimSpace(text[i:])
		}
		return "" // only "@bot": the short help
	}
	return text
}

func startsWithSpace(s string) bool {
	for _, r := range s {
		return unicode.IsSpace(r)
	}
	return false
}

// Handler answers one chat message. bot.Bot satisfies it.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) []bot.Reply
}

// Metrics counts what the channel does, for the ops endpoints.
type Metrics interface {
	MessageReceived()
	ReplySent()
	SendFailed()
}

type noMetrics struct{}

func (noMetrics) MessageReceived() {}
func (noMetrics) ReplySent()       {}
func (noMetrics) SendFailed()      {}

// answer runs the handler and joins its replies to this chat into one
// message (the chat core splits long answers for WeChat; 企业微信 carries
// them whole), cut to MaxReplyBytes.
func answer(ctx context.Context, h Handler, m bot.Message) string {
	var parts []string
	for _, r := range h.Handle(ctx, m) {
		if r.Text != "" && r.Chat == m.Chat {
			parts = append(parts, r.Text)
		}
	}
	return FitBytes(strings.Join(parts, "\n\n"), MaxReplyBytes)
}

// FitBytes cuts s to at most n bytes of UTF-8, ending in … when it cut.
func FitBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n-len("…"), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
