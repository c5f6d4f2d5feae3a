package sheets

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"skillscore"
	"skillscore/certificates"
)

// The papers of an assessment batch's admission (准考证, 签到表, 门贴),
// issue 15. They never print a full 证件号码: the 准考证 and the 签到表
// carry it masked (360***********002X) as every other page does, the door
// list not at all.

// DefaultExamRules is the 考生须知 printed on a 准考证 when the batch has
// not written its own: what candidates are told by assessment bodies'
// usual rules (arrive early, both papers, nothing into the room, the
// 30-minute late limit, no leaving early, 人证不符 refused).
const DefaultExamRules = `1. 请于考试开始前 30 分钟到达考点，凭本准考证和有效身份证件（原件）签到入场，二者缺一不得入场；人证不符者不得参加考试。
2. 考试开始 30 分钟后不得入场，按缺考处理；理论考试开始 30 分钟内不得交卷离场。
3. 按准考证上的考场和座位号就座，将准考证和身份证件放在桌面左上角，以备核验。
4. 除黑色签字笔等规定文具外，不得携带手机、智能手表等电子设备和书籍资料进入考场；已带入的须关机后交监考人员保管。
5. 服从考评员和监考人员的安排，保持安静，不得交头接耳、抄袭或协助他人作弊；违纪者按有关规定处理，成绩无效。
6. 操作技能考核须按要求着装，遵守安全操作规程；损坏设备或违反安全规定者，由考评员视情节处理。
7. 考试结束信号发出后立即停止作答，经允许后方可离场。`

// Admission is what every 准考证 of a batch shares.
type Admission struct {
	EventName      string // 2026年第7批养老护理员职业技能等级认定
	BatchNo        string // the body's 批次号, "" when not set
	Occupation     string // 养老护理员
	OccupationCode string // 4-10-01-05
	Specialty      string // 工种 / 职业方向, "" = none
	Level          string // 三级/高级工
	Rules          string // 考生须知, one rule per line; "" = DefaultExamRules
	Printed        time.Time
}

// Sitting is one sitting of a candidate: a session of the batch in a room.
type Sitting struct {
	Subject string // 理论知识, 操作技能: the session's module, or its name
	Session string // the session's code
	Day     string // YYYY-MM-DD
	Starts  string // HH:MM
	Ends    string
	Site    string // 考点
	Room    string // 考场
	Seat    string // 座位号
}

// AdmissionTicket is one candidate's 准考证.
type AdmissionTicket struct {
	Name         string
	Gender       string
	IDType       string
	IDMasked     string // never the full number
	EntryNo      string // 准考证号
	Organization string
	Photo        []byte // JPEG or PNG; nil prints a frame to paste one in
	Sittings     []Sitting
	Token        string // the signed QR token the sign-in tablet scans
}

// A4 portrait, in mm.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
)

func occupationLine(a Admission) string {
	s := a.Occupation
	if a.OccupationCode != "" {
		s += "（" + a.OccupationCode + "）"
	}
	return s
}

func specialtyOr(s string) string {
	if strings.TrimSpace(s) == "" {
		return "--"
	}
	return s
}

func (s Sitting) place() string { return strings.TrimSpace(s.Site + " " + s.Room) }

// Span is the sitting's time as printed, 09:00-10:30: with a hyphen, which
// the Arphic fonts have, where an en dash would print as a gap.
func (s Sitting) Span() string { return s.Starts + "-" + s.Ends }

