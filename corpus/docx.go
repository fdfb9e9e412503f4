package corpus

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrDocx is wrapped by Parse when a .docx file cannot be read: not a zip
// archive, no word/document.xml, or malformed XML.
var ErrDocx = errors.New("not a readable Word (.docx) file")

// maxDocxXML bounds the uncompressed document.xml: a zip bomb must not eat
// memory. Real reports' document.xml are well under 1 MB.
const maxDocxXML = 64 << 20

// readDocx turns a Word 2007+ file into blocks: one block a paragraph,
// paragraphs styled as headings (Heading1…, 标题 1…, or with an outline level)
// become headings of that level, and each table row becomes one body block
// with its cells joined by "；" so a row reads as one line of figures.
// Automatic numbering (numPr) is not rendered: list items are body text.
func readDocx(data []byte) (document, error) {
	if len(data) > MaxSize {
		return document{}, ErrTooLarge
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return document{}, fmt.Errorf("%w: %v", ErrDocx, err)
	}
	var part *zip.File
	headingStyles := map[string]int{}
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			part = f
		case "word/styles.xml":
			// Styles are optional: without them only built-in names count.
			if b, err := readZipFile(f); err == nil {
				headingStyles = docxHeadingStyles(b)
			}
		}
	}
	if part == nil {
		return document{}, fmt.Errorf("%w: no word/document.xml", ErrDocx)
	}
	body, err := readZipFile(part)
	if err != nil {
		return document{}, fmt.Errorf("%w: %v", ErrDocx, err)
	}
	blocks, err := docxBlocks(body, headingStyles)
	if err != nil {
		return document{}, fmt.Errorf("%w: %v", ErrDocx, err)
	}
	return document{blocks: blocks}, nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxDocxXML {
		return nil, fmt.Errorf("%s is %d bytes uncompressed", f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxDocxXML+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDocxXML {
		return nil, fmt.Errorf("%s is over %d bytes uncompressed", f.Name, maxDocxXML)
	}
	return b, nil
}

// docxHeadingStyles maps style IDs to heading levels, from the style's name
// (heading 1, 标题 1) or its outline level. Chinese Word saves heading styles
// with IDs like "1" or "2", so the ID alone says nothing.
func docxHeadingStyles(styles []byte) map[string]int {
	out := map[string]int{}
	dec := xml.NewDecoder(bytes.NewReader(styles))
	var id string
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "style":
			id = attr(se, "styleId")
		case "name":
			if lvl := headingLevelOfName(attr(se, "val")); lvl > 0 && id != "" {
				out[id] = lvl
			}
		case "outlineLvl":
			if id != "" && out[id] == 0 {
				if n := atoiSmall(attr(se, "val")); n >= 0 && n < 6 {
					out[id] = n + 1
				}
			}
		}
	}
}

// headingLevelOfName: "heading 2" and "标题 2" are level 2; "Title" and
// "标题" are level 1.
func headingLevelOfName(name string) int {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, p := range []string{"heading", "标题"} {
		if rest, ok := strings.CutPrefix(n, p); ok {
			rest = strings.TrimSpace(rest)
			if rest == "" {
				return 1
			}
			if l := atoiSmall(rest); l >= 1 && l <= 6 {
				return l
			}
		}
	}
	if n == "title" {
		return 1
	}
	return 0
}

func atoiSmall(s string) int {
	if len(s) != 1 || s[0] < '0' || s[0] > '9' {
		return -1
	}
	return int(s[0] - '0')
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// docxBlocks walks document.xml once. Text is in w:t inside runs; w:tab and
// w:br become a space (a manual line break inside a paragraph is layout, not
// a new paragraph); deleted text (w:delText) is not text.
func docxBlocks(doc []byte, headingStyles map[string]int) ([]block, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var (
		blocks    []block
		para      strings.Builder
		level     int
		inText    bool
		tableRow  []string
		rowDepth  int // >0 while inside a table row
		cellDepth int
		cell      strings.Builder
	)
	endPara := func() {
		text := para.String()
		para.Reset()
		if cellDepth > 0 {
			if cell.Len() > 0 && text != "" {
				cell.WriteByte(' ')
			}
			cell.WriteString(text)
			return
		}
		if strings.TrimFunc(text, isSpace) != "" {
			blocks = append(blocks, block{text: text, level: level})
		}
		level = 0
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab", "br", "cr":
				para.WriteByte(' ')
			case "pStyle":
				level = headingStyles[attr(t, "val")]
				if level == 0 {
					level = headingLevelOfName(attr(t, "val"))
				}
			case "outlineLvl":
				if n := atoiSmall(attr(t, "val")); n >= 0 && n < 6 {
					level = n + 1
				}
			case "tr":
				rowDepth++
				tableRow = tableRow[:0]
			case "tc":
				cellDepth++
				cell.Reset()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				endPara()
			case "tc":
				cellDepth--
				if s := strings.TrimFunc(cell.String(), isSpace); s != "" {
					tableRow = append(tableRow, s)
				}
			case "tr":
				rowDepth--
				if len(tableRow) > 0 {
					blocks = append(blocks, block{text: strings.Join(tableRow, "；"), body: true})
				}
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		}
	}
	return blocks, nil
}
