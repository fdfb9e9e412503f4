package wecom_test

import (
	"errors"
	"strings"
	"testing"

	. "github.com/reportbot/reportbot/channel/wecom"
)

// The official sample of 企业微信's callback crypto (WXBizMsgCrypt's VerifyURL).
const (
	vectorToken     = "QDG6eK"
	vectorReceiveID = "wx5823bf96d3bd56c7"
	vectorKey       = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	vectorSignature = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	vectorTimestamp = "1409659589"
	vectorNonce     = "263014780"
	vectorEchoStr   = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	vectorPlain     = "1616140317555161061"
)

func TestCryptoOfficialVector(t *testing.T) {
	c, err := NewCrypto(vectorToken, vectorKey, vectorReceiveID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(vectorSignature, vectorTimestamp, vectorNonce, vectorEchoStr); err != nil {
		t.Fatalf("official signature refused: %v", err)
	}
	got, err := c.Decrypt(vectorEchoStr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != vectorPlain {
		t.Fatalf("echostr decrypts to %q, want %q", got, vectorPlain)
	}
	if err := c.Verify(vectorSignature, vectorTimestamp, "263014781", vectorEchoStr); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("altered nonce: got %v, want ErrBadSignature", err)
	}
	// The AI bot's receive ID is empty: the same ciphertext names another
	// receiver and must be refused, not taken.
	ai, _ := NewCrypto(vectorToken, vectorKey, "")
	if _, err := ai.Decrypt(vectorEchoStr); err == nil || !strings.Contains(err.Error(), "receive ID") {
		t.Fatalf("decrypting another receiver's text: got %v", err)
	}
}

func TestCryptoRoundTripEmptyReceiveID(t *testing.T) {
	c, err := NewCrypto(vectorToken, vectorKey, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"", "x", strings.Repeat("问", 11), `{"msgid":"1","text":{"content":"中欧班列目标 😀"}}`, strings.Repeat("长", 5000)} {
		enc, err := c.Encrypt([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decrypt(enc)
		if err != nil {
			t.Fatalf("%d bytes: %v", len(msg), err)
		}
		if string(got) != msg {
			t.Fatalf("round trip of %d bytes gave %d bytes", len(msg), len(got))
		}
	}
}

func TestCryptoHostileInput(t *testing.T) {
	c, _ := NewCrypto(vectorToken, vectorKey, "")
	for _, in := range []string{"", "!!!", "AAAA", strings.Repeat("A", 44), vectorEchoStr[:len(vectorEchoStr)-4]} {
		if _, err := c.Decrypt(in); err == nil {
			t.Errorf("Decrypt(%q) succeeded", in)
		}
	}
	for _, key := range []string{"", "short", vectorKey + "A", strings.Repeat("!", 43)} {
		_, err := NewCrypto(vectorToken, key, "")
		if err == nil {
			t.Errorf("NewCrypto accepted key %q", key)
		} else if key != "" && strings.Contains(err.Error(), key) {
			t.Errorf("error repeats the key: %v", err)
		}
	}
}