// WriteAdmissionTickets renders the 准考证, one A4 page each: the facts
// with the photo, every sitting (subject, day, time, 考点, 考场, seat), the
// QR code the sign-in tablet scans, and the exam rules.
func WriteAdmissionTickets(w io.Writer, fonts certificates.Fonts, a Admission, tickets []AdmissionTicket) error {
	rules := strings.TrimSpace(a.Rules)
	if rules == "" {
		rules = DefaultExamRules
	}
	var text strings.Builder
	text.WriteString("准考证姓名性别证件类型号码工作单位职业工种等级批次号考试安排科目日期时间考点考场座位号场次照片" +
		"签到时请出示本证和有效身份证件，工作人员扫描二维码或输入准考证号与证件号码后位。仅限本人使用，妥善保管。" +
		"考生须知打印于第页尚未安排请留意通知（）·：0123456789-")
	fmt.Fprint(&text, a.EventName, a.BatchNo, occupationLine(a), a.Specialty, a.Level, rules)
	for _, t := range tickets {
		text.WriteString(t.Name + t.Gender + t.IDType + t.IDMasked + t.EntryNo + t.Organization)
		for _, s := range t.Sittings {
			text.WriteString(s.Subject + s.Session + s.Day + s.Starts + s.Ends + s.Site + s.Room + s.Seat)
		}
	}
	p, err := newPDF(fonts, text.String(), "P", a.Printed)
	if err != nil {
		return err
	}
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(margin, pageH-7, fmt.Sprintf("%s · 准考证 · 打印于 %s · 第 %d 页", a.EventName, a.Printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	for i, t := range tickets {
		p.AddPage()
		if err := drawTicket(p, a, rules, t, i); err != nil {
			return fmt.Errorf("准考证 %s: %w", t.EntryNo, err)
		}
	}
	if len(tickets) == 0 {
		p.AddPage()
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("admission tickets: %w", err)
	}
	return p.Output(w)
}

// centered writes text centred on the page at baseline y.
func centered(p *gofpdf.Fpdf, y float64, text string) {
	p.Text((pageW-p.GetStringWidth(text))/2, y, text)
}

// box draws a bordered cell with its text vertically centred.
func box(p *gofpdf.Fpdf, x, y, w, h float64, text string) {
	p.Rect(x, y, w, h, "D")
	lines := certificates.WrapText(p, text, w-2)
	_, fh := p.GetFontSize()
	lh := fh * 1.25
	top := y + (h-lh*float64(len(lines)))/2
	for i, l := range lines {
		p.Text(x+1.2, top+lh*float64(i+1)-lh*0.25, l)
	}
}

func drawTicket(p *gofpdf.Fpdf, a Admission, rules string, t AdmissionTicket, i int) error {
	p.SetLineWidth(0.3)
	p.SetFont("kai", "", 13)
	for j, l := range certificates.WrapText(p, a.EventName, pageW-2*margin) {
		centered(p, 20+float64(j)*6, l)
	}
	p.SetFont("kai", "", 26)
	centered(p, 36, "准 考 证")
	if a.BatchNo != "" {
		p.SetFont("song", "", 9)
		p.Text(pageW-margin-p.GetStringWidth("批次号 "+a.BatchNo), 36, "批次号 "+a.BatchNo)
	}

	// The facts, the photo beside them.
	const top, rowH, labelW, photoW = 42.0, 8.0, 27.0, 40.0
	valueW := pageW - 2*margin - photoW - labelW
	rows := [][2]string{
		{"姓　　名", t.Name}, {"性　　别", t.Gender}, {"证件类型", t.IDType}, {"证件号码", t.IDMasked},
		{"准考证号", t.EntryNo}, {"职　　业", occupationLine(a)}, {"工　　种", specialtyOr(a.Specialty)},
		{"等　　级", a.Level}, {"工作单位", t.Organization},
	}
	for r, row := range rows {
		y := top + float64(r)*rowH
		p.SetFont("kai", "", 11)
		box(p, margin, y, labelW, rowH, row[0])
		size := 11.0
		if row[0] == "准考证号" || row[0] == "姓　　名" {
			size = 14
		}
		p.SetFont("song", "", size)
		box(p, margin+labelW, y, valueW, rowH, row[1])
	}
	tableH := float64(len(rows)) * rowH
	px := pageW - margin - photoW
	p.Rect(px, top, photoW, tableH, "D")
	if err := drawPhotoIn(p, fmt.Sprintf("ticket-photo-%d", i), "照片", t.Photo, px+2, top+2, photoW-4, tableH-4); err != nil {
		return err
	}

	// The sittings.
	y := top + tableH + 9
	p.SetFont("kai", "", 13)
	p.Text(margin, y, "考试安排")
	y += 3
	cols := []column{{"科目", 38}, {"日期", 24}, {"时间", 26}, {"考点", 44}, {"考场", 32}, {"座位号", 16}}
	x := margin
	p.SetFont("kai", "", 10.5)
	for _, c := range cols {
		box(p, x, y, c.w, 7, c.title)
		x += c.w
	}
	y += 7
	p.SetFont("song", "", 10)
	if len(t.Sittings) == 0 {
		box(p, margin, y, pageW-2*margin, 8, "尚未安排，请留意通知")
		y += 8
	}
	for _, s := range t.Sittings {
		cells := []string{s.Subject, s.Day, s.Span(), s.Site, s.Room, s.Seat}
		h := 8.0
		for k, c := range cols {
			h = max(h, 4.6*float64(len(certificates.WrapText(p, cells[k], c.w-2)))+2)
		}
		x = margin
		for k, c := range cols {
			box(p, x, y, c.w, h, cells[k])
			x += c.w
		}
		y += h
	}

	// The QR code the sign-in tablet scans, and what to bring.
	const qr = 34.0
	y += 6
	if err := cardQR(p, fmt.Sprintf("ticket-qr-%d", i), []byte(t.Token), margin, y, qr); err != nil {
		return fmt.Errorf("QR code: %w", err)
	}
	p.SetFont("kai", "", 14)
	p.Text(margin+qr+6, y+8, "准考证号 "+t.EntryNo)
	p.SetFont("song", "", 10)
	ty := y + 12
	for _, l := range certificates.WrapText(p, "签到时请出示本证和有效身份证件，工作人员扫描二维码或输入准考证号与证件号码后 4 位签到。", pageW-2*margin-qr-6) {
		ty += 5
		p.Text(margin+qr+6, ty, l)
	}
	p.Text(margin+qr+6, ty+6, "仅限本人使用，妥善保管。")

	// The rules, in a size that fits the rest of the page.
	y += qr + 8
	p.SetFont("kai", "", 13)
	p.Text(margin, y, "考生须知")
	y += 2
	bottom := pageH - 14
	for _, size := range []float64{10, 9, 8, 7} {
		p.SetFont("song", "", size)
		lh := size * 0.5
		var lines []string
		for _, para := range strings.Split(rules, "\n") {
			lines = append(lines, certificates.WrapText(p, strings.TrimSpace(para), pageW-2*margin)...)
		}
		if y+lh*float64(len(lines)) <= bottom || size == 7 {
			for _, l := range lines {
				y += lh
				if y > bottom {
					break
				}
				p.Text(margin, y, l)
			}
			break
		}
	}
	return nil
}

// drawPhotoIn places a photo inside a box keeping its proportions, or the
// label in the empty box when there is none.
func drawPhotoIn(p *gofpdf.Fpdf, name, label string, photo []byte, x, y, w, h float64) error {
	if len(photo) == 0 {
		p.SetFont("song", "", 9)
		p.SetXY(x, y)
		p.CellFormat(w, h, label, "", 0, "CM", false, 0, "")
		return nil
	}
	typ := ""
	switch http.DetectContentType(photo) {
	case "image/png":
		typ = "PNG"
	case "image/jpeg":
		typ = "JPG"
	default:
		return skillscore.Errorf(skillscore.EInvalid, "照片应为 JPEG 或 PNG")
	}
	opts := gofpdf.ImageOptions{ImageType: typ}
	info := p.RegisterImageOptionsReader(name, opts, bytes.NewReader(photo))
	if info == nil || p.Err() {
		return skillscore.Wrap(skillscore.EInvalid, p.Error(), "照片无法读取")
	}
	iw, ih := w, w*info.Height()/info.Width()
	if ih > h {
		iw, ih = h*info.Width()/info.Height(), h
	}
	p.ImageOptions(name, x+(w-iw)/2, y+(h-ih)/2, iw, ih, false, opts, 0, "")
	return nil
}

// SignInSheet is a room's 签到表 for one sitting: each candidate with
// their photo, for the candidate to sign beside.
type SignInSheet struct {
	Sitting
	Rows []SignInRow
}

// SignInRow is one candidate on a 签到表.
type SignInRow struct {
	Seat     string
	Name     string
	Gender   string
	EntryNo  string
	IDMasked string
	Photo    []byte
	Remark   string // 缺考 once recorded; "" otherwise
}

// WriteSignInSheets renders the 签到表 of one or more sittings, each
// starting on a page of its own: seat, photo, name, gender, 准考证号,
// masked 证件号码, a signature column and a remark; the proctors and the
// 督导员 sign at the foot of each page.
func WriteSignInSheets(w io.Writer, fonts certificates.Fonts, eventName string, sheets []SignInSheet, printed time.Time) error {
	var text strings.Builder
	text.WriteString("考场签到表座位号照片无姓名性别准考证号证件号码考生签名备注应到实到缺考人监考人员、考评员（签字）督导员日期打印于第页共场次考点考场科目时间：＿　·-0123456789")
	text.WriteString(eventName)
	for _, s := range sheets {
		text.WriteString(s.Subject + s.Session + s.Day + s.Starts + s.Ends + s.Site + s.Room)
		for _, r := range s.Rows {
			text.WriteString(r.Seat + r.Name + r.Gender + r.EntryNo + r.IDMasked + r.Remark)
		}
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	const left, rowH, headH = 10.0, 27.0, 8.0
	cols := []column{{"座位号", 14}, {"照片", 22}, {"姓名", 27}, {"性别", 11}, {"准考证号", 24}, {"证件号码", 40}, {"考生签名", 36}, {"备注", 16}}
	var cur SignInSheet
	var sheetPage, photoN int
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 10.5)
		p.Text(left, 272, fmt.Sprintf("应到 %d 人　　实到 ＿＿＿ 人　　缺考 ＿＿＿ 人", len(cur.Rows)))
		p.Text(left, 280, "监考人员、考评员（签字）：＿＿＿＿＿＿＿＿　　督导员（签字）：＿＿＿＿＿＿　　日期：＿＿＿＿")
		p.SetFont("song", "", 8)
		p.Text(left, 290, fmt.Sprintf("%s · %s %s 签到表 · 打印于 %s · 第 %d 页", eventName, cur.Place(), cur.Session,
			printed.In(skillscore.China()).Format("2006-01-02 15:04"), sheetPage))
	})
	var y float64
	// header starts a page; next is the sheet that page begins, nil for a
	// sheet's next page. It changes only after AddPage, which has printed
	// the footer of the page before with its own sheet.
	header := func(next *SignInSheet) {
		p.AddPage()
		if next != nil {
			cur, sheetPage = *next, 0
		}
		sheetPage++
		p.SetLineWidth(0.3)
		p.SetFont("kai", "", 16)
		centered(p, 17, eventName+" 考场签到表")
		p.SetFont("song", "", 10.5)
		line := fmt.Sprintf("考点：%s　考场：%s　场次：%s　科目：%s　时间：%s %s", specialtyOr(cur.Site), cur.Room, cur.Session,
			cur.Subject, cur.Day, cur.Span())
		y = 24
		for _, l := range certificates.WrapText(p, line, pageW-2*left) {
			y += 5
			p.Text(left, y, l)
		}
		y += 3
		p.SetFont("kai", "", 10.5)
		x := left
		for _, c := range cols {
			box(p, x, y, c.w, headH, c.title)
			x += c.w
		}
		y += headH
	}
	for _, s := range sheets {
		header(&s)
		for _, r := range s.Rows {
			if y+rowH > 266 {
				header(nil)
			}
			x := left
			cells := []string{r.Seat, "", r.Name, r.Gender, r.EntryNo, r.IDMasked, "", r.Remark}
			for k, c := range cols {
				size := 10.5
				if k == 2 {
					size = 12
				}
				p.SetFont("song", "", size)
				box(p, x, y, c.w, rowH, cells[k])
				if k == 1 {
					photoN++
					if err := drawPhotoIn(p, fmt.Sprintf("signin-photo-%d", photoN), "无照片", r.Photo, x+1.5, y+1.5, c.w-3, rowH-3); err != nil {
						return fmt.Errorf("签到表 %s 的照片（%s）: %w", s.Session, r.EntryNo, err)
					}
				}
				x += c.w
			}
			y += rowH
		}
	}
	if len(sheets) == 0 {
		p.AddPage()
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("sign-in sheets: %w", err)
	}
	return p.Output(w)
}

