package redisstore

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// RouteDriverLog sends go-redis's own log lines (one per failed dial while
// Redis is down, written to stderr by default) to log at Debug level. The
// store already reports an outage once, at Warn; go-redis's logger is
// process-wide, so the program's wiring calls this once at start.
func RouteDriverLog(log *slog.Logger) {
	redis.SetLogger(driverLog{log})
}

type driverLog struct{ log *slog.Logger }

func (d driverLog) Printf(ctx context.Context, format string, v ...any) {
	d.log.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}
