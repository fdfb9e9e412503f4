package bot

import (
	"fmt"
	"strings"
)

// replies splits an answer into chat messages no longer than MaxReplyChars
// characters, at sentence or line ends where possible and never inside a
// character. Chat clients drop or cut long messages (RESEARCH.md §4), so a
// long answer goes out as numbered parts, at most MaxReplyParts of them.
func (b *Bot) replies(m Message, text string) []Reply {
	parts := splitText(text, b.opts.MaxReplyChars, b.opts.MaxReplyParts)
	out := make([]Reply, len(parts))
	for i, p := range parts {
		out[i] = Reply{Chat: m.Chat, Group: m.Group, Text: p}
	}
	return out
}

const truncatedNote = "……(内容较长,只显示前%d段)"

func splitText(text string, limit, maxParts int) []string {
	rs := []rune(text)
	if len(rs) <= limit {
		return []string{text}
	}
	// Leave room for the "(1/3)" mark and the truncation note; a limit too
	// small for them (configuration checks it is at least minReplyChars)
	// still splits, without them.
	budget := limit - 8
	if budget < len([]rune(fmt.Sprintf(truncatedNote, maxParts)))+1 {
		budget = max(limit, 1)
	}
	var chunks []string
	for len(rs) > 0 {
		if len(rs) <= budget {
			chunks = append(chunks, string(rs))
			break
		}
		cut := breakPoint(rs[:budget])
		chunks = append(chunks, strings.TrimRight(string(rs[:cut]), "\n"))
		rs = []rune(strings.TrimLeft(string(rs[cut:]), "\n"))
	}
	if len(chunks) > maxParts {
		chunks = chunks[:maxParts]
		last := []rune(chunks[maxParts-1])
		note := []rune(fmt.Sprintf(truncatedNote, maxParts))
		if len(note) < budget {
			if len(last)+len(note) > budget {
				last = last[:budget-len(note)]
			}
			chunks[maxParts-1] = string(last) + string(note)
		}
	}
	for i := range chunks {
		chunks[i] = fmt.Sprintf("(%d/%d)", i+1, len(chunks)) + chunks[i]
	}
	return chunks
}

// breakPoint is where to cut rs: after the last line break or sentence end
// in its second half, else at its end.
func breakPoint(rs []rune) int {
	for _, ends := range []string{"\n", "。！？；!?;", "，,、 "} {
		for i := len(rs) - 1; i >= len(rs)/2; i-- {
			if strings.ContainsRune(ends, rs[i]) {
				return i + 1
			}
		}
	}
	return len(rs)
}
