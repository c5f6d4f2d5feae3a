package sheets

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"skillscore"
	"skillscore/certificates"
	"skillscore/judges"
	"skillscore/scoring"
	"skillscore/store"
)

// JudgeCard is one judge's tablet login card: the QR code opens the tablet
// app with the one-time ticket, the PIN completes the login.
type JudgeCard struct {
	JudgeCode string
	JudgeName string
	Modules   string // the judge's panels, e.g. "生活照护（裁判长）"
	URL       string // the login URL the QR code carries
	PIN       string
	Expires   time.Time
}

// Cards per A4 page: two columns of three.
const (
	cardCols = 2
	cardRows = 3
	cardW    = 95.0
	cardH    = 92.0
	qrSize   = 46.0
	cardPad  = 5.0
)

// WriteJudgeCards renders the cards, six to an A4 page, with cutting
// borders, in the event's words (裁判登录卡 or 考评员登录卡). Every card
// carries a live login: the sheet is to be handed out and then destroyed,
// which the footer says.
func WriteJudgeCards(w io.Writer, fonts certificates.Fonts, eventName string, t scoring.Terms, cards []JudgeCard, printed time.Time) error {
	title := t.Judge + "登录卡"
	var text strings.Builder
	text.WriteString("登录卡用平板扫描二维码输入登录提交评分表时再次作为签名只能使用一次前有效请妥善保管勿外传模块组打印于发放后销毁本页第")
	text.WriteString(eventName + title)
	for _, c := range cards {
		text.WriteString(c.JudgeName + c.Modules + c.URL)
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(10, 292, fmt.Sprintf("%s · %s · 打印于 %s · 第 %d 页 · 发放后销毁本页", eventName, title,
			printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	if err := layCards(p, len(cards), func(x, y float64, i int) error { return drawCard(p, x, y, eventName, title, cards[i], i) }); err != nil {
		return fmt.Errorf("judge cards: %w", err)
	}
	return p.Output(w)
}

// layCards places n cards six to an A4 page (two columns of three), each
// drawn by draw at its top-left corner; no cards still give one page.
func layCards(p *gofpdf.Fpdf, n int, draw func(x, y float64, i int) error) error {
	const left, top = 10.0, 10.0
	for i := range n {
		slot := i % (cardCols * cardRows)
		if slot == 0 {
			p.AddPage()
		}
		if err := draw(left+float64(slot%cardCols)*cardW, top+float64(slot/cardCols)*cardH, i); err != nil {
			return err
		}
	}
	if n == 0 {
		p.AddPage()
	}
	return p.Error()
}

// cardHead draws a card's cutting border, its title and the event's name,
// and returns where the text below the name may start.
func cardHead(p *gofpdf.Fpdf, x, y float64, title string, titleSize, titleDrop float64, eventName string) float64 {
	p.SetDrawColor(150, 150, 150)
	p.SetDashPattern([]float64{1.5, 1}, 0)
	p.Rect(x, y, cardW, cardH, "D")
	p.SetDashPattern(nil, 0)
	p.SetDrawColor(0, 0, 0)
	p.SetFont("kai", "", titleSize)
	p.Text(x+cardPad, y+cardPad+titleDrop, title)
	p.SetFont("song", "", 9)
	ly := y + cardPad + titleDrop + 3
	for _, l := range certificates.WrapText(p, eventName, cardW-2*cardPad) {
		ly += 4.2
		p.Text(x+cardPad, ly, l)
	}
	return ly
}

// cardQR draws a QR code of content, size mm square, at (x, y).
func cardQR(p *gofpdf.Fpdf, name string, content []byte, x, y, size float64) error {
	img, err := certificates.QRImage(content)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	p.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "PNG"}, &buf)
	p.ImageOptions(name, x, y, size, size, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	return nil
}

func drawCard(p *gofpdf.Fpdf, x, y float64, eventName, title string, c JudgeCard, i int) error {
	const pad = cardPad
	ly := cardHead(p, x, y, title, 15, 5, eventName)
	qy := ly + 3
	if err := cardQR(p, fmt.Sprintf("qr%d", i), []byte(c.URL), x+pad, qy, qrSize); err != nil {
		return fmt.Errorf("QR code of %s: %w", c.JudgeCode, err)
	}
	tx, tw := x+pad+qrSize+4, cardW-2*pad-qrSize-4
	ty := qy + 6
	p.SetFont("kai", "", 16)
	p.Text(tx, ty, c.JudgeCode)
	ty += 7
	p.SetFont("song", "", 12)
	for _, l := range certificates.WrapText(p, c.JudgeName, tw) {
		p.Text(tx, ty, l)
		ty += 5.5
	}
	p.SetFont("song", "", 9)
	for _, l := range certificates.WrapText(p, c.Modules, tw) {
		p.Text(tx, ty, l)
		ty += 4.2
	}
	ty += 3
	p.SetFont("song", "", 10)
	p.Text(tx, ty, "PIN")
	p.SetFont("kai", "", 20)
	p.Text(tx, ty+8, c.PIN)
	p.SetFont("song", "", 8)
	notes := fmt.Sprintf("用平板扫描二维码，输入 PIN 登录；提交评分表时再次输入 PIN 作为签名。二维码只能使用一次，%s 前有效。请妥善保管，勿外传。",
		c.Expires.In(skillscore.China()).Format("2006-01-02 15:04"))
	ny := qy + qrSize + 4
	for _, l := range certificates.WrapText(p, notes, cardW-2*pad) {
		ny += 3.8
		p.Text(x+pad, ny, l)
	}
	return nil
}

// JudgeLoginURL is the URL a judge's login card carries: the tablet app
// with the one-time ticket, and the event's code, whose kind sets the
// login screen's words (裁判 or 考评员) before the login.
func JudgeLoginURL(base, ticket, eventCode string) string {
	return strings.TrimRight(base, "/") + "/judge?t=" + ticket + "&e=" + url.QueryEscape(eventCode)
}

// LoginIssuer issues a judge's one-time tablet login (judges.Service).
type LoginIssuer interface {
	IssueLogin(ctx context.Context, judgeID int64, actor string) (judges.Login, error)
}

// IssueJudgeCards issues a fresh login for every judge on a panel of the
// event and returns their cards in judge-code order. baseURL is the
// server's address as tablets reach it (http://10.0.0.5:8080); the card's
// URL names the event too, so the tablet's login screen speaks its words.
func IssueJudgeCards(ctx context.Context, li LoginIssuer, ev store.Event, js []store.Judge, panels []store.PanelMember,
	mods []store.Module, baseURL, actor string) ([]JudgeCard, error) {
	t := scoring.TermsFor(ev.Kind)
	modName := map[int64]string{}
	for _, m := range mods {
		modName[m.ID] = m.Name
	}
	onPanels := map[int64][]string{}
	for _, p := range panels {
		n := modName[p.ModuleID]
		if p.Chief {
			n += "（" + t.Chief + "）"
		}
		onPanels[p.JudgeID] = append(onPanels[p.JudgeID], n)
	}
	var out []JudgeCard
	for _, j := range js {
		ms, ok := onPanels[j.ID]
		if !ok {
			continue
		}
		l, err := li.IssueLogin(ctx, j.ID, actor)
		if err != nil {
			return nil, fmt.Errorf("login for %s: %w", j.Code, err)
		}
		out = append(out, JudgeCard{JudgeCode: j.Code, JudgeName: j.Name, Modules: strings.Join(ms, "、"),
			URL: JudgeLoginURL(baseURL, l.Ticket, ev.Code), PIN: l.PIN, Expires: l.ExpiresAt})
	}
	if len(out) == 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "本%s还没有分到%s组的%s：请先导入%s", t.Event, t.Judge, t.Judge, t.Judge)
	}
	return out, nil
}
