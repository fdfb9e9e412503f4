package wecom

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Crypto is 企业微信's callback message crypto (the WXBizMsgCrypt scheme,
// the same for the AI bot and for self-built apps), written with the
// standard library because the Go SDKs reject the empty receive ID the AI
// bot uses.
//
// Ciphertext is base64(AES-256-CBC(key, iv = key[:16], PKCS#7 padded to 32
// bytes, 16 random bytes | uint32 big-endian length | message | receive
// ID)); the signature is hex(sha1(the sorted token, timestamp, nonce and
// ciphertext, joined)).
type Crypto struct {
	token     string
	key       []byte
	receiveID string
}

// ErrBadSignature means a callback's msg_signature does not match: it was
// not sent by 企业微信 with this token, or was altered.
var ErrBadSignature = errors.New("wecom: signature mismatch")

// NewCrypto takes the token and the 43-character EncodingAESKey from the
// bot's callback settings. receiveID is "" for the AI bot (the corp ID for
// a self-built app). The error never repeats the key.
func NewCrypto(token, encodingAESKey, receiveID string) (*Crypto, error) {
	if token == "" {
		return nil, errors.New("wecom: callback token is empty")
	}
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("wecom: EncodingAESKey must have 43 characters, it has %d", len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("wecom: EncodingAESKey is not valid base64 of 32 bytes")
	}
	return &Crypto{token: token, key: key, receiveID: receiveID}, nil
}

// Signature is the msg_signature of an encrypted text.
func (c *Crypto) Signature(timestamp, nonce, encrypted string) string {
	parts := []string{c.token, timestamp, nonce, encrypted}
	slices.Sort(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify checks signature against the encrypted text, in constant time.
func (c *Crypto) Verify(signature, timestamp, nonce, encrypted string) error {
	want := c.Signature(timestamp, nonce, encrypted)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(signature))) != 1 {
		return ErrBadSignature
	}
	return nil
}

// pad is the PKCS#7 block size 企业微信 uses: 32, not AES's 16.
const pad = 32

// Encrypt encrypts msg for 企业微信 (a reply, or a test's callback).
func (c *Crypto) Encrypt(msg []byte) (string, error) {
	var plain bytes.Buffer
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", fmt.Errorf("wecom: encrypt: random bytes: %w", err)
	}
	plain.Write(random)
	binary.Write(&plain, binary.BigEndian, uint32(len(msg)))
	plain.Write(msg)
	plain.WriteString(c.receiveID)
	n := pad - plain.Len()%pad
	plain.Write(bytes.Repeat([]byte{byte(n)}, n))

	block, err := aes.NewCipher(c.key)
	if err != nil {
		return "", fmt.Errorf("wecom: encrypt: %w", err)
	}
	out := plain.Bytes()
	cipher.NewCBCEncrypter(block, c.key[:aes.BlockSize]).CryptBlocks(out, out)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt decrypts a text 企业微信 encrypted and checks that it was meant
// for this receive ID. It never panics on hostile input.
func (c *Crypto) Decrypt(encrypted string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, fmt.Errorf("wecom: decrypt: not base64: %w", err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("wecom: decrypt: %d bytes is not a whole number of AES blocks", len(data))
	}
	block, err := aes.NewCipher(c.key)
	if err != nil {
		return nil, fmt.Errorf("wecom: decrypt: %w", err)
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, c.key[:aes.BlockSize]).CryptBlocks(plain, data)

	n := int(plain[len(plain)-1])
	if n < 1 || n > pad || n > len(plain) {
		return nil, errors.New("wecom: decrypt: bad padding (wrong EncodingAESKey?)")
	}
	plain = plain[:len(plain)-n]
	if len(plain) < 20 {
		return nil, errors.New("wecom: decrypt: message too short")
	}
	size := binary.BigEndian.Uint32(plain[16:20])
	rest := plain[20:]
	if uint64(size) > uint64(len(rest)) {
		return nil, fmt.Errorf("wecom: decrypt: length field %d exceeds the %d bytes left (wrong EncodingAESKey?)", size, len(rest))
	}
	msg, receiver := rest[:size], rest[size:]
	if string(receiver) != c.receiveID {
		return nil, fmt.Errorf("wecom: decrypt: message is for receive ID %q, not %q", receiver, c.receiveID)
	}
	return msg, nil
}
