package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/config"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/store/memstore"
	"github.com/reportbot/reportbot/store/redisstore"
)

// configFlags are the flags that override configuration keys; the config
// file (--config or $REPORTBOT_CONFIG) and REPORTBOT_* variables come first.
type configFlags struct {
	fs   *flag.FlagSet
	path string
	keys map[string]*string // flag name → value
}

var flagKeys = map[string]string{
	"redis":     "redis.url",
	"corpus":    "corpus.dir",
	"index":     "corpus.index_dir",
	"thesaurus": "corpus.thesaurus",
	"name":      "bot.name",
}

func registerConfigFlags(fs *flag.FlagSet, names ...string) *configFlags {
	c := &configFlags{fs: fs, keys: map[string]*string{}}
	fs.StringVar(&c.path, "config", "", "config file (TOML) [$REPORTBOT_CONFIG]")
	help := map[string]string{
		"redis":     "Redis URL for sessions, de-duplication, rate limits and statistics; empty: in memory",
		"corpus":    "folder of reports (.txt, .md, .html); empty: the embedded 2022 report",
		"index":     "folder for an on-disk index reused across runs; empty: in memory",
		"thesaurus": "extra thesaurus file (WORD => REWRITE, ...)",
		"name":      "the bot's chat name; group messages must @ it",
	}
	for _, n := range names {
		c.keys[n] = fs.String(n, "", help[n]+" [$"+config.EnvVar(flagKeys[n])+"]")
	}
	return c
}

// errHelpShown means the command's usage was printed on request
// (COMMAND --help): nothing more to do, exit status 0.
var errHelpShown = errors.New("help shown")

// parse parses the command line and resolves the configuration.
func (c *configFlags) parse(args []string, getenv func(string) string) (config.Config, error) {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config.Config{}, errHelpShown
		}
		return config.Config{}, usageError{err.Error()}
	}
	return c.load(getenv)
}

// load resolves the configuration: defaults < file < environment < flags.
func (c *configFlags) load(getenv func(string) string) (config.Config, error) {
	cfg, err := config.Load(c.path, getenv)
	if err != nil {
		return cfg, err
	}
	var setErr error
	c.fs.Visit(func(f *flag.Flag) {
		if key, ok := flagKeys[f.Name]; ok && setErr == nil {
			if err := cfg.Set(key, f.Value.String()); err != nil {
				setErr = fmt.Errorf("--%s: %w", f.Name, err)
			}
		}
	})
	if setErr != nil {
		return cfg, setErr
	}
	return cfg, cfg.Validate()
}

// loadReports reads the configured reports; bad files are logged and skipped.
func loadReports(cfg config.Config, log *slog.Logger) ([]*corpus.Report, error) {
	if cfg.Corpus.Dir == "" {
		rs, err := corpus.Default()
		if err != nil {
			return nil, fmt.Errorf("load the embedded report: %w", err)
		}
		return rs, nil
	}
	rs, skipped, err := corpus.LoadDir(cfg.Corpus.Dir)
	logSkipped(log, skipped)
	if err != nil {
		return nil, &bot.ReloadError{Reason: "报告目录里没有可读的报告", Err: err}
	}
	return rs, nil
}

// openIndex indexes the configured reports, on disk when configured. A
// report folder goes through index.OpenDir, so that an on-disk index parses
// only the files that changed since it last saw them. progress may be nil.
func openIndex(ctx context.Context, cfg config.Config, log *slog.Logger, progress func(index.Progress)) (*index.Index, error) {
	opts, err := indexOptions(cfg, log)
	if err != nil {
		return nil, err
	}
	opts.Progress = progress
	if cfg.Corpus.Dir != "" {
		ix, skipped, err := index.OpenDir(ctx, cfg.Corpus.IndexDir, cfg.Corpus.Dir, opts)
		logSkipped(log, skipped)
		return ix, indexError(err)
	}
	reports, err := loadReports(cfg, log)
	if err != nil {
		return nil, err
	}
	var ix *index.Index
	if cfg.Corpus.IndexDir == "" {
		ix, err = index.Build(ctx, reports, opts)
	} else {
		ix, err = index.Open(ctx, cfg.Corpus.IndexDir, reports, opts)
	}
	return ix, indexError(err)
}

func indexOptions(cfg config.Config, log *slog.Logger) (index.Options, error) {
	th, err := index.LoadThesaurus(cfg.Corpus.Thesaurus)
	if err != nil {
		return index.Options{}, &bot.ReloadError{Reason: "同义词文件读不了", Err: err}
	}
	return index.Options{Thesaurus: th, Logger: log}, nil
}

func logSkipped(log *slog.Logger, skipped []corpus.Skipped) {
	for _, s := range skipped {
		log.Warn("skipped a file of the report folder", "file", s.File, "reason", s.Reason)
	}
}

// indexError gives an index error the short Chinese reason a failed 重载
// shows in chat.
func indexError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, index.ErrNoReports):
		return &bot.ReloadError{Reason: "报告目录里没有可读的报告", Err: err}
	}
	return &bot.ReloadError{Reason: "建立索引出错", Err: err}
}

