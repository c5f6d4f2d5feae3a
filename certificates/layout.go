package certificates

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"skillscore"
)

// Layout places a certificate's elements on an A4 page. Layouts are data
// (templates/certificates/*.json): positions and sizes in millimetres from
// the top left corner, font sizes in points.
type Layout struct {
	Name        string    `json:"name"`
	Orientation string    `json:"orientation"` // P portrait | L landscape
	Elements    []Element `json:"elements"`
	// Salutation is the address word after the holder's name, {salutation}
	// (default 同志); SalutationByGroup overrides it for a group by name
	// (default 学生组 → 同学: a student is not addressed as 同志).
	Salutation        string            `json:"salutation,omitempty"`
	SalutationByGroup map[string]string `json:"salutation_by_group,omitempty"`
}

// Default address words.
const (
	defaultSalutation = "同志"
	defaultPhotoLabel = "照片"
)

var defaultSalutationByGroup = map[string]string{"学生组": "同学"}

// salutationFor is the address word for a holder of group.
func (l *Layout) salutationFor(group string) string {
	byGroup := l.SalutationByGroup
	if byGroup == nil {
		byGroup = defaultSalutationByGroup
	}
	if w, ok := byGroup[group]; ok {
		return w
	}
	if l.Salutation != "" {
		return l.Salutation
	}
	return defaultSalutation
}

// texts is every fixed text the layout can print, for font subsets.
func (l *Layout) texts() string {
	var b strings.Builder
	for _, e := range l.Elements {
		b.WriteString(e.Text)
	}
	b.WriteString(defaultSalutation + defaultPhotoLabel + l.Salutation)
	for _, m := range []map[string]string{l.SalutationByGroup, defaultSalutationByGroup} {
		for _, w := range m {
			b.WriteString(w)
		}
	}
	return b.String()
}

// Element is one thing drawn on the page. Text may hold {field}
// placeholders (see Document.fields); If names a field that must be
// non-empty for the element to be drawn.
type Element struct {
	Kind    string  `json:"kind"` // text | wrap | rect | line | qr | brand | photo | image
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	W       float64 `json:"w,omitempty"`
	H       float64 `json:"h,omitempty"`
	X2      float64 `json:"x2,omitempty"`
	Y2      float64 `json:"y2,omitempty"`
	Size    float64 `json:"size,omitempty"`    // font size (pt), or qr/brand size (mm)
	Leading float64 `json:"leading,omitempty"` // wrap: line height (mm)
	Line    float64 `json:"line,omitempty"`    // stroke width (mm)
	Font    string  `json:"font,omitempty"`    // song | kai
	Align   string  `json:"align,omitempty"`   // L | C | R
	Color   string  `json:"color,omitempty"`   // #rrggbb
	Fill    string  `json:"fill,omitempty"`    // #rrggbb
	Text    string  `json:"text,omitempty"`    // photo: the empty frame's label (default 照片)
	If      string  `json:"if,omitempty"`
	File    string  `json:"file,omitempty"` // image: an organizer's file in the assets directory; skipped when absent
}

var elementKinds = map[string]bool{"text": true, "wrap": true, "rect": true, "line": true, "qr": true, "brand": true,
	"photo": true, "image": true}

// LoadLayouts reads level.json and award.json from a layout directory.
func LoadLayouts(dir fs.FS) (map[string]*Layout, error) {
	out := map[string]*Layout{}
	for _, kind := range []string{KindLevel, KindAward} {
		raw, err := fs.ReadFile(dir, kind+".json")
		if err != nil {
			return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("缺少证书版式 %s.json", kind))
		}
		l, err := ParseLayout(raw)
		if err != nil {
			return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("证书版式 %s.json 无效：%s", kind, skillscore.ErrorMessage(err)))
		}
		out[kind] = l
	}
	return out, nil
}

// ParseLayout reads and checks one layout.
func ParseLayout(raw []byte) (*Layout, error) {
	var l Layout
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("JSON 无法解析：%v", err))
	}
	if l.Orientation != "P" && l.Orientation != "L" {
		return nil, skillscore.Errorf(skillscore.EInvalid, "orientation 应为 P 或 L")
	}
	for i, e := range l.Elements {
		bad := func(why string) error {
			return skillscore.Errorf(skillscore.EInvalid, "第 %d 个元素（%s）：%s", i+1, e.Kind, why)
		}
		if !elementKinds[e.Kind] {
			return nil, bad("未知的 kind")
		}
		switch e.Kind {
		case "text", "wrap":
			if e.Font != "song" && e.Font != "kai" {
				return nil, bad("font 应为 song 或 kai")
			}
			if e.Size <= 0 || e.W <= 0 {
				return nil, bad("需要 size 和 w")
			}
			if e.Kind == "wrap" && e.Leading <= 0 {
				return nil, bad("需要 leading（行距）")
			}
		case "qr", "brand":
			if e.Size <= 0 {
				return nil, bad("需要 size")
			}
		case "rect", "photo", "image":
			if e.W <= 0 || e.H <= 0 {
				return nil, bad("需要 w 和 h")
			}
			if e.Kind == "photo" && e.Font != "" && e.Font != "song" && e.Font != "kai" {
				return nil, bad("font 应为 song 或 kai")
			}
		}
		if e.Kind == "image" && (e.File == "" || strings.ContainsAny(e.File, `/\`)) {
			return nil, bad("file 应为素材目录中的文件名")
		}
		for _, c := range []string{e.Color, e.Fill} {
			if _, _, _, ok := parseColor(c); c != "" && !ok {
				return nil, bad(fmt.Sprintf("颜色 %q 应为 #rrggbb", c))
			}
		}
	}
	return &l, nil
}

func parseColor(s string) (r, g, b int, ok bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff), true
}
