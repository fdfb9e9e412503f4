// Command reportbot answers questions about government work reports, in a
// terminal or in WeChat. main only calls run; tests call run too.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "reportbot:", err)
		os.Exit(exitCode(err))
	}
}

const usage = `reportbot answers questions about government work reports.

Usage:
  reportbot ask [--json] [--top N] [--png FILE] [--corpus DIR] [--index DIR] QUESTION | -
  reportbot index [--corpus DIR] [--index DIR]
  reportbot chat [--group NAME --user NAME] [--name NAME] [--redis URL]
  reportbot serve [--config FILE]
  reportbot digest preview|send|status [flags]
  reportbot console adduser|passwd NAME

Run "reportbot COMMAND --help" for a command's flags. Configuration: see README.md.
`

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	if _, ok := err.(usageError); ok {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	env := environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	err := runCommand(ctx, env, args)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func runCommand(ctx context.Context, env environment, args []string) error {
	switch args[0] {
	case "ask":
		return runAsk(ctx, env, args[1:])
	case "index":
		return runIndex(ctx, env, args[1:])
	case "chat":
		return runChat(ctx, env, args[1:])
	case "digest":
		return runDigest(ctx, env, args[1:])
	case "serve":
		return runServe(ctx, env, args[1:])
	case "console":
		return runConsole(ctx, env, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.stdout, usage)
		return nil
	}
	fmt.Fprint(env.stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

// environment is the process's outside world, passed in so tests can run
// commands in-process.
type environment struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// logger logs text to stderr at the level in $REPORTBOT_LOG (debug, info,
// warn, error), else at def; a value it cannot read is said, not ignored.
func (env environment) logger(def slog.Level) *slog.Logger {
	level := def
	if v := env.getenv("REPORTBOT_LOG"); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			level = def
			fmt.Fprintf(env.stderr, "reportbot: ignoring REPORTBOT_LOG=%q: want debug, info, warn or error\n", v)
		}
	}
	return slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: level}))
}
