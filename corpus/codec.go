package corpus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// A parsed report is kept beside an on-disk index so that an unchanged
// report is never parsed again: parsing 1,000 reports takes seconds,
// decoding them a few tens of milliseconds. The encoding is a flat list of
// varints and length-prefixed strings; pointers (parents, sections of
// paragraphs) are positions. Decoded strings share the memory of the
// encoded data (no copy), and a sentence's text is a slice of its
// paragraph's, as after parsing.

// CodecVersion starts every encoded report; it changes with the layout, so
// that data kept by an older reportbot is parsed again.
const CodecVersion = "rpt1"

// ErrCorrupt means encoded report data cannot be decoded.
var ErrCorrupt = errors.New("corpus: corrupt encoded report")

// AppendReport appends the encoding of r to b. Thesaurus is left out: it is
// read from its own file beside the report each time.
func AppendReport(b []byte, r *Report) []byte {
	b = append(b, CodecVersion...)
	for _, s := range []string{r.ID, r.Title, r.Source, r.Date, r.Region} {
		b = AppendString(b, s)
	}
	b = binary.AppendVarint(b, int64(r.Year))
	secIndex := make(map[*Section]int, len(r.Sections))
	b = binary.AppendUvarint(b, uint64(len(r.Sections)))
	for i, s := range r.Sections {
		secIndex[s] = i
		b = binary.AppendUvarint(b, uint64(s.Level))
		b = AppendString(b, s.Number)
		b = AppendString(b, s.Name)
		b = AppendString(b, s.Subtitle)
		b = binary.AppendUvarint(b, uint64(positionOf(secIndex, s.Parent)))
	}
	b = binary.AppendUvarint(b, uint64(len(r.Paragraphs)))
	for _, p := range r.Paragraphs {
		b = binary.AppendUvarint(b, uint64(positionOf(secIndex, p.Section)))
		b = AppendString(b, p.Text)
		b = AppendString(b, p.Lead)
		b = AppendString(b, p.Term)
		b = binary.AppendUvarint(b, uint64(p.Period))
		b = binary.AppendUvarint(b, uint64(len(p.Sentences)))
		from := 0
		for _, s := range p.Sentences {
			// Sentences are trimmed slices of the paragraph, in order:
			// stored as an offset when found there, else written out.
			if at := strings.Index(p.Text[from:], s.Text); at >= 0 {
				b = binary.AppendUvarint(b, uint64(from+at)+1)
				b = binary.AppendUvarint(b, uint64(len(s.Text)))
				from += at + len(s.Text)
			} else {
				b = binary.AppendUvarint(b, 0)
				b = AppendString(b, s.Text)
			}
			b = binary.AppendUvarint(b, uint64(len(s.Figures)))
			for _, f := range s.Figures {
				b = AppendString(b, f.Text)
				b = AppendString(b, f.Clause)
				b = AppendString(b, f.Unit)
				b = binary.AppendUvarint(b, uint64(f.Pos))
			}
		}
	}
	return b
}

// positionOf is the section's position plus one, 0 for none.
func positionOf(index map[*Section]int, s *Section) int {
	if s == nil {
		return 0
	}
	return index[s] + 1
}

// AppendString appends s length-prefixed, as Decoder.String reads it.
func AppendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// DecodeReport decodes a report written by AppendReport at the start of
// data and returns what follows it. The report's strings share data's
// memory.
func DecodeReport(data string) (r *Report, rest string, err error) {
	if !strings.HasPrefix(data, CodecVersion) {
		return nil, data, ErrCorrupt
	}
	d := Decoder{data: data[len(CodecVersion):]}
	r = &Report{ID: d.String(), Title: d.String(), Source: d.String(), Date: d.String(), Region: d.String()}
	r.Year = int(d.Varint())
	nsec := d.Count()
	sections := make([]Section, nsec) // one allocation for all
	r.Sections = make([]*Section, nsec)
	for i := range sections {
		s := &sections[i]
		s.Level = int(d.Uvarint())
		s.Number, s.Name, s.Subtitle = d.String(), d.String(), d.String()
		if parent := d.Uvarint(); parent > 0 {
			if parent > uint64(i) {
				return nil, data, fmt.Errorf("%w: section %d has a later parent", ErrCorrupt, i)
			}
			s.Parent = r.Sections[parent-1]
			s.Parent.Children = append(s.Parent.Children, s)
		}
		r.Sections[i] = s
	}
	npar := d.Count()
	paragraphs := make([]Paragraph, npar)
	r.Paragraphs = make([]*Paragraph, npar)
	for i := range paragraphs {
		p := &paragraphs[i]
		p.Index = i
		if sec := d.Uvarint(); sec > 0 {
			if sec > uint64(nsec) {
				return nil, data, fmt.Errorf("%w: paragraph %d has no section %d", ErrCorrupt, i, sec)
			}
			p.Section = r.Sections[sec-1]
			p.Section.Paragraphs = append(p.Section.Paragraphs, p)
		}
		p.Text, p.Lead, p.Term = d.String(), d.String(), d.String()
		p.Period = Period(d.Uvarint())
		nsent := d.Count()
		if nsent > 0 {
			sentences := make([]Sentence, nsent)
			p.Sentences = make([]*Sentence, nsent)
			for j := range sentences {
				s := &sentences[j]
				s.Index, s.Paragraph = j, p
				if at := d.Uvarint(); at > 0 {
					n := d.Uvarint()
					if at-1 > uint64(len(p.Text)) || n > uint64(len(p.Text))-(at-1) {
						return nil, data, fmt.Errorf("%w: sentence %d of paragraph %d outside it", ErrCorrupt, j, i)
					}
					s.Text = p.Text[at-1 : at-1+n]
				} else {
					s.Text = d.String()
				}
				if nfig := d.Count(); nfig > 0 {
					s.Figures = make([]Figure, nfig)
					for k := range s.Figures {
						s.Figures[k] = Figure{Text: d.String(), Clause: d.String(), Unit: d.String(), Pos: int(d.Uvarint())}
					}
				}
				p.Sentences[j] = s
			}
		}
		r.Paragraphs[i] = p
	}
	if d.Err != nil {
		return nil, data, d.Err
	}
	return r, d.data, nil
}

// Decoder reads varints and length-prefixed strings from encoded data. The
// first fault sticks in Err and every later read returns zero, so a caller
// checks Err once at the end. Strings share the data's memory.
type Decoder struct {
	data string
	Err  error
}

// NewDecoder reads data.
func NewDecoder(data string) *Decoder { return &Decoder{data: data} }

// Rest is what is left to read.
func (d *Decoder) Rest() string { return d.data }

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	if d.Err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < len(d.data) && i < binary.MaxVarintLen64; i++ {
		c := d.data[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			d.data = d.data[i+1:]
			return v
		}
	}
	d.Err = fmt.Errorf("%w: truncated number", ErrCorrupt)
	return 0
}

// Varint reads a signed varint.
func (d *Decoder) Varint() int64 {
	u := d.Uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// Count reads a length that must not exceed what is left (each counted
// thing takes a byte at least), so corrupt data cannot ask for a huge
// allocation.
func (d *Decoder) Count() int {
	n := d.Uvarint()
	if n > uint64(len(d.data)) {
		if d.Err == nil {
			d.Err = fmt.Errorf("%w: count %d beyond the data", ErrCorrupt, n)
		}
		return 0
	}
	return int(n)
}

// String reads a length-prefixed string.
func (d *Decoder) String() string {
	n := d.Count()
	if d.Err != nil {
		return ""
	}
	s := d.data[:n]
	d.data = d.data[n:]
	return s
}
