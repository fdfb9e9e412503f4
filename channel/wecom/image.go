package wecom

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// MaxImageBytes is the largest image a robot takes (before base64).
const MaxImageBytes = 2 << 20

type imageContent struct {
	Base64 string `json:"base64"`
	MD5    string `json:"md5"`
}

// SendImage posts a PNG or JPEG image (msgtype image: the picture in
// base64 and the MD5 of its bytes), at most MaxImageBytes.
func (r *Robot) SendImage(ctx context.Context, img []byte) error {
	shown := RedactURL(r.URL)
	switch {
	case len(img) == 0:
		return fmt.Errorf("wecom: send image to %s: empty image", shown)
	case len(img) > MaxImageBytes:
		return fmt.Errorf("wecom: send image to %s: %w: %d bytes, the limit is %d", shown, ErrTooLong, len(img), MaxImageBytes)
	case !bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")) && !bytes.HasPrefix(img, []byte("\xff\xd8\xff")):
		return fmt.Errorf("wecom: send image to %s: not a PNG or JPEG image", shown)
	}
	if err := ValidateURL(r.URL); err != nil {
		return fmt.Errorf("wecom: send image to %s: %w", shown, err)
	}
	sum := md5.Sum(img)
	return r.sendMessage(ctx, message{MsgType: "image", Image: &imageContent{
		Base64: base64.StdEncoding.EncodeToString(img),
		MD5:    hex.EncodeToString(sum[:]),
	}})
}
