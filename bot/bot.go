// Package bot is the chat core of reportbot: a message goes in, replies come
// out. It knows no transport (WeChat and the terminal adapt to it) and no
// storage technology: it declares the small interfaces it needs in
// message.go, and package memstore and package redisstore implement them.
package bot

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/internal/outage"
)

// Options configure a Bot. The zero value of each field has a sensible default.
type Options struct {
	Name   string   // the bot's chat name, default "reportbot"
	Prefix string   // group messages starting with it are answered without an @
	Admins []string // remark names (Message.SenderRemark) allowed to run admin commands
	Groups []string // groups the bot answers in; empty: all

	SessionTTL    time.Duration // default 30 min
	DedupeTTL     time.Duration // how long a message ID is remembered, default DefaultDedupeTTL
	MaxReplyChars int           // characters a reply part, default 600
	MaxReplyParts int           // parts a reply, default 3
	MaxQuestion   int           // characters a question, default 200
	TopHits       int           // answers kept for 更多, default 5
	UserRate      RateLimit     // per sender in a chat, default 5 then one per 12 s; Unlimited: none
	GroupRate     RateLimit     // per group, default 20 then one per 3 s; Unlimited: none
	Location      *time.Location

	Clock  Clock
	Logger *slog.Logger
	// Digest serves 订阅, 退订 and 今日推送预览; nil: not configured.
	Digest DigestControl
	// Reload builds a new searcher from the reports on disk, for 重载; nil:
	// reloading is not available.
	Reload func(ctx context.Context) (Searcher, error)
	// OnAnswer observes every question answered by searching the reports
	// (for metrics); structure commands (目录, 第N部分) are not searches.
	OnAnswer func(found bool, took time.Duration)
}

// DefaultDedupeTTL is how long a message ID is remembered. WeChat delivers a
// message again within seconds (a retried sync, two processes on one
// account) and 企业微信 retries a callback three times within about 15 s;
// ten minutes covers those and a restart, and keeps the IDs a busy bot
// remembers few (docs/stores.md).
const DefaultDedupeTTL = 10 * time.Minute

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "reportbot"
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 30 * time.Minute
	}
	if o.DedupeTTL <= 0 {
		o.DedupeTTL = DefaultDedupeTTL
	}
	if o.MaxReplyChars <= 0 {
		o.MaxReplyChars = 600
	}
	if o.MaxReplyParts <= 0 {
		o.MaxReplyParts = 3
	}
	if o.MaxQuestion <= 0 {
		o.MaxQuestion = 200
	}
	if o.TopHits <= 0 {
		o.TopHits = 5
	}
	if o.UserRate == (RateLimit{}) {
		o.UserRate = RateLimit{Burst: 5, Per: 12 * time.Second}
	}
	if o.GroupRate == (RateLimit{}) {
		o.GroupRate = RateLimit{Burst: 20, Per: 3 * time.Second}
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Bot answers chat messages about the reports.
type Bot struct {
	opts     Options
	store    Store
	searcher atomic.Pointer[Searcher]
	admins   map[string]bool
	groups   map[string]bool
	log      *slog.Logger

	// storeHealth logs a store outage once, and its end once, rather than
	// for every message.
	storeHealth *outage.Tracker
	reloadMu    sync.Mutex
	// staleSessions holds the session keys whose last save failed: the
	// store may still hold a question asked before the outage, which 更多
	// and 详情 must not continue. A key leaves at its next good save.
	staleSessions sync.Map // session key → struct{}
	// derivedOf caches what is derived from the current searcher's reports
	// (example questions, region names).
	derivedOf atomic.Pointer[searcherDerived]
}

// New returns a bot answering from searcher and keeping state in store.
func New(searcher Searcher, store Store, opts Options) *Bot {
	opts = opts.withDefaults()
	b := &Bot{opts: opts, store: store, log: opts.Logger, admins: set(opts.Admins), groups: set(opts.Groups)}
	b.storeHealth = &outage.Tracker{
		Down: func(err error) {
			b.log.Warn("state store unavailable: answering without sessions, de-duplication and rate limits until it returns", "err", err)
		},
		Up: func() { b.log.Info("state store reachable again") },
	}
	b.searcher.Store(&searcher)
	return b
}

func set(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			m[n] = true
		}
	}
	return m
}

