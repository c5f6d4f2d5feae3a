package tabular

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"skillscore"
)

// Book is a workbook as read: its visible sheets in order and the names
// of those skipped (hidden).
type Book struct {
	Sheets []*Table
	Hidden []string
}

// metaBytes bounds the small parts read whole (relationships, the
// workbook's sheet list): a real one is a few KB.
const metaBytes = 4 << 20

// ReadXLSX reads every visible worksheet of an .xlsx workbook, streaming
// each part through a tokenizer: nothing is decompressed before the zip's
// directory is checked, no row is padded to its last column, and values
// are placed only up to the bounds. Values are the cells' text; a number
// is written as Excel's "General" format shows it (number formats are not
// applied: 85.5 stays 85.5 whatever the decimals shown).
func ReadXLSX(file string, data []byte, lim Limits) (*Book, error) {
	c := &counter{lim: lim, file: file}
	if int64(len(data)) > lim.FileBytes {
		return nil, skillscore.Errorf(skillscore.ETooLarge, "%s超过 %s 上限", c.prefix(), mb(lim.FileBytes))
	}
	zf, err := parts(file, data, c)
	if err != nil {
		return nil, err
	}
	corrupt := func(err error, what string) error {
		var se *skillscore.Error
		if errors.As(err, &se) {
			return err
		}
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("%s不是有效的 .xlsx 工作簿：%s无法读取（文件已损坏？）", c.prefix(), what))
	}
	wbPath := "xl/workbook.xml"
	if rels, err := readRels(zf, "_rels/.rels", ""); err != nil {
		return nil, corrupt(err, "_rels/.rels")
	} else {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				wbPath = r.target
			}
		}
	}
	sheets, err := readWorkbook(zf, wbPath)
	if err != nil {
		return nil, corrupt(err, "工作簿目录 "+wbPath)
	}
	rels, err := readRels(zf, path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"), path.Dir(wbPath))
	if err != nil {
		return nil, corrupt(err, "工作簿关系")
	}
	sstPath := path.Join(path.Dir(wbPath), "sharedStrings.xml")
	for _, r := range rels {
		if strings.HasSuffix(r.typ, "/sharedStrings") {
			sstPath = r.target
		}
	}
	book := &Book{}
	var sst []string
	sstRead := false
	for _, sh := range sheets {
		if sh.state == "hidden" || sh.state == "veryHidden" {
			book.Hidden = append(book.Hidden, sh.name)
			continue
		}
		t := &Table{Name: sh.name}
		book.Sheets = append(book.Sheets, t)
		r, ok := rels[sh.rid]
		f := zf[normPart(r.target)]
		if !ok || f == nil || !strings.HasSuffix(r.typ, "/worksheet") {
			continue // a chart sheet, or a sheet without cells
		}
		if !sstRead {
			if sst, err = readSharedStrings(zf[normPart(sstPath)], c); err != nil {
				return nil, corrupt(err, "共享字符串表")
			}
			sstRead = true
		}
		if err := readSheet(f, t, sst, c); err != nil {
			return nil, corrupt(err, "工作表“"+sh.name+"”")
		}
	}
	return book, nil
}

// normPart is a zip entry's name as parts are looked up: forward slashes,
// no leading slash, case folded (Excel does not care about case).
func normPart(name string) string {
	return strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(name, "\\", "/"), "/"))
}

type rel struct{ typ, target string }

// readRels reads a relationships part; targets are resolved against dir.
func readRels(zf map[string]*zip.File, name, dir string) (map[string]rel, error) {
	out := map[string]rel{}
	f := zf[normPart(name)]
	if f == nil {
		return out, nil
	}
	err := tokens(f, metaBytes, func(tok xml.Token) error {
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "Relationship" {
			id, typ, target := attr(el, "Id"), attr(el, "Type"), attr(el, "Target")
			if attr(el, "TargetMode") == "External" {
				return nil
			}
			if strings.HasPrefix(target, "/") {
				target = strings.TrimPrefix(target, "/")
			} else {
				target = path.Join(dir, target)
			}
			out[id] = rel{typ: typ, target: target}
		}
		return nil
	})
	return out, err
}

type sheetEntry struct{ name, state, rid string }

