package memstore

import (
	"testing"

	"github.com/reportbot/reportbot/store/storetest"
)

func TestConsoleConformance(t *testing.T) {
	storetest.RunConsole(t, func(t *testing.T) storetest.ConsoleStore { return New() })
}
