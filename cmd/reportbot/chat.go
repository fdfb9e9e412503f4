package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/reportbot/reportbot/bot"
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
	store, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStore()
	opts := botOptions(cfg, log)
	opts.Reload = ixs.reload()
	if !*limited {
		opts.UserRate, opts.GroupRate = bot.Unlimited, bot.Unlimited
	}
	b := bot.New(ixs.current(), store, opts)

	chat := *user
	if *group != "" {
		chat = *group
	}
	sc := bufio.NewScanner(env.stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		text, mentioned := stripMention(line, cfg.Bot.Name)
		// At the terminal the operator is the sender: --user is the name
		// the operator knows them by, so bot.admins apply to it.
		m := bot.Message{ID: fmt.Sprintf("chat-%d", n), Chat: chat, Group: *group != "", Sender: *user, SenderRemark: *user,
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

// stripMention removes a leading "@name" (followed by a space, U+2005 or
// nothing) and tells whether it was there, as a chat client would mark it.
func stripMention(line, name string) (string, bool) {
	t := strings.TrimSpace(line)
	for _, at := range []string{"@" + name, "＠" + name} {
		if rest, ok := strings.CutPrefix(t, at); ok {
			return strings.TrimLeft(rest, " \u2005\u3000"), true
		}
	}
	return t, false
}