func readWorkbook(zf map[string]*zip.File, name string) ([]sheetEntry, error) {
	f := zf[normPart(name)]
	if f == nil {
		return nil, fmt.Errorf("no %s", name)
	}
	var out []sheetEntry
	err := tokens(f, metaBytes, func(tok xml.Token) error {
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "sheet" {
			out = append(out, sheetEntry{name: attr(el, "name"), state: attr(el, "state"), rid: attr(el, "id")})
		}
		return nil
	})
	return out, err
}

// readSharedStrings reads the shared-strings table, which cells refer to
// by index: it is read whole, so its size and count are bounded.
func readSharedStrings(f *zip.File, c *counter) ([]string, error) {
	if f == nil {
		return nil, nil
	}
	if f.UncompressedSize64 > uint64(c.lim.SharedStringsBytes) {
		return nil, skillscore.Errorf(skillscore.ETooLarge, "%s的共享字符串表解压后有 %d MB：超过 %s 上限", c.prefix(), f.UncompressedSize64>>20, mb(c.lim.SharedStringsBytes))
	}
	var (
		out       []string
		text      textBuf
		inT, inPh bool
	)
	text.max = c.lim.CellChars
	err := tokens(f, c.lim.SharedStringsBytes, func(tok xml.Token) error {
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "si":
				text.reset()
			case "t":
				inT = true
			case "rPh":
				inPh = true // phonetic guide text is not the cell's value
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "si":
				if len(out) >= c.lim.Cells {
					return skillscore.Errorf(skillscore.ETooLarge, "%s的共享字符串超过 %s 条上限", c.prefix(), thousands(c.lim.Cells))
				}
				if text.over {
					return skillscore.Errorf(skillscore.EUnprocessable, "%s的第 %d 条共享字符串超过每格 %s 个字符上限", c.prefix(), len(out)+1, thousands(c.lim.CellChars))
				}
				out = append(out, unescape(text.String()))
			case "t":
				inT = false
			case "rPh":
				inPh = false
			}
		case xml.CharData:
			if inT && !inPh {
				text.write(el)
			}
		}
		return nil
	})
	return out, err
}

// readSheet places a worksheet's non-empty cells in t.
func readSheet(f *zip.File, t *Table, sst []string, c *counter) error {
	var (
		row, col       int
		typ            string
		text           textBuf
		inV, inIS, inT bool
		inPh           bool
		done           = errors.New("end of sheet data")
		bad            = func(format string, args ...any) error { return fmt.Errorf(format, args...) }
	)
	text.max = c.lim.CellChars
	err := tokens(f, c.lim.PartBytes, func(tok xml.Token) error {
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "row":
				if r := attr(el, "r"); r != "" {
					n, err := strconv.Atoi(r)
					if err != nil || n < 1 || n > 1<<20 {
						return bad("row number %q", r)
					}
					row = n
				} else {
					row++
				}
				col = 0
			case "c":
				if r := attr(el, "r"); r != "" {
					n, err := cellColumn(r)
					if err != nil {
						return err
					}
					col = n
				} else {
					col++
				}
				typ = attr(el, "t")
				text.reset()
			case "v":
				inV = true
			case "is":
				inIS = true
			case "t":
				inT = inIS
			case "rPh":
				inPh = true
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "c":
				if row < 1 {
					return bad("a cell outside a row")
				}
				if text.over {
					return skillscore.Errorf(skillscore.EUnprocessable, "%s%s第 %d 行 %s 列超过每格 %s 个字符上限",
						c.prefix(), sheetOf(t), row, ColumnName(col), thousands(c.lim.CellChars))
				}
				v, numeric, err := cellValue(typ, text.String(), sst)
				if err != nil {
					return skillscore.Wrap(skillscore.EUnprocessable, err,
						fmt.Sprintf("%s%s第 %d 行 %s 列无法读取：%v", c.prefix(), sheetOf(t), row, ColumnName(col), err))
				}
				if v != "" {
					return c.put(t, row, col, v, numeric)
				}
			case "v":
				inV = false
			case "is":
				inIS = false
			case "t":
				inT = false
			case "rPh":
				inPh = false
			case "sheetData":
				return done // what follows (merged cells, print settings) holds no values
			}
		case xml.CharData:
			if inV || inT && !inPh {
				text.write(el)
			}
		}
		return nil
	})
	if errors.Is(err, done) {
		return nil
	}
	return err
}

