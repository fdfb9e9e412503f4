package corpus

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// A parsed report is kept beside an on-disk index so that an unchanged
// report is never parsed again: parsing 1,000 reports takes seconds,
// decoding them a few tens of milliseconds. An encoding is a head of
// varints (counts, numbers, and positions standing for pointers: parents,
// sections of paragraphs) followed by a pool of the strings the head points
// into: short ones first (names, leads, units: what an index reads as it
// opens), then long ones (paragraphs, sentences: read only when shown or
// ranked). Decoding reads the head alone and strings share the memory of
// the pool, so an encoding mapped from a file costs no memory for the text
// no one reads. A sentence's text is a slice of its paragraph's, as after
// parsing.

// CodecVersion starts every encoding; it changes with the layout, so that
// data kept by an older reportbot is parsed again.
const CodecVersion = "rpt3"

// ErrCorrupt means encoded data cannot be decoded.
var ErrCorrupt = errors.New("corpus: corrupt encoded report")

// Encoder encodes reports, and what else its user keeps with them, into a
// head and a string pool.
type Encoder struct {
	head        []byte
	short, long []byte         // the pool's two parts
	written     map[string]int // where short strings are in short, to write each once
}

// shortString is the longest string kept with the short ones.
const shortString = 128

// Uvarint writes an unsigned number.
func (e *Encoder) Uvarint(v uint64) { e.head = binary.AppendUvarint(e.head, v) }

// Varint writes a signed number.
func (e *Encoder) Varint(v int64) { e.head = binary.AppendVarint(e.head, v) }

// String writes s into the pool (a short string once) and where it is into
// the head: its length, then its offset in its part, doubled, plus one for
// the long part.
func (e *Encoder) String(s string) {
	e.Uvarint(uint64(len(s)))
	switch {
	case s == "":
	case len(s) > shortString:
		e.Uvarint(uint64(len(e.long))<<1 | 1)
		e.long = append(e.long, s...)
	default:
		at, ok := e.written[s]
		if !ok {
			if e.written == nil {
				e.written = map[string]int{}
			}
			at = len(e.short)
			e.written[s] = at
			e.short = append(e.short, s...)
		}
		e.Uvarint(uint64(at) << 1)
	}
}

// Bytes is the encoding: version, head length, short part length, head,
// short part, long part.
func (e *Encoder) Bytes() []byte {
	b := make([]byte, 0, len(CodecVersion)+2*binary.MaxVarintLen64+len(e.head)+len(e.short)+len(e.long))
	b = append(b, CodecVersion...)
	b = binary.AppendUvarint(b, uint64(len(e.head)))
	b = binary.AppendUvarint(b, uint64(len(e.short)))
	b = append(b, e.head...)
	b = append(b, e.short...)
	return append(b, e.long...)
}

// Report writes r. Thesaurus is left out: it is read from its own file
// beside the report each time.
func (e *Encoder) Report(r *Report) {
	for _, s := range []string{r.ID, r.Title, r.Source, r.Date, r.Region} {
		e.String(s)
	}
	e.Varint(int64(r.Year))
	secIndex := make(map[*Section]int, len(r.Sections))
	e.Uvarint(uint64(len(r.Sections)))
	for i, s := range r.Sections {
		secIndex[s] = i
		e.Uvarint(uint64(s.Level))
		e.String(s.Number)
		e.String(s.Name)
		e.String(s.Subtitle)
		e.Uvarint(uint64(positionOf(secIndex, s.Parent)))
	}
	e.Uvarint(uint64(len(r.Paragraphs)))
	for _, p := range r.Paragraphs {
		e.Uvarint(uint64(positionOf(secIndex, p.Section)))
		e.String(p.Text)
		e.String(p.Lead)
		e.String(p.Term)
		e.Uvarint(uint64(p.Period))
		e.Uvarint(uint64(len(p.Sentences)))
		from := 0
		for _, s := range p.Sentences {
			// Sentences are trimmed slices of the paragraph, in order:
			// written as an offset when found there, else in full.
			if at := strings.Index(p.Text[from:], s.Text); at >= 0 {
				e.Uvarint(uint64(from+at) + 1)
				e.Uvarint(uint64(len(s.Text)))
				from += at + len(s.Text)
			} else {
				e.Uvarint(0)
				e.String(s.Text)
			}
			e.Uvarint(uint64(len(s.Figures)))
			for _, f := range s.Figures {
				e.String(f.Text)
				e.String(f.Clause)
				e.String(f.Unit)
				e.Uvarint(uint64(f.Pos))
			}
		}
	}
}

// positionOf is the section's position plus one, 0 for none.
func positionOf(index map[*Section]int, s *Section) int {
	if s == nil {
		return 0
	}
	return index[s] + 1
}

// EncodeReport is the encoding of r alone.
func EncodeReport(r *Report) []byte {
	var e Encoder
	e.Report(r)
	return e.Bytes()
}

