package certificates

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jung-kurt/gofpdf"

	"skillscore"
)

// Default font paths: Debian's Arphic fonts, installed by scripts/setup.sh.
const (
	DefaultSongFont = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"
	DefaultKaiFont  = "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf"
)

// Fonts are the TrueType files certificates are set in: Song (宋体) for
// the facts, Kai (楷体) for titles and labels.
type Fonts struct {
	Song []byte
	Kai  []byte
}

// LoadFonts reads the two font files, naming the Debian package to install
// when one is missing.
func LoadFonts(songPath, kaiPath string) (Fonts, error) {
	song, err := readFont(songPath, "宋体", "fonts-arphic-gbsn00lp", "--font-song")
	if err != nil {
		return Fonts{}, err
	}
	kai, err := readFont(kaiPath, "楷体", "fonts-arphic-gkai00mp", "--font-kai")
	if err != nil {
		return Fonts{}, err
	}
	return Fonts{Song: song, Kai: kai}, nil
}

func readFont(path, what, pkg, flag string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, skillscore.Errorf(skillscore.EUnavailable,
			"找不到%s字体文件 %s：请安装 Debian 软件包 %s（sudo apt-get install %s），或用 %s 指定 TrueType 字体路径",
			what, path, pkg, pkg, flag)
	}
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取%s字体文件 %s: %v", what, path, err))
	}
	// gofpdf takes TrueType outlines only: not OpenType/CFF, not collections.
	if len(b) < 12 || (!bytes.HasPrefix(b, []byte{0, 1, 0, 0}) && !bytes.HasPrefix(b, []byte("true"))) {
		return nil, skillscore.Errorf(skillscore.EInvalid, "%s字体文件 %s 不是 TrueType (.ttf) 字体；可安装 Debian 软件包 %s", what, path, pkg)
	}
	return b, nil
}

// fontStream finds the embedded font program in a PDF gofpdf wrote without
// compression of its page content: the only stream with a /Length1.
var fontStream = regexp.MustCompile(`/Length (\d+)\n/Filter /FlateDecode\n/Length1 (\d+)\n>>\nstream\n`)

// Subset returns fonts cut down to the characters of text (plus ASCII),
// with the stand-ins for the characters they lack (borrowGlyphs).
//
// Why: gofpdf parses a whole font each time a document adds it and again
// when it writes the document, which for two 5 MB CJK fonts is most of the
// cost of a one-page certificate. A batch of certificates uses a few hundred
// characters, so the batch cuts the fonts once, with gofpdf's own subsetter
// (the font program it embeds in a PDF is a complete TrueType file), and
// every document of the batch then parses fonts of a few dozen kilobytes.
func (f Fonts) Subset(text string) (Fonts, error) {
	song, err := subsetFont(f.Song, text)
	if err != nil {
		return Fonts{}, fmt.Errorf("subset 宋体: %w", err)
	}
	kai, err := subsetFont(f.Kai, text)
	if err != nil {
		return Fonts{}, fmt.Errorf("subset 楷体: %w", err)
	}
	return Fonts{Song: song, Kai: kai}, nil
}

func subsetFont(font []byte, text string) ([]byte, error) {
	seen := map[rune]bool{}
	for r := rune(0x20); r < 0x7f; r++ {
		seen[r] = true
	}
	for _, r := range text {
		if r >= 0x20 {
			seen[r] = true
		}
		if sub, ok := standIns[r]; ok {
			seen[sub] = true
		}
	}
	runes := make([]rune, 0, len(seen))
	for r := range seen {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	p := gofpdf.New("P", "mm", "A4", "")
	p.SetCompression(false)
	p.AddUTF8FontFromBytes("f", "", font)
	p.AddPage()
	p.SetFont("f", "", 10)
	p.Text(10, 10, string(runes))
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	m := fontStream.FindSubmatchIndex(out)
	if m == nil {
		return nil, errors.New("no font program in the subsetting PDF")
	}
	n, _ := strconv.Atoi(string(out[m[2]:m[3]]))
	if m[1]+n > len(out) {
		return nil, errors.New("truncated font program")
	}
	zr, err := zlib.NewReader(bytes.NewReader(out[m[1] : m[1]+n]))
	if err != nil {
		return nil, err
	}
	ttf, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(ttf, []byte{0, 1, 0, 0}) {
		return nil, errors.New("subset is not a TrueType font")
	}
	return borrowGlyphs(ttf)
}

// textOf collects every character a layout and its documents can print.
func textOf(layouts map[string]*Layout, docs []Document) string {
	var b strings.Builder
	for _, l := range layouts {
		b.WriteString(l.texts())
	}
	for _, d := range docs {
		for _, v := range d.fields() {
			b.WriteString(v)
		}
	}
	return b.String()
}
