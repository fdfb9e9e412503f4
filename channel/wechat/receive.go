package wechat

import (
	"context"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/eatmoreapple/openwechat"

	"github.com/reportbot/reportbot/bot"
)

// incoming is a received message copied out of openwechat's Message on the
// sync goroutine, so that handling it touches nothing openwechat owns.
type incoming struct {
	sess     *session
	id       string
	from, to string // UserNames
	// raw is the content as WeChat sent it: in a group, "<member
	// UserName>:<br/>text". content is openwechat's cleaned text (prefix
	// removed, <br/> as newlines, HTML entities and emoji decoded).
	raw, content string
	msgType      openwechat.MessageType
	appType      openwechat.AppMessageType
	url          string
	fromSelf     bool
	// atByLib is openwechat's own mention check (a substring test against
	// the group name it fetched), the fallback when ours lacks the name.
	atByLib bool
}

// onMessage runs on openwechat's sync goroutine for every received
// message. It must not block: it copies the message and hands it to the
// worker, dropping it when the worker is that far behind.
func (s *session) onMessage(msg *openwechat.Message) {
	if msg.StatusNotify() || msg.IsSysNotice() {
		return // protocol bookkeeping, not chat
	}
	select {
	case <-s.ready: // login has finished filling in the session
	case <-s.bot.Context().Done():
		return
	}
	in := incoming{
		sess:     s,
		id:       msg.MsgId,
		from:     msg.FromUserName,
		to:       msg.ToUserName,
		raw:      msg.RawContent,
		content:  msg.Content,
		msgType:  msg.MsgType,
		appType:  msg.AppMsgType,
		url:      msg.Url,
		fromSelf: msg.IsSendBySelf(),
		atByLib:  msg.IsAt(),
	}
	c := s.client
	c.opts.Metrics.MessageReceived()
	select {
	case c.inbox <- in:
	default:
		c.log.Warn("receive queue full: dropping a message", "msg_id", in.id, "queue", cap(c.inbox))
	}
}

// receiveLoop hands received messages to the Handler, one at a time so
// that replies keep the order of the questions. Once stopping is closed it
// handles what was already received and returns.
func (c *Client) receiveLoop(ctx context.Context, stopping <-chan struct{}) {
	for {
		select {
		case in := <-c.inbox:
			c.handle(ctx, in)
		case <-stopping:
			for {
				select {
				case in := <-c.inbox:
					c.handle(ctx, in)
				default:
					return
				}
			}
		case <-ctx.Done():
			return
		}
	}
}

