package web

import (
	"net/http"
	"regexp"
	"strings"

	"skillscore/store"
)

// regFormPage is the data of templates/html/regform.html: the blank
// registration form (报名表) with the event's notice, printed on A4 for each
// contestant to fill in and sign.
type regFormPage struct {
	Title, EventCode, EventName string
	Person                      string // 选手 or 考生, by the event's kind
	Groups                      []store.Group
	Notice                      store.Notice
	// NoticeTitle is the notice's first block (its heading lines), Lines
	// the rest as paragraphs: paper needs no blank lines between them.
	NoticeTitle []string
	Lines       []noticeLine
	IDBoxes     []struct{} // one box per character of an 18-character number
}

type noticeLine struct {
	Text    string
	Heading bool
}

// sectionHeading is a line that opens a numbered section: 一、… 十二、…
var sectionHeading = regexp.MustCompile(`^[一二三四五六七八九十]+、`)

// noticeBlocks splits a notice into its title (the lines before the first
// blank line, when more text follows) and its paragraphs.
func noticeBlocks(text string) (title []string, lines []noticeLine) {
	head, rest, ok := strings.Cut(text, "\n\n")
	if ok && !strings.Contains(head, "。") {
		title, text = strings.Split(head, "\n"), rest
	}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, noticeLine{Text: l, Heading: sectionHeading.MatchString(l)})
		}
	}
	return title, lines
}

// handleRegistrationForm serves the printable 报名表 of an event.
func (s *Server) handleRegistrationForm(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ps, err := s.privacyStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := ps.EventPrivacy(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	groups, err := ps.Groups(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := regFormPage{Title: ev.Name + " · 报名表", EventCode: ev.Code, EventName: ev.Name, Person: "选手",
		Groups: groups, Notice: p.Notice, IDBoxes: make([]struct{}, 18)}
	if ev.Kind == "assessment" {
		page.Person = "考生"
	}
	page.NoticeTitle, page.Lines = noticeBlocks(p.Notice.Text)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "regform", page)
}
