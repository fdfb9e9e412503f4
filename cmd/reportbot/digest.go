package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/text/width"

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
		WeComChats:  d.WeComChats,
		BotName:     cfg.Bot.Name,
	}
}

// newDigest builds the digest service: state in Redis when configured
// (exactly once across restarts and processes), else in memory.
func newDigest(cfg config.Config, reports []*corpus.Report, redis *redisstore.Store, wechat digest.GroupSender, log *slog.Logger, opts ...digest.Option) (*digest.Service, error) {
	var state digest.StateStore = digest.NewMemoryState()
	if redis != nil {
		state = redis.DigestState()
	} else {
		log.Warn("digest state is in memory: a restart may send a day's digest again; configure redis.url")
	}
	opts = append([]digest.Option{digest.WithLogger(log)}, opts...)
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
	switch verb {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.stdout, digestUsage)
		return nil
	}
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
		target = fs.String("target", "", "only this target (wechat:GROUP, wecom:NAME or wecombot:NAME)")
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
		// Preview works without configuration: the first issue is the day
		// asked for (--date), else today.
		cfg.Digest.StartDate = time.Now().In(cfg.Digest.Timezone.Location()).Format(time.DateOnly)
		if *date != "" {
			cfg.Digest.StartDate = *date
		}
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
		if err != nil || *dryRun {
			return err
		}
		return sendFailure(outs)
	case "status":
		st, err := svc.Status(ctx, day)
		if err != nil {
			return err
		}
		if len(st) == 0 {
			fmt.Fprintf(env.stdout, "%s: no targets: set digest.groups or digest.webhooks, or send 订阅 in a group\n", day.In(svc.Location()).Format(time.DateOnly))
			return nil
		}
		rows := [][]string{{"TARGET", "STATE", "AT", "REASON"}}
		for _, s := range st {
			at := ""
			if !s.At.IsZero() {
				at = s.At.In(svc.Location()).Format("2006-01-02 15:04:05")
			}
			rows = append(rows, []string{s.Target, string(s.State), at, s.Reason})
		}
		return writeTable(env.stdout, rows)
	}
	return nil
}

const digestUsage = `Usage:
  reportbot digest preview [--date YYYY-MM-DD]   the day's digest, as WeChat groups get it
  reportbot digest send [--date D] [--target NAME] [--dry-run]
                                                 push it now (企业微信 robots; WeChat groups
                                                 are sent by the running reportbot serve)
  reportbot digest status [--date D]             sent / pending / failed / missed per target
Common flags: --config FILE, --redis URL, --corpus DIR. "reportbot digest VERB --help" lists them.
`

// sendFailure is the error (exit status 1) of a send in which a target
// failed or may not have arrived, or in which nothing could be sent from
// this process; nil when every target was sent, already sent, or is a
// WeChat group left to the running bot alongside targets that were sent.
func sendFailure(outs []digest.Outcome) error {
	var bad []string
	reached := 0
	for _, o := range outs {
		switch o.Result {
		case digest.ResultFailed, digest.ResultUnknown:
			bad = append(bad, o.Target+" "+string(o.Result))
		case digest.ResultSent, digest.ResultAlreadySent, digest.ResultWouldSend:
			reached++
		}
	}
	switch {
	case len(bad) > 0:
		return fmt.Errorf("digest send: %d of %d targets not sent: %s", len(bad), len(outs), strings.Join(bad, ", "))
	case reached == 0 && len(outs) > 0:
		return fmt.Errorf("digest send: nothing sent: WeChat groups are sent by the running reportbot serve (it holds the login)")
	}
	return nil
}

// writeTable writes rows as columns padded by display width: a Chinese
// character takes two columns of a terminal, which text/tabwriter ignores.
func writeTable(w io.Writer, rows [][]string) error {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			line.WriteString(cell)
			line.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is how many terminal columns s takes: two for East Asian
// wide and full-width characters, one for others.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