// cellValue is a cell's text by its type, as excelize's GetRows gives it
// (without number formats), and whether it holds a number.
func cellValue(typ, v string, sst []string) (string, bool, error) {
	switch typ {
	case "s":
		if v == "" {
			return "", false, nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(sst) {
			return "", false, fmt.Errorf("共享字符串序号 %q 不存在", v)
		}
		return sst[i], false, nil
	case "inlineStr":
		return unescape(v), false, nil
	case "str", "e", "d":
		return v, false, nil
	case "b":
		switch v {
		case "1":
			return "TRUE", false, nil
		case "0":
			return "FALSE", false, nil
		}
		return v, false, nil
	}
	// A number (t="n" or no type): excelize's rendering, 15 significant
	// digits as Excel keeps them.
	if v == "" {
		return "", true, nil
	}
	if strings.Contains(v, "_") {
		return v, true, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v, true, nil
	}
	plain := strconv.FormatFloat(f, 'f', -1, 64)
	if len(plain)-strings.Count(plain, ".") > 15 && !withinPrecision(v) {
		return strconv.FormatFloat(f, 'G', 15, 64), true, nil
	}
	return plain, true, nil
}

// withinPrecision: an integer written with zeros past Excel's 15
// significant digits.
func withinPrecision(s string) bool {
	if strings.ContainsAny(s, ".Ee") {
		return false
	}
	s = strings.TrimLeft(s, "+-0")
	return len(strings.TrimRight(s, "0")) <= 15
}

// cellColumn is the column number of a cell reference (C7 → 3).
func cellColumn(ref string) (int, error) {
	n := 0
	for i := 0; i < len(ref); i++ {
		ch := ref[i] | 0x20 // lower case
		if ch < 'a' || ch > 'z' {
			if i == 0 {
				break
			}
			return n, nil
		}
		if n = n*26 + int(ch-'a'+1); n > 16384 {
			break
		}
	}
	return 0, fmt.Errorf("cell reference %q", ref)
}

var escaped = regexp.MustCompile(`_x[0-9a-fA-F]{4}_`)

// unescape decodes the _xHHHH_ escapes Excel writes for characters XML
// cannot carry (_x005F_ is a literal underscore).
func unescape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return escaped.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[2:6], 16, 32)
		return string(rune(n))
	})
}

// textBuf gathers a cell's text up to max characters (counted as bytes,
// a UTF-8 character being at least one); past it, over is set and the
// rest is dropped, so a hostile cell costs no memory.
type textBuf struct {
	b    []byte
	max  int
	over bool
}

func (t *textBuf) reset() { t.b, t.over = t.b[:0], false }

func (t *textBuf) write(p []byte) {
	if len(t.b)+len(p) > 4*t.max {
		t.over = true
		return
	}
	t.b = append(t.b, p...)
}

func (t *textBuf) String() string { return string(t.b) }

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// tokens streams a part's XML tokens to fn, reading at most max bytes.
// The tokenizer's memory is bounded too: no tag may exceed 64 KB (its
// attributes are held at once) and no text run 1 MB.
func tokens(f *zip.File, max int64, fn func(xml.Token) error) error {
	if f.UncompressedSize64 > uint64(max) {
		return skillscore.Errorf(skillscore.ETooLarge, "部件 %s 解压后超过 %s 上限", f.Name, mb(max))
	}
	rc, err := openPart(f)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(&markupGuard{r: rc, tag: 64 << 10, text: 1 << 20})
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

// markupGuard fails the read when one tag or one text run grows past its
// bound, before the XML decoder buffers it.
type markupGuard struct {
	r         io.Reader
	tag, text int
	inTag     bool
	run       int
}

var errMarkup = errors.New("a tag or text run over the bound")

func (g *markupGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, ch := range p[:n] {
		switch {
		case ch == '<':
			g.inTag, g.run = true, 0
		case ch == '>' && g.inTag:
			g.inTag, g.run = false, 0
		default:
			g.run++
			if g.inTag && g.run > g.tag || !g.inTag && g.run > g.text {
				return 0, skillscore.Wrap(skillscore.EUnprocessable, errMarkup, "工作簿中有超长的 XML 标记或文本（单个标记 64 KB、连续文本 1 MB 上限），不是正常的 .xlsx 工作簿")
			}
		}
	}
	return n, err
}