// Place is where a sitting is: 考点 and 考场.
func (s Sitting) Place() string { return s.place() }

// DoorList is the list posted at a room's door for one sitting: seat,
// name and 准考证号, no 证件号码.
type DoorList struct {
	Sitting
	Rows []DoorRow
}

// DoorRow is one candidate on a door list.
type DoorRow struct{ Seat, Name, EntryNo string }

// doorRows is how many rows one column block of a door list takes.
const doorRows = 24

// WriteDoorLists renders the door lists (门贴), each sitting on pages of
// its own: the room large enough to read from the corridor, the sitting's
// subject and time, and the candidates in seat order in up to two column
// blocks a page.
func WriteDoorLists(w io.Writer, fonts certificates.Fonts, eventName string, lists []DoorList, printed time.Time) error {
	var text strings.Builder
	text.WriteString("考场门贴座位号姓名准考证号考生名单共人考点场次科目打印于第页续　·-：（）0123456789")
	text.WriteString(eventName)
	for _, l := range lists {
		text.WriteString(l.Subject + l.Session + l.Day + l.Starts + l.Ends + l.Site + l.Room)
		for _, r := range l.Rows {
			text.WriteString(r.Seat + r.Name + r.EntryNo)
		}
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	var cur DoorList
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(margin, 290, fmt.Sprintf("%s · %s %s 门贴 · 打印于 %s", eventName, cur.Place(), cur.Session, printed.In(skillscore.China()).Format("2006-01-02 15:04")))
	})
	cols := []column{{"座位号", 20}, {"姓名", 36}, {"准考证号", 34}}
	const blockW, gap, rowH = 90.0, 6.0, 8.5
	for _, l := range lists {
		for start := 0; start == 0 || start < len(l.Rows); start += 2 * doorRows {
			// After AddPage, which prints the page before's footer with its own list.
			p.AddPage()
			cur = l
			p.SetLineWidth(0.3)
			p.SetFont("kai", "", 34)
			centered(p, 30, l.Room)
			p.SetFont("kai", "", 15)
			if l.Site != "" {
				centered(p, 41, "考点："+l.Site)
			}
			p.SetFont("song", "", 13)
			centered(p, 50, fmt.Sprintf("%s　%s %s　场次 %s", l.Subject, l.Day, l.Span(), l.Session))
			title := fmt.Sprintf("考生名单（共 %d 人）", len(l.Rows))
			if start > 0 {
				title += "（续）"
			}
			p.SetFont("kai", "", 14)
			centered(p, 60, title)
			page := l.Rows[start:min(len(l.Rows), start+2*doorRows)]
			blocks := (len(page) + doorRows - 1) / doorRows
			x0 := (pageW - float64(blocks)*blockW - float64(max(blocks-1, 0))*gap) / 2
			for b := range blocks {
				x := x0 + float64(b)*(blockW+gap)
				y := 66.0
				p.SetFont("kai", "", 12)
				cx := x
				for _, c := range cols {
					box(p, cx, y, c.w, rowH, c.title)
					cx += c.w
				}
				y += rowH
				p.SetFont("song", "", 13)
				for _, r := range page[b*doorRows : min(len(page), (b+1)*doorRows)] {
					cx = x
					for k, c := range cols {
						box(p, cx, y, c.w, rowH, []string{r.Seat, r.Name, r.EntryNo}[k])
						cx += c.w
					}
					y += rowH
				}
			}
		}
	}
	if len(lists) == 0 {
		p.AddPage()
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("door lists: %w", err)
	}
	return p.Output(w)
}
