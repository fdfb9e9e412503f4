package digest_test

import (
	"testing"

	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/digest/digesttest"
)

func TestDigestMemoryStateConformance(t *testing.T) {
	digesttest.Run(t, func(t *testing.T) digest.StateStore { return digest.NewMemoryState() })
}
