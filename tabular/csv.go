package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"skillscore"
)

// CSV is a CSV file as read: its rows (Rows[i] is line i+1 as Excel shows
// it, blank lines nil) and the text encoding it was in.
type CSV struct {
	Table
	Encoding string // utf-8, utf-8-bom, utf-16, gb18030
}

// ReadCSV reads a CSV (or tab-separated) file within the bounds: a line
// longer than LineBytes is refused before the CSV parser holds it (a line
// of millions of commas would be millions of fields), trailing empty
// fields are dropped (Excel pads every line to the widest), and values
// past the last allowed column, row or cell count are refused.
func ReadCSV(file string, data []byte, lim Limits) (*CSV, error) {
	c := &counter{lim: lim, file: file}
	if int64(len(data)) > lim.FileBytes {
		return nil, skillscore.Errorf(skillscore.ETooLarge, "%s超过 %s 上限", c.prefix(), mb(lim.FileBytes))
	}
	text, enc, err := decodeCSV(data)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法识别%s的文字编码", c.prefix()))
	}
	guard := &lineGuard{r: strings.NewReader(text), max: lim.LineBytes}
	r := csv.NewReader(guard)
	r.Comma = sniffComma(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	out := &CSV{Encoding: enc}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, errLongLine) {
			return nil, skillscore.Errorf(skillscore.EUnprocessable, "%s第 %d 行超过每行 %d KB 上限：请检查是否有多余的分隔符", c.prefix(), guard.line, lim.LineBytes>>10)
		}
		if err != nil {
			return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("%s不是有效的 CSV：%v", c.prefix(), err))
		}
		// csv.Reader skips blank lines; the line it reports keeps the row
		// numbers the same as Excel shows when it opens the file.
		line, _ := r.FieldPos(0)
		for col, v := range rec {
			if v != "" {
				if err := c.put(&out.Table, line, col+1, v, false); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// errLongLine is lineGuard's refusal; ReadCSV turns it into the message.
var errLongLine = errors.New("line over the bound")

// lineGuard fails the read once a line grows past max bytes, so the CSV
// parser never buffers a longer one.
type lineGuard struct {
	r    io.Reader
	max  int
	run  int
	line int // the line being read, from 1
}

func (g *lineGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if g.line == 0 {
		g.line = 1
	}
	rest := p[:n]
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			if g.run += len(rest); g.run > g.max {
				return 0, errLongLine
			}
			return n, err
		}
		if g.run+i > g.max {
			return 0, errLongLine
		}
		g.run, g.line, rest = 0, g.line+1, rest[i+1:]
	}
}

// decodeCSV turns CSV bytes into text. Excel on Chinese Windows saves "CSV"
// in GBK (read as GB18030, its superset), "CSV UTF-8" with a byte-order mark,
// and "Unicode text" in UTF-16; anything that is valid UTF-8 is taken as is.
func decodeCSV(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return string(data[3:]), "utf-8-bom", nil
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		return string(out), "utf-16", err
	case utf8.Valid(data):
		return string(data), "utf-8", nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	return string(out), "gb18030", err
}

// sniffComma picks tab for tab-separated text (Excel's "Unicode text"),
// comma otherwise.
func sniffComma(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	if strings.Count(first, "\t") > strings.Count(first, ",") {
		return '\t'
	}
	return ','
}
