package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/reportbot/reportbot/card"
	"github.com/reportbot/reportbot/config"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/store/redisstore"
)

// digestConfig translates the [digest] section for package digest.
func digestConfig(cfg config.Config) digest.Config {
	d := cfg.Digest
	if d.CatchUp == 0 {
		d.CatchUp = -1 // "0s" in the config file means no catch-up; package digest reads 0 as its default
	}
	return digest.Config{
		Schedule:    d.Schedule,
		TimeZone:    string(d.Timezone),
		CatchUp:     d.CatchUp,
		StartDate:   d.StartDate,
		AfterLast:   d.AfterLast,
		OverrideDir: d.OverrideDir,
		Groups:      d.Groups,
		Webhooks:    d.Webhooks,
		BotName:     cfg.Bot.Name,
	}
}

// newDigest builds the digest service: state in Redis when configured
// (exactly once across restarts and processes), else in memory.
func newDigest(cfg config.Config, reports []*corpus.Report, redis *redisstore.Store, wechat digest.GroupSender, log *slog.Logger) (*digest.Service, error) {
	var state digest.StateStore = digest.NewMemoryState()
	if redis != nil {
		state = redis.DigestState()
	} else {
		log.Warn("digest state is in memory: a restart may send a day's digest again; configure redis.url")
	}
	opts := []digest.Option{digest.WithLogger(log)}
	if cfg.Digest.Cards {
		opts = append(opts, digest.WithCards(digestCard))
	}
	return digest.New(digestConfig(cfg), reports, state, wechat, opts...)
}

// runDigest is `reportbot digest preview|send|status`.
func runDigest(ctx context.Context, env environment, args []string) error {
	if len(args) == 0 {
		return usageError{"digest: want preview, send or status"}
	}
	verb := args[0]
	fs := flag.NewFlagSet("digest "+verb, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	date := fs.String("date", "", "day of the digest, YYYY-MM-DD (default: today in digest.timezone)")
	var pngPath *string
	if verb == "preview" {
		pngPath = fs.String("png", "", "also write the day's picture card to this PNG file")
	}
	var target *string
	var dryRun *bool
	if verb == "send" {
		target = fs.String("target", "", "only this target (wechat:GROUP or wecom:NAME)")
		dryRun = fs.Bool("dry-run", false, "print what would go where; send nothing")
	}
	cf := registerConfigFlags(fs, "redis", "corpus")
	switch verb {
	case "preview", "send", "status":
	default:
		return usageError{fmt.Sprintf("digest: unknown subcommand %q (want preview, send or status)", verb)}
	}
	cfg, err := cf.parse(args[1:], env.getenv)
	if err != nil {
		return err
	}
	if cfg.Digest.StartDate == "" {
		// Preview works without configuration: the first issue is today.
		cfg.Digest.StartDate = time.Now().In(cfg.Digest.Timezone.Location()).Format(time.DateOnly)
	}
	log := env.logger(slog.LevelWarn)
	reports, err := loadReports(cfg, log)
	if err != nil {
		return err
	}
	var redis *redisstore.Store
	if cfg.Redis.URL != "" {
		redis, err = openRedis(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer redis.Close()
	}
	// No WeChat session in this process: WeChat targets are sent by
	// `reportbot serve`; here they fail with that reason.
	svc, err := newDigest(cfg, reports, redis, nil, log)
	if err != nil {
		return err
	}
	day := svc.Today()
	if *date != "" {
		if day, err = svc.ParseDate(*date); err != nil {
			return usageError{err.Error()}
		}
	}
	switch verb {
	case "preview":
		d, err := svc.Compose(day)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, d.Text)
		if *pngPath != "" {
			return writePNG(*pngPath, card.Digest(svc.CardOf(d)))
		}
	case "send":
		outs, err := svc.Send(ctx, day, *target, *dryRun)
		for _, o := range outs {
			fmt.Fprintf(env.stdout, "%s\t%s\t%s\n", o.Target, o.Result, o.Reason)
			if *dryRun {
				fmt.Fprintf(env.stdout, "%s\n\n", o.Text)
			}
		}
		return err
	case "status":
		st, err := svc.Status(ctx, day)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "TARGET\tSTATE\tAT\tREASON\n")
		for _, s := range st {
			at := ""
			if !s.At.IsZero() {
				at = s.At.In(svc.Location()).Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Target, s.State, at, s.Reason)
		}
		return w.Flush()
	}
	return nil
}