// openStore is Redis when configured (also returned, for the digest's
// state), else memory. The close func is never nil.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (bot.Store, *redisstore.Store, func(), error) {
	if cfg.Redis.URL == "" {
		return memstore.New(), nil, func() {}, nil
	}
	s, err := openRedis(ctx, cfg, log)
	if err != nil {
		return nil, nil, nil, err
	}
	return s, s, func() { s.Close() }, nil
}

// redisWaitMax bounds the pause between attempts to reach Redis at start.
const redisWaitMax = 30 * time.Second

// openRedisWaiting is openRedis for serve: a Redis that is down at boot is
// waited for, with a log line per attempt and doubling pauses up to 30 s,
// rather than exiting, so a supervisor sees one process that starts serving
// once Redis is back. When ctx ends first it returns ctx's error.
func openRedisWaiting(ctx context.Context, cfg config.Config, log *slog.Logger) (*redisstore.Store, error) {
	wait := time.Second
	for attempt := 1; ; attempt++ {
		s, err := openRedis(ctx, cfg, log)
		if err == nil {
			if attempt > 1 {
				log.Info("redis reachable; starting", "attempts", attempt)
			}
			return s, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		log.Warn("redis unreachable at start: waiting for it before serving (SIGTERM stops)", "err", err, "attempt", attempt, "retry_in", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		wait = min(2*wait, redisWaitMax)
	}
}

// openRedis connects to the configured Redis, with go-redis's own log lines
// routed to log.
func openRedis(ctx context.Context, cfg config.Config, log *slog.Logger) (*redisstore.Store, error) {
	redisstore.RouteDriverLog(log)
	return redisstore.Open(ctx, cfg.Redis.URL, redisstore.WithLogger(log))
}

// botOptions translates configuration into the chat core's options.
func botOptions(cfg config.Config, log *slog.Logger) bot.Options {
	return bot.Options{
		Name:          cfg.Bot.Name,
		Prefix:        cfg.Bot.Prefix,
		Admins:        cfg.Bot.Admins,
		Groups:        cfg.Bot.Groups,
		SessionTTL:    cfg.Bot.SessionTTL,
		MaxReplyChars: cfg.Bot.MaxReplyChars,
		MaxReplyParts: cfg.Bot.MaxReplyParts,
		UserRate:      bot.RateLimit{Burst: cfg.Bot.UserRate.Burst, Per: cfg.Bot.UserRate.Per()},
		GroupRate:     bot.RateLimit{Burst: cfg.Bot.GroupRate.Burst, Per: cfg.Bot.GroupRate.Per()},
		Location:      cfg.Bot.Timezone.Location(),
		Logger:        log,
	}
}

// indexes owns the index in use. 重载 brings it up to date: the reports
// that did not change are shared by the old index and the new one, and the
// old one stays usable for the searches running on it until they end.
type indexes struct {
	cfg config.Config
	log *slog.Logger

	mu  sync.Mutex
	cur *index.Index
}

func openIndexes(ctx context.Context, cfg config.Config, log *slog.Logger) (*indexes, error) {
	ix, err := openIndex(ctx, cfg, log, nil)
	if err != nil {
		return nil, err
	}
	return &indexes{cfg: cfg, log: log, cur: ix}, nil
}

// current is the index in use.
func (x *indexes) current() *index.Index {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.cur
}

// reload is bot.Options.Reload: nil when the reports are the embedded ones.
// It updates the index in use (on disk when configured) rather than
// building a second one beside it.
func (x *indexes) reload() func(ctx context.Context) (bot.Searcher, error) {
	if x.cfg.Corpus.Dir == "" {
		return nil
	}
	return func(ctx context.Context) (bot.Searcher, error) {
		opts, err := indexOptions(x.cfg, x.log)
		if err != nil {
			return nil, err
		}
		x.mu.Lock()
		defer x.mu.Unlock()
		ix, skipped, err := x.cur.Reload(ctx, x.cfg.Corpus.Dir, opts)
		logSkipped(x.log, skipped)
		if err != nil {
			return nil, indexError(err)
		}
		// The replaced index is not closed: it hands bleve on, and is
		// collected once the searches running on it end.
		x.cur = ix
		// Every chat core of the process searches through the live searcher,
		// so they all move to the updated index.
		return x.live(), nil
	}
}

// reloadWithDigest is reload, also moving the digest (when there is one) to
// the new reports.
func (x *indexes) reloadWithDigest(svc *digest.Service) func(ctx context.Context) (bot.Searcher, error) {
	reload := x.reload()
	if reload == nil || svc == nil {
		return reload
	}
	return func(ctx context.Context) (bot.Searcher, error) {
		s, err := reload(ctx)
		if err == nil {
			svc.SetReports(s.Reports())
		}
		return s, err
	}
}

// live is a searcher that always searches the index in use, so that every
// chat core of the process (one per channel) moves to the new index when
// any of them runs 重载.
func (x *indexes) live() bot.Searcher { return liveSearcher{x} }

type liveSearcher struct{ x *indexes }

func (s liveSearcher) Search(ctx context.Context, question string, limit int) ([]corpus.Hit, error) {
	return s.x.current().Search(ctx, question, limit)
}

func (s liveSearcher) Reports() []*corpus.Report { return s.x.current().Reports() }

func (s liveSearcher) Compare(ctx context.Context, question string) (corpus.Comparison, bool, error) {
	return s.x.current().Compare(ctx, question)
}

// Close closes the index in use.
func (x *indexes) Close() error { return x.current().Close() }
