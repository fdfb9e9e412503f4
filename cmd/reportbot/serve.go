package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"sync"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/channel/wechat"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/ops"
	"github.com/reportbot/reportbot/store/memstore"
	"github.com/reportbot/reportbot/store/redisstore"
	"github.com/reportbot/reportbot/wecom"
)

// handlerFunc lets the WeChat client be built before the bot it feeds: the
// bot needs the digest, and the digest needs the WeChat client.
type handlerFunc func(ctx context.Context, m bot.Message) []bot.Reply

func (f handlerFunc) Handle(ctx context.Context, m bot.Message) []bot.Reply { return f(ctx, m) }

// runServe logs a WeChat account in and answers in its chats, runs the
// daily digest and the ops endpoints, until SIGINT/SIGTERM.
func runServe(ctx context.Context, env environment, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	cf := registerConfigFlags(fs, "redis", "corpus", "index", "thesaurus", "name")
	cfg, err := cf.parse(args, env.getenv)
	if err != nil {
		return err
	}
	log := env.logger(slog.LevelInfo) // a server's log is what its operator reads
	ixs, err := openIndexes(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer ixs.Close()
	ix := ixs.current()

	var store bot.Store = memstore.New()
	var redis *redisstore.Store
	if cfg.Redis.URL != "" {
		if redis, err = openRedis(ctx, cfg, log); err != nil {
			return err
		}
		defer redis.Close()
		store = redis
	} else {
		log.Warn("no redis.url: sessions, de-duplication and the WeChat login live in memory; a restart needs a new QR scan")
	}

	metrics := &ops.Metrics{}
	var b *bot.Bot
	wopts := wechat.Options{
		Account:      cfg.WeChat.Account,
		Handler:      handlerFunc(func(ctx context.Context, m bot.Message) []bot.Reply { return b.Handle(ctx, m) }),
		Logger:       log.With("component", "wechat"),
		SendInterval: cfg.WeChat.SendInterval,
		SendJitter:   cfg.WeChat.SendJitter,
		QRWriter:     env.stdout,
		QRPNGPath:    cfg.WeChat.QRPNG,
		Metrics:      metrics,
	}
	if redis != nil {
		// Not cancelled with ctx: openwechat writes the session during shutdown too.
		wopts.LoginStorage = redis.LoginStorage(context.WithoutCancel(ctx), cfg.WeChat.Account)
	}
	if cfg.WeChat.AlertWebhook != "" {
		robot := &wecom.Robot{URL: cfg.WeChat.AlertWebhook, Logger: log}
		wopts.Alert = robot.SendText
	}
	wc, err := wechat.New(wopts)
	if err != nil {
		return err
	}

	opts := botOptions(cfg, log.With("component", "bot"))
	opts.OnAnswer = metrics.AnswerObserved
	var runners []func(context.Context) error
	var svc *digest.Service
	if cfg.Digest.Enabled {
		if svc, err = newDigest(cfg, ix.Reports(), redis, wc, log.With("component", "digest")); err != nil {
			return err
		}
		opts.Digest = svc
		runners = append(runners, svc.Run)
	}
	if reload := ixs.reload(); reload != nil {
		// 重载 also moves the digest to the new reports.
		opts.Reload = func(ctx context.Context) (bot.Searcher, error) {
			s, err := reload(ctx)
			if err == nil && svc != nil {
				svc.SetReports(s.Reports())
			}
			return s, err
		}
	}
	b = bot.New(ix, store, opts)

	opsHandlers := ops.Handlers{
		Health: func(ctx context.Context) ops.HealthStatus {
			h := ops.HealthStatus{LoggedIn: wc.LoggedIn(), Redis: ops.RedisNotConfigured}
			if redis != nil {
				h.Redis = ops.RedisOK
				if err := redis.Ping(ctx); err != nil {
					h.Redis = "down: " + err.Error()
				}
			}
			return h
		},
		Ask: func(ctx context.Context, q string) (any, error) {
			return toJSON(q, b.Ask(ctx, q), 0), nil
		},
		Metrics: metrics,
	}
	consoleRun, err := consoleServer(cfg, store, svc, &opsHandlers, log.With("component", "console"))
	if err != nil {
		return err
	}
	if consoleRun != nil {
		runners = append(runners, consoleRun)
	}
	srv := ops.NewServer(cfg.Ops.Addr, opsHandlers, log.With("component", "ops"))
	runners = append(runners, wc.Run, srv.ListenAndServe)

	log.Info("reportbot serving", "reports", len(ix.Reports()), "sentences", ix.Len(), "ops", cfg.Ops.Addr, "digest", cfg.Digest.Enabled)
	return runAll(ctx, runners)
}

// runAll runs every runner until ctx ends; the first failure stops the rest.
func runAll(ctx context.Context, runners []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(runners))
	for i, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errs[i] = err
				cancel()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