func (c *Client) handle(ctx context.Context, in incoming) {
	if ctx.Err() != nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("handler panicked", "msg_id", in.id, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	m, chatUser := in.sess.convert(ctx, in)
	for _, r := range c.opts.Handler.Handle(ctx, m) {
		if r.Text == "" {
			continue
		}
		item := &outgoing{chat: r.Chat, group: r.Group, text: r.Text}
		if r.Chat == m.Chat && r.Group == m.Group {
			// Answer exactly the chat the question came from, even when
			// another chat has the same name.
			item.hintSess, item.hintUser = in.sess, chatUser
		}
		if !c.outbox.push(item) {
			c.log.Error("send queue full: dropping a reply", "chat", r.Chat, "queue", c.opts.SendQueueSize)
			c.opts.Metrics.SendFailed()
		}
	}
}

// convert turns a received message into the chat core's terms, with stable
// names instead of UserNames. It also returns the chat's UserName.
func (s *session) convert(ctx context.Context, in incoming) (bot.Message, string) {
	chatUser := in.from
	if in.fromSelf {
		chatUser = in.to
	}
	group := isGroupUserName(chatUser)
	m := bot.Message{
		Group:    group,
		FromSelf: in.fromSelf,
		Kind:     kindOf(in),
	}
	if in.id != "" {
		// Two bot accounts in one group see the same MsgId; each answers.
		m.ID = s.client.opts.Account + ":" + in.id
	}
	chat, ok := s.contacts.chat(ctx, chatUser)
	if ok {
		m.Chat = chat.nick
	} else {
		// Unnamed groups, or contacts WeChat would not describe: the
		// UserName works for this login session only.
		s.log.Warn("chat name unknown; using its session-bound UserName", "user", chatUser)
		m.Chat = chatUser
	}

	text := in.content
	if group {
		botNames := []string{s.self.NickName}
		me, knowMe := s.contacts.member(ctx, chatUser, s.self.UserName)
		if knowMe && me.display != "" {
			botNames = append(botNames, me.display)
		}
		if in.fromSelf {
			m.Sender = botNames[len(botNames)-1]
		} else if memberUser, _, ok := strings.Cut(in.raw, ":<br/>"); ok && strings.HasPrefix(memberUser, "@") {
			if mem, ok := s.contacts.member(ctx, chatUser, memberUser); ok && mem.name() != "" {
				m.Sender = mem.name()
			} else {
				s.log.Warn("group member name unknown; using its session-bound UserName", "group", m.Chat, "user", memberUser)
				m.Sender = memberUser
			}
			// Within a login a member's UserName is the same as their
			// contact's, so a friend in a group is known by their remark.
			m.SenderRemark = s.contacts.remark(ctx, memberUser)
		}
		text, m.Mentioned = stripMention(text, botNames)
		if !m.Mentioned && !knowMe && in.atByLib {
			// Our member list of the group failed to load, so the bot's
			// name in this group is unknown; openwechat saw a mention.
			m.Mentioned = true
			if at, rest, ok := strings.Cut(text, "\u2005"); ok && strings.HasPrefix(at, "@") {
				text = strings.TrimSpace(rest)
			}
		}
	} else {
		if in.fromSelf {
			m.Sender = s.self.NickName
		} else {
			m.Sender = m.Chat
			m.SenderRemark = chat.remark
		}
		text, _ = stripMention(text, []string{s.self.NickName})
	}
	m.Text = text
	return m, chatUser
}

// quoteSeparator ends the quoted message that WeChat puts before the text
// of a reply that quotes (引用) an earlier message: 「name：quoted」, then
// this line, then the reply.
const quoteSeparator = "\n- - - - - - - - - - - - - - -\n"

// stripMention removes the @-mentions of the bot (by any of names) from a
// group text and reports whether there was one. WeChat writes a mention as
// "@name" and U+2005 (four-per-em space); typed by hand it is often
// "@name" and a plain space, or "@name" at the very end. A mention inside a
// quoted message does not count.
func stripMention(text string, names []string) (string, bool) {
	if strings.HasPrefix(text, "「") {
		if i := strings.LastIndex(text, quoteSeparator); i >= 0 {
			text = text[i+len(quoteSeparator):]
		}
	}
	// Longest name first, so "@bot helper" is not cut as "@bot".
	uniq := make([]string, 0, len(names))
	for _, n := range names {
		if n != "" && !slices.Contains(uniq, n) {
			uniq = append(uniq, n)
		}
	}
	slices.SortFunc(uniq, func(a, b string) int { return len(b) - len(a) })
	mentioned := false
	for _, n := range uniq {
		at := "@" + n
		for _, sep := range []string{"\u2005", " ", "\u3000", "\n"} {
			if strings.Contains(text, at+sep) {
				text = strings.ReplaceAll(text, at+sep, " ")
				mentioned = true
			}
		}
		if trimmed := strings.TrimRight(text, " \t"); strings.HasSuffix(trimmed, at) {
			text = strings.TrimSuffix(trimmed, at)
			mentioned = true
		}
	}
	return strings.TrimSpace(text), mentioned
}

func kindOf(in incoming) bot.Kind {
	switch in.msgType {
	case openwechat.MsgTypeText:
		if in.url == "" {
			return bot.KindText
		}
		return bot.KindOther // a shared location
	case openwechat.MsgTypeImage, openwechat.MsgTypeEmoticon:
		return bot.KindImage
	case openwechat.MsgTypeVoice:
		return bot.KindVoice
	case openwechat.MsgTypeApp:
		switch in.appType {
		case openwechat.AppMsgTypeAttach:
			return bot.KindFile
		case openwechat.AppMsgTypeUrl:
			return bot.KindLink
		}
	}
	return bot.KindOther
}

func isGroupUserName(userName string) bool { return strings.HasPrefix(userName, "@@") }