// Searcher is the searcher in use (it changes on 重载).
func (b *Bot) Searcher() Searcher { return *b.searcher.Load() }

// Handle answers one message. It returns no reply when the bot should stay
// silent (its own message, a group message not meant for it, a duplicate, a
// flood); otherwise the reply, split into parts that fit a chat message.
func (b *Bot) Handle(ctx context.Context, m Message) []Reply {
	if m.FromSelf {
		return nil
	}
	text := cleanText(m.Text)
	if m.Group {
		if len(b.groups) > 0 && !b.groups[m.Chat] {
			return nil
		}
		switch {
		case m.Mentioned:
		case b.opts.Prefix != "" && strings.HasPrefix(text, b.opts.Prefix):
			text = strings.TrimSpace(strings.TrimPrefix(text, b.opts.Prefix))
		default:
			return nil
		}
		if m.Kind != KindText {
			return nil
		}
	}
	d, err := b.store.Admit(ctx, b.admission(m))
	b.storeResult(err)
	switch {
	case err != nil:
		// The store is down: answer anyway, without de-duplication or
		// throttling, rather than fall silent.
	case d.Duplicate:
		return nil
	case !d.Allowed:
		if d.Warn {
			return b.replies(m, rateNotice)
		}
		return nil
	}
	var a Answer
	if m.Kind != KindText {
		a = Answer{Text: b.nonTextHint()}
	} else {
		a = b.respond(ctx, incoming{conv: &conversation{bot: b, key: sessionKey(m)}, admin: m.SenderRemark != "" && b.admins[m.SenderRemark], chat: m.Chat, group: m.Group}, text)
	}
	return b.replies(m, a.Text)
}

// admission is what decides whether m is answered: its ID, then the
// group's bucket and the sender's. A flood gets one notice (warn), then
// silence until the bucket refills.
func (b *Bot) admission(m Message) AdmitRequest {
	r := AdmitRequest{Scope: m.Chat, MsgID: m.ID, DedupeTTL: b.opts.DedupeTTL, Now: b.opts.Clock.Now()}
	if m.Group {
		r.Buckets = append(r.Buckets, Bucket{Key: "group/" + strconv.Quote(m.Chat), Limit: b.opts.GroupRate})
	}
	r.Buckets = append(r.Buckets, Bucket{Key: "user/" + sessionKey(m), Limit: b.opts.UserRate})
	return r
}

// storeResult logs a store fault once and its recovery once; the bot keeps
// answering without the store meanwhile.
func (b *Bot) storeResult(err error) { b.storeHealth.Observe(err) }

// sessionKey joins two names unambiguously: names may contain anything.
func sessionKey(m Message) string { return strconv.Quote(m.Chat) + "/" + strconv.Quote(m.Sender) }

// cleanText trims spaces (including U+3000), zero-width characters and the
// control characters chat clients leave in.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u2005':
			return ' '
		case unicode.IsControl(r) && r != '\n':
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(strings.TrimFunc(s, unicode.IsSpace))
}

// Hits resolved from a session's references; a reference that no longer
// resolves (the reports were reloaded) is dropped.
func (b *Bot) resolve(refs []HitRef) []corpus.Hit {
	reports := map[string]*corpus.Report{}
	for _, r := range b.Searcher().Reports() {
		reports[r.ID] = r
	}
	var hits []corpus.Hit
	for _, ref := range refs {
		r := reports[ref.Report]
		if r == nil {
			continue
		}
		if s := r.Sentence(ref.Paragraph, ref.Sentence); s != nil {
			hits = append(hits, corpus.Hit{Report: r, Sentence: s})
		}
	}
	return hits
}

func refs(hits []corpus.Hit) []HitRef {
	out := make([]HitRef, len(hits))
	for i, h := range hits {
		out[i] = HitRef{Report: h.Report.ID, Paragraph: h.Sentence.Paragraph.Index, Sentence: h.Sentence.Index}
	}
	return out
}
