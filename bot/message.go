package bot

import (
	"context"
	"time"

	"github.com/reportbot/reportbot/corpus"
)

// Kind is what a chat message carries.
type Kind int

const (
	KindText Kind = iota
	KindImage
	KindVoice
	KindFile
	KindLink
	KindOther
)

// Message is one incoming chat message, already translated from the
// transport (WeChat, the terminal) into plain facts.
type Message struct {
	ID     string // transport message ID, used for de-duplication; "" disables it
	Chat   string // stable chat name: the group's name, or the peer's name in a private chat
	Group  bool   // true in group chats
	Sender string // stable display name of the sender
	// SenderRemark is the name the bot's operator gave the sender, from
	// something only the operator controls (in WeChat: the remark name,
	// 备注, the bot's account set on the contact); "" when there is none.
	// Admin rights are matched against it, never against Sender: anyone can
	// rename themselves to an admin's display name.
	SenderRemark string
	// Text with any leading @mention of the bot already removed.
	Text      string
	Mentioned bool // the message @-mentions the bot
	FromSelf  bool // sent by the bot's own account
	Kind      Kind
}

// Reply is one outgoing chat message. A long answer becomes several replies
// to the same chat, in order.
type Reply struct {
	Chat  string
	Group bool
	Text  string
}

// Searcher finds the sentences of the reports that answer a question.
// An empty result means the reports do not cover the question.
type Searcher interface {
	Search(ctx context.Context, question string, limit int) ([]corpus.Hit, error)
	// Compare answers a question that spans reports (years, regions, a
	// target and its outcome); ok is false when the question is no such one.
	Compare(ctx context.Context, question string) (cmp corpus.Comparison, ok bool, err error)
	// Reports are the reports searched, in a stable order.
	Reports() []*corpus.Report
}

// Session is what the bot remembers of one person's conversation in one chat.
type Session struct {
	Question string   `json:"q"`
	Hits     []HitRef `json:"hits"`
	Cursor   int      `json:"cursor"` // index of the next hit 更多 shows
}

// HitRef names a hit stably across processes and reloads of the same corpus.
type HitRef struct {
	Report    string `json:"r"` // corpus.Report.ID
	Paragraph int    `json:"p"` // corpus.Paragraph.Index
	Sentence  int    `json:"s"` // corpus.Sentence.Index
}

// SessionStore keeps sessions by a stable key (chat name + sender name).
type SessionStore interface {
	// GetSession returns ok=false when there is no live session.
	GetSession(ctx context.Context, key string) (s Session, ok bool, err error)
	PutSession(ctx context.Context, key string, s Session, ttl time.Duration) error
}

// Deduper tells whether a message ID is seen for the first time, across all
// bot processes sharing the store.
type Deduper interface {
	FirstSeen(ctx context.Context, msgID string, ttl time.Duration) (bool, error)
}

// RateLimit is a token bucket: Burst tokens, refilled at Per per token.
// A Burst of zero or less lets every message through.
type RateLimit struct {
	Burst int
	Per   time.Duration
}

// Unlimited is a RateLimit that never refuses (the zero RateLimit in
// Options means "the default" instead).
var Unlimited = RateLimit{Burst: -1}

// RateDecision is the outcome of taking one token.
type RateDecision struct {
	Allowed bool
	// Warn is true on the first refusal since the last allowed message, so a
	// flood gets one polite notice and then silence.
	Warn bool
}

// RateLimiter takes one token from the bucket named key.
type RateLimiter interface {
	Take(ctx context.Context, key string, limit RateLimit, now time.Time) (RateDecision, error)
}

// QuestionEvent is one answered-or-not question, for 统计.
type QuestionEvent struct {
	Day      string // YYYY-MM-DD in the bot's time zone
	Question string
	Found    bool
	At       time.Time
}

// StatsSummary is what 统计 shows for one day.
type StatsSummary struct {
	Questions  int
	Found      int
	NotFound   int
	Top        []QuestionCount // most asked first, at most 5
	Unanswered []string        // latest not-found questions, newest first, at most 5
}

// QuestionCount is one line of the top-questions list.
type QuestionCount struct {
	Question string
	Count    int
}

// Stats records questions and summarises a day.
type Stats interface {
	RecordQuestion(ctx context.Context, e QuestionEvent) error
	Summary(ctx context.Context, day string) (StatsSummary, error)
}

// Store is everything the bot keeps between messages. The in-memory store
// (package memstore) and the Redis store (package redisstore) implement it.
type Store interface {
	SessionStore
	Deduper
	RateLimiter
	Stats
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
}

// Clock tells the time; tests substitute a fixed or stepping clock.
type Clock interface {
	Now() time.Time
}

// DigestControl is what the admin chat commands 订阅, 退订 and 今日推送预览
// need from the daily digest.
type DigestControl interface {
	Subscribe(ctx context.Context, group string) error
	// Unsubscribe's error text is shown to the admin as the reason.
	Unsubscribe(ctx context.Context, group string) error
	// Preview returns the digest text of the given day.
	Preview(ctx context.Context, day time.Time) (string, error)
}
