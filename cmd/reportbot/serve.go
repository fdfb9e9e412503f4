package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"sync"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/channel/wechat"
	"github.com/reportbot/reportbot/channel/wecom"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/ops"
	"github.com/reportbot/reportbot/store/memstore"
	"github.com/reportbot/reportbot/store/redisstore"
)

// handlerFunc lets a channel be built before the bot it feeds: the bot
// needs the digest, and the digest needs the channels.
type handlerFunc func(ctx context.Context, m bot.Message) []bot.Reply

func (f handlerFunc) Handle(ctx context.Context, m bot.Message) []bot.Reply { return f(ctx, m) }

// runServe runs the configured chat channels (a WeChat account, the 企业微信
// AI bot; each can be off, and one failing stops nothing else), the daily
// digest and the ops endpoints, until SIGINT/SIGTERM.
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
	restoreGC, _ := ops.TuneGC(env.getenv, log) // after loading: the limit follows the reports' heap
	defer restoreGC()

	var store bot.Store = memstore.New()
	var redis *redisstore.Store
	if cfg.Redis.URL != "" {
		if redis, err = openRedisWaiting(ctx, cfg, log); err != nil {
			if ctx.Err() != nil {
				log.Info("stopped while waiting for redis")
				return nil
			}
			return err
		}
		defer redis.Close()
		store = redis
	} else {
		if cfg.WeChat.Enabled {
			log.Warn("no redis.url: sessions, de-duplication and the WeChat login live in memory; a restart needs a new QR scan")
		} else {
			log.Warn("no redis.url: sessions and de-duplication live in memory (not shared between processes, lost on restart)")
		}
	}

	metrics := &ops.Metrics{}
	opts := botOptions(cfg, log.With("component", "bot"))
	opts.OnAnswer = metrics.AnswerObserved
	// One chat core per channel (each has its own admins and digest
	// commands), all on the same store and the same reports.
	var b, wb *bot.Bot
	var runners []func(context.Context) error
	var channels []func() ops.ChannelStatus

	var wcb *wecomBot
	if cfg.WeComBot.Enabled {
		wlog := log.With("component", channelWeComBot)
		h := handlerFunc(func(ctx context.Context, m bot.Message) []bot.Reply { return wb.Handle(ctx, m) })
		wcm := metrics.Channel(channelWeComBot, func() bool { return wcb.up() })
		if wcb, err = newWeComBot(cfg, h, wcm, wlog); err != nil {
			return err
		}
		runners = append(runners, independent(channelWeComBot, wcb.run, log))
		channels = append(channels, wcb.status)
	}

	var wc *wechat.Client
	var groups digest.GroupSender // nil unless WeChat runs (a nil *wechat.Client is not nil)
	if cfg.WeChat.Enabled {
		wopts := wechat.Options{
			Account:      cfg.WeChat.Account,
			Handler:      handlerFunc(func(ctx context.Context, m bot.Message) []bot.Reply { return b.Handle(ctx, m) }),
			Logger:       log.With("component", channelWeChat),
			SendInterval: cfg.WeChat.SendInterval,
			SendJitter:   cfg.WeChat.SendJitter,
			QRWriter:     env.stdout,
			QRPNGPath:    cfg.WeChat.QRPNG,
			Metrics:      metrics.Channel(channelWeChat, func() bool { return wc.LoggedIn() }),
		}
		if redis != nil {
			// Not cancelled with ctx: openwechat writes the session during shutdown too.
			wopts.LoginStorage = redis.LoginStorage(context.WithoutCancel(ctx), cfg.WeChat.Account)
		}
		var robotAlert func(context.Context, string) error
		if cfg.WeChat.AlertWebhook != "" {
			robot := &wecom.Robot{URL: cfg.WeChat.AlertWebhook, Logger: log}
			robotAlert = robot.SendText
		}
		wopts.Alert = alerts(robotAlert, wcb.alert())
		if wc, err = wechat.New(wopts); err != nil {
			return err
		}
		groups = wc
		runners = append(runners, independent(channelWeChat, wc.Run, log))
		channels = append(channels, func() ops.ChannelStatus {
			st := ops.ChannelStatus{Name: channelWeChat, Up: wc.LoggedIn()}
			if !st.Up {
				st.Detail = "not logged in (scan the QR code?)"
			}
			return st
		})
	}
	if len(channels) == 0 {
		log.Warn("no chat channel enabled (wechat.enabled and wecom_bot.enabled are false): only the digest and the ops endpoints run")
	}

	var svc *digest.Service
	if cfg.Digest.Enabled {
		if svc, err = newDigest(cfg, ix.Reports(), redis, groups, log.With("component", "digest"), digest.WithWeComBot(wcb.chatSender())); err != nil {
			return err
		}
		opts.Digest = svc
		runners = append(runners, svc.Run)
	}
	opts.Reload = ixs.reloadWithDigest(svc)
	b = bot.New(ixs.live(), store, opts)
	if wcb != nil {
		wb = bot.New(ixs.live(), store, wecomBotOptions(opts, cfg, svc))
	}

	opsHandlers := ops.Handlers{
		Health: func(ctx context.Context) ops.HealthStatus {
			h := ops.HealthStatus{LoggedIn: wc != nil && wc.LoggedIn(), Redis: ops.RedisNotConfigured, Channels: []ops.ChannelStatus{}}
			for _, st := range channels {
				h.Channels = append(h.Channels, st())
			}
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
	runners = append(runners, srv.ListenAndServe)

	log.Info("reportbot serving", "reports", len(ix.Reports()), "sentences", ix.Len(), "ops", cfg.Ops.Addr,
		"wechat", cfg.WeChat.Enabled, "wecom_bot", cfg.WeComBot.Enabled, "digest", cfg.Digest.Enabled)
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
