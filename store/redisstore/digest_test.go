package redisstore

import (
	"testing"

	"github.com/reportbot/reportbot/digest"
	"github.com/reportbot/reportbot/digest/digesttest"
)

func TestDigestStateConformance(t *testing.T) {
	digesttest.Run(t, func(t *testing.T) digest.StateStore { return newStore(t).DigestState() })
}
