package wechat

import (
	"context"
	"fmt"
)

// maxImageBytes bounds an image sent to a group; the web client uploads
// pictures of up to about 10 MB, and a card is far smaller.
const maxImageBytes = 10 << 20

// SendImageToGroup sends a PNG or JPEG to a group by name through the same
// paced queue as texts (so it keeps the interval after the text before it)
// and waits for the outcome, like SendToGroup.
func (c *Client) SendImageToGroup(ctx context.Context, group string, img []byte) error {
	sess := c.session()
	if sess == nil {
		return fmt.Errorf("send image to group %q: %w", group, ErrNotLoggedIn)
	}
	if len(img) == 0 || len(img) > maxImageBytes {
		return fmt.Errorf("send image to group %q: %d bytes, want 1 to %d", group, len(img), maxImageBytes)
	}
	return c.sendToGroup(ctx, sess, &outgoing{chat: group, group: true, image: img, done: make(chan error, 1)})
}