// DecodeReport decodes an encoding of r alone (EncodeReport).
func DecodeReport(data string) (*Report, error) {
	d, err := NewDecoder(data)
	if err != nil {
		return nil, err
	}
	return d.Report()
}

// Decoder reads an encoding. The first fault sticks in Err and every later
// read returns zero, so a caller checks Err once at the end. Strings share
// the encoding's memory.
type Decoder struct {
	head, short, long string
	Err               error
}

// NewDecoder reads data, an Encoder's Bytes.
func NewDecoder(data string) (*Decoder, error) {
	front, err := FrontLen(data)
	if err != nil {
		return nil, err
	}
	if front > len(data) {
		return nil, fmt.Errorf("%w: truncated", ErrCorrupt)
	}
	return NewSplitDecoder(data[:front], data[front:])
}

// FrontLen is how long the front of an encoding is: everything but the
// long strings, what decoding reads. prefix is the encoding's start, 24
// bytes or more, or all of it.
func FrontLen(prefix string) (int, error) {
	if !strings.HasPrefix(prefix, CodecVersion) {
		return 0, fmt.Errorf("%w: not of version %s", ErrCorrupt, CodecVersion)
	}
	d := &Decoder{head: prefix[len(CodecVersion):]}
	head, short := d.Uvarint(), d.Uvarint()
	const most = 1 << 40
	if d.Err != nil || head > most || short > most {
		return 0, fmt.Errorf("%w: truncated", ErrCorrupt)
	}
	return len(prefix) - len(d.head) + int(head+short), nil
}

// NewSplitDecoder reads an encoding given as its front (FrontLen) and the
// rest, the long strings, which may live elsewhere (a mapped file): the
// long strings decoded point into long, which decoding never reads. The
// short strings are copied out of front, so that the numbers, read once,
// do not stay in memory with them.
func NewSplitDecoder(front, long string) (*Decoder, error) {
	if _, err := FrontLen(front); err != nil {
		return nil, err
	}
	d := &Decoder{head: front[len(CodecVersion):]}
	n, short := d.Uvarint(), d.Uvarint()
	if n > uint64(len(d.head)) || short != uint64(len(d.head))-n {
		return nil, fmt.Errorf("%w: truncated", ErrCorrupt)
	}
	d.head, d.short, d.long = d.head[:n], strings.Clone(d.head[n:]), long
	return d, nil
}

// Uvarint reads an unsigned number.
func (d *Decoder) Uvarint() uint64 {
	if d.Err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < len(d.head) && i < binary.MaxVarintLen64; i++ {
		c := d.head[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			d.head = d.head[i+1:]
			return v
		}
	}
	d.fail("truncated number")
	return 0
}

func (d *Decoder) fail(what string) {
	if d.Err == nil {
		d.Err = fmt.Errorf("%w: %s", ErrCorrupt, what)
	}
}

// Varint reads a signed number.
func (d *Decoder) Varint() int64 {
	u := d.Uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// Count reads a number of things that follow in the head, each taking a
// byte at least, so corrupt data cannot ask for a huge allocation.
func (d *Decoder) Count() int {
	n := d.Uvarint()
	if n > uint64(len(d.head)) {
		d.fail("count beyond the data")
		return 0
	}
	return int(n)
}

// String reads a string.
func (d *Decoder) String() string {
	n := d.Uvarint()
	if n == 0 {
		return ""
	}
	at := d.Uvarint()
	pool := d.short
	if at&1 == 1 {
		pool = d.long
	}
	at >>= 1
	if d.Err != nil || at > uint64(len(pool)) || n > uint64(len(pool))-at {
		d.fail("string outside the pool")
		return ""
	}
	return pool[at : at+n]
}

// Report reads a report.
func (d *Decoder) Report() (*Report, error) {
	r := &Report{ID: d.String(), Title: d.String(), Source: d.String(), Date: d.String(), Region: d.String()}
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
				return nil, fmt.Errorf("%w: section %d has a later parent", ErrCorrupt, i)
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
				return nil, fmt.Errorf("%w: paragraph %d has no section %d", ErrCorrupt, i, sec)
			}
			p.Section = r.Sections[sec-1]
			p.Section.Paragraphs = append(p.Section.Paragraphs, p)
		}
		p.Text, p.Lead, p.Term = d.String(), d.String(), d.String()
		p.Period = Period(d.Uvarint())
		if nsent := d.Count(); nsent > 0 {
			sentences := make([]Sentence, nsent)
			p.Sentences = make([]*Sentence, nsent)
			for j := range sentences {
				s := &sentences[j]
				s.Index, s.Paragraph = j, p
				if at := d.Uvarint(); at > 0 {
					n := d.Uvarint()
					if at-1 > uint64(len(p.Text)) || n > uint64(len(p.Text))-(at-1) {
						return nil, fmt.Errorf("%w: sentence %d of paragraph %d outside it", ErrCorrupt, j, i)
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
		return nil, d.Err
	}
	return r, nil
}
