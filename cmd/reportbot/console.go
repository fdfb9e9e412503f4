package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/card"
	"github.com/reportbot/reportbot/config"
	"github.com/reportbot/reportbot/console"
	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/ops"
)

// digestCard draws a digest day's picture card.
func digestCard(c digest.CardContent) ([]byte, error) { return card.PNG(card.Digest(c)) }

// writePNG writes a card to path.
func writePNG(path string, c card.Card) error {
	data, err := card.PNG(c)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write the card: %w", err)
	}
	return nil
}

// consoleServer builds the web console's runner for serve: nil when
// console.addr is empty; otherwise it serves on its own address, or adds
// the console to the ops endpoints (ops.Fallback) when the addresses match.
func consoleServer(cfg config.Config, store bot.Store, svc *digest.Service, opsHandlers *ops.Handlers, log *slog.Logger) (func(context.Context) error, error) {
	if cfg.Console.Addr == "" {
		return nil, nil
	}
	cstore, ok := store.(console.Store)
	if !ok {
		return nil, errors.New("console: the state store cannot keep console sessions")
	}
	opts := console.Options{
		Users: cfg.Console.Users, Secret: cfg.Console.Secret, SessionTTL: cfg.Console.SessionTTL,
		SecureCookies: cfg.Console.SecureCookies, Store: cstore, Location: cfg.Bot.Timezone.Location(), Logger: log,
	}
	if svc != nil {
		opts.Digest = svc
		opts.Card = digestCard
	}
	c, err := console.New(opts)
	if err != nil {
		return nil, err
	}
	if cfg.Console.Addr == cfg.Ops.Addr {
		opsHandlers.Fallback = c.Handler()
		log.Info("console on the ops address", "addr", cfg.Console.Addr)
		return nil, nil
	}
	srv := ops.NewServer(cfg.Console.Addr, ops.Handlers{Fallback: c.Handler()}, log)
	return func(ctx context.Context) error {
		log.Info("console listening", "addr", cfg.Console.Addr)
		return srv.ListenAndServe(ctx)
	}, nil
}

// runConsole is `reportbot console adduser|passwd NAME`.
func runConsole(_ context.Context, env environment, args []string) error {
	if len(args) == 0 {
		return usageError{"console: want adduser NAME or passwd NAME"}
	}
	verb := args[0]
	fs := flag.NewFlagSet("console "+verb, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	cf := registerConfigFlags(fs)
	if verb != "adduser" && verb != "passwd" {
		return usageError{fmt.Sprintf("console: unknown subcommand %q (want adduser or passwd)", verb)}
	}
	cfg, err := cf.parse(args[1:], env.getenv)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"console " + verb + ": give one user name"}
	}
	name := fs.Arg(0)
	switch verb {
	case "adduser":
		base := cfg.Console.URL
		if base == "" {
			if cfg.Console.Addr == "" {
				return errors.New("console adduser: console.addr is empty (the console is off); set it, and console.url when users reach it under another address")
			}
			base = "http://" + cfg.Console.Addr
		}
		link, err := console.SignInLink(base, cfg.Console.Secret, name, cfg.Console.LinkTTL, time.Now())
		if err != nil {
			return fmt.Errorf("console adduser: %w", err)
		}
		fmt.Fprintf(env.stdout, "Sign-in link for %s (usable once, until %s):\n%s\n", name,
			time.Now().Add(cfg.Console.LinkTTL).Format("2006-01-02 15:04"), link)
	case "passwd":
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		password := strings.TrimRight(line, "\r\n")
		if password == "" {
			return fmt.Errorf("console passwd: give the password on stdin (one line): %v", err)
		}
		hash, err := console.HashPassword(password, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "# put under [console.users] in the config file:\n%q = %q\n", name, hash)
	}
	return nil
}
