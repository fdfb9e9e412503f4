package wecom

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
)

func TestWeComSendImage(t *testing.T) {
	f := newFakeRobot(t, errcode(0, "ok"))
	r := f.robot(nil)
	img := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("卡片"), 100)...)
	if err := r.SendImage(context.Background(), img); err != nil {
		t.Fatal(err)
	}
	got := f.received()
	if len(got) != 1 || got[0].MsgType != "image" || got[0].Image == nil || got[0].Text != nil || got[0].Markdown != nil {
		t.Fatalf("server got %+v, want one image message", got)
	}
	data, err := base64.StdEncoding.DecodeString(got[0].Image.Base64)
	if err != nil || !bytes.Equal(data, img) {
		t.Errorf("base64 does not decode to the image (err %v)", err)
	}
	sum := md5.Sum(img)
	if got[0].Image.MD5 != hex.EncodeToString(sum[:]) {
		t.Errorf("md5 %s, want %x", got[0].Image.MD5, sum)
	}

	for name, bad := range map[string][]byte{
		"empty":     nil,
		"not image": []byte("<html>"),
		"too big":   append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxImageBytes)...),
	} {
		err := r.SendImage(context.Background(), bad)
		if err == nil {
			t.Errorf("%s: sent", name)
		}
		if name == "too big" && !errors.Is(err, ErrTooLong) {
			t.Errorf("too big: err %v, want ErrTooLong", err)
		}
	}
	if n := len(f.received()); n != 1 {
		t.Errorf("server got %d posts, want only the good image", n)
	}
}
