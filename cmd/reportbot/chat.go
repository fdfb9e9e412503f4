package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/digest"
)

// runChat talks to the same bot that sits in WeChat, one input line a
// message, from a terminal or a pipe.
func runChat(ctx context.Context, env environment, args []string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	group := fs.String("group", "", "pretend the lines come from this group (only lines that @ the bot, or start with the prefix, are answered)")
	user := fs.String("user", "我", "the sender's display name")
	admin := fs.Bool("admin", false, "treat the sender as an admin")
	limited := fs.Bool("rate-limit", false, "apply bot.user_rate and bot.group_rate (off: a script may ask as fast as it likes)")
	cf := registerConfigFlags(fs, "redis", "corpus", "index", "thesaurus", "name")
	cfg, err := cf.parse(args, env.getenv)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"chat reads messages from stdin; unexpected " + strconv.Quote(fs.Arg(0))}
	}
	if *admin {
		cfg.Bot.Admins = append(cfg.Bot.Admins, *user)
	}
	log := env.logger(slog.LevelWarn)
	ixs, err := openIndexes(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer ixs.Close()
	store, redis, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStore()
	opts := botOptions(cfg, log)
	// The same digest settings as serve: 订阅, 退订 and 今日推送预览 work
	// here too (with no WeChat login, nothing is sent to groups from here).
	var svc *digest.Service
	if cfg.Digest.Enabled {
		if svc, err = newDigest(cfg, ixs.current().Reports(), redis, nil, log); err != nil {
			return err
		}
		opts.Digest = svc
	}
	opts.Reload = ixs.reloadWithDigest(svc)
	if !*limited {
		opts.UserRate, opts.GroupRate = bot.Unlimited, bot.Unlimited
	}
	b := bot.New(ixs.current(), store, opts)

	chat := *user
	if *group != "" {
		chat = *group
	}
	// Message IDs are de-duplicated across processes sharing a Redis: each
	// run numbers its lines under its own random run ID.
	run := make([]byte, 8)
	_, _ = rand.Read(run)
	sc := bufio.NewScanner(env.stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		text, mentioned := stripMention(line, cfg.Bot.Name)
		// At the terminal the operator is the sender: --user is the name
		// the operator knows them by, so bot.admins apply to it.
		m := bot.Message{ID: fmt.Sprintf("chat-%x-%d", run, n), Chat: chat, Group: *group != "", Sender: *user, SenderRemark: *user,
			Text: text, Mentioned: mentioned || *group == "", Kind: bot.KindText}
		for _, r := range b.Handle(ctx, m) {
			fmt.Fprintf(env.stdout, "%s\n\n", r.Text)
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	return sc.Err()
}

// stripMention removes a leading "@name" (in any letter case, followed by a
// space, U+2005 or nothing) and tells whether it was there, as a chat client
// would mark it.
func stripMention(line, name string) (string, bool) {
	t := strings.TrimSpace(line)
	for _, mark := range []string{"@", "＠"} {
		rest, ok := strings.CutPrefix(t, mark)
		if ok && len(rest) >= len(name) && strings.EqualFold(rest[:len(name)], name) {
			return strings.TrimLeft(rest[len(name):], " \u2005\u3000"), true
		}
	}
	return t, false
}
