package redisstore

import (
	"testing"

	"github.com/reportbot/reportbot/console"
	"github.com/reportbot/reportbot/store/storetest"
)

// The console takes the Redis store as its store.
var _ console.Store = (*Store)(nil)

func TestConsoleConformance(t *testing.T) {
	storetest.RunConsole(t, func(t *testing.T) storetest.ConsoleStore { return newStore(t) })
}
