// Package exports builds the organizer's files from an event's stored data:
// the results table (成绩汇总表) as .xlsx and as a signed-off PDF, the
// promotion list (晋升名单) as .xlsx and the audit trail as .csv. Every
// figure is the scoring core's exact decimal written as text, so no
// spreadsheet rounding can change it.
package exports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"skillscore"
	"skillscore/certificates"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// Kinds of export, as the CLI's --what and the web route name them.
const (
	ResultsXLSX    = "results-xlsx"
	ResultsPDF     = "results-pdf"
	PromotionsXLSX = "promotions-xlsx"
	AuditCSV       = "audit-csv"
)

// Kinds lists every export with its Chinese name, in the order pages show them.
func Kinds() []Kind {
	return []Kind{
		{ResultsXLSX, "成绩汇总表（.xlsx）"},
		{ResultsPDF, "成绩汇总表（PDF，含签字栏）"},
		{PromotionsXLSX, "晋升名单（.xlsx）"},
		{AuditCSV, "审计记录（.csv）"},
	}
}

// Kind is one export with its Chinese name.
type Kind struct{ Code, Name string }

// Source is what the exports read; *store.Store satisfies it.
type Source interface {
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	LiveState(ctx context.Context, eventID int64) (store.LiveState, error)
	AuditTrail(ctx context.Context, eventID int64) ([]store.AuditEntry, error)
	Workflow(ctx context.Context, eventID int64) (store.Workflow, error)
	OpenPersonal(cs []store.Contestant) error
	RecordPersonalAccess(ctx context.Context, a store.PersonalAccess) error
}

var _ Source = (*store.Store)(nil)

// File is a built export.
type File struct {
	Name        string // suggested file name
	ContentType string
	Data        []byte
}

// Exporter builds exports. Its fonts are read on the first PDF, so a
// machine without them still exports spreadsheets.
type Exporter struct {
	src       Source
	song, kai string

	mu    sync.Mutex
	fonts *certificates.Fonts
}

// New returns an Exporter reading src, setting PDFs in the TrueType fonts
// at songPath and kaiPath (certificates.DefaultSongFont, DefaultKaiFont).
func New(src Source, songPath, kaiPath string) *Exporter {
	return &Exporter{src: src, song: songPath, kai: kaiPath}
}

func (x *Exporter) loadFonts() (certificates.Fonts, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.fonts == nil {
		f, err := certificates.LoadFonts(x.song, x.kai)
		if err != nil {
			return certificates.Fonts{}, err
		}
		x.fonts = &f
	}
	return *x.fonts, nil
}

// Build makes one export of an event for actor. An export that carries full
// 证件号码 (the promotion list) is recorded in the audit trail as actor's.
func (x *Exporter) Build(ctx context.Context, ev store.Event, what, actor string) (File, error) {
	switch what {
	case ResultsXLSX, ResultsPDF, PromotionsXLSX:
		if what == PromotionsXLSX {
			// The promotion list follows the final results, as certificates do.
			w, err := x.src.Workflow(ctx, ev.ID)
			if err != nil {
				return File{}, err
			}
			if err := w.FinalRequired(); err != nil {
				return File{}, err
			}
		}
		t, err := x.Results(ctx, ev)
		if err != nil {
			return File{}, err
		}
		switch what {
		case ResultsXLSX:
			data, err := t.XLSX()
			return File{ev.Code + "-成绩汇总表.xlsx", xlsxType, data}, err
		case ResultsPDF:
			fonts, err := x.loadFonts()
			if err != nil {
				return File{}, err
			}
			data, err := t.PDF(fonts)
			return File{ev.Code + "-成绩汇总表.pdf", "application/pdf", data}, err
		}
		p, err := x.promotions(ctx, t, actor)
		if err != nil {
			return File{}, err
		}
		data, err := p.XLSX()
		return File{ev.Code + "-晋升名单.xlsx", xlsxType, data}, err
	case AuditCSV:
		trail, err := x.src.AuditTrail(ctx, ev.ID)
		if err != nil {
			return File{}, err
		}
		data, err := auditCSV(trail)
		return File{ev.Code + "-审计记录.csv", "text/csv; charset=utf-8", data}, err
	}
	return File{}, skillscore.Errorf(skillscore.EInvalid, "未知的导出类型 %q：应为 results-xlsx、results-pdf、promotions-xlsx 或 audit-csv", what)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Results computes an event's results table.
func (x *Exporter) Results(ctx context.Context, ev store.Event) (*Table, error) {
	snap, err := x.src.Snapshot(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	live, err := x.src.LiveState(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	st, err := results.Compute(snap)
	if err != nil {
		return nil, err
	}
	return NewTable(st, live.Published()), nil
}

// Table is the results table (成绩汇总表) of one event: one row per
// contestant, ordered by group and rank as the scoring core orders them.
type Table struct {
	Event     store.Event
	Published bool // names are shown only once the results are decrypted and published
	Modules   []string
	Header    []string
	Rows      [][]string
	// Results are the core's rows behind Rows, for the promotion list.
	Results []scoring.ContestantResult
	// Rules are the event's rules: the PDF prints each score to the
	// decimals its rounding states.
	Rules  *scoring.Rules
	people map[string]store.Contestant
	// members: a team entry's members (results.Standings.Members), whose
	// rows are in people too.
	members map[string][]results.Member
}

// Fixed columns of the results table; the module columns follow 单位.
const (
	ColGroup = iota
	ColRank
	ColCode
	ColName
	ColOrganization
	colModules
)

// NewTable lays out standings as the results table. Before publication the
// names and 单位 stay hidden (the draw's anonymous codes only), as on the
// public board.
func NewTable(st *results.Standings, published bool) *Table {
	t := &Table{Event: st.Snapshot.Event, Published: published, Results: st.Result.Contestants, Rules: st.Rules,
		people: st.Contestants, members: st.Members}
	if len(st.Members) > 0 {
		t.people = make(map[string]store.Contestant, len(st.Contestants))
		for k, p := range st.Contestants {
			t.people[k] = p
		}
		for _, ms := range st.Members {
			for _, m := range ms {
				t.people[m.Result.ID] = m.Row
			}
		}
	}
	t.Header = []string{"组别", "名次", "编号", "姓名", "单位"}
	for _, m := range st.Rules.Modules {
		t.Modules = append(t.Modules, m.Name)
		t.Header = append(t.Header, m.Name)
	}
	t.Header = append(t.Header, "总分", "奖项", "晋升", "说明")
	for _, c := range st.Result.Contestants {
		p := st.Contestants[c.ID]
		row := []string{c.GroupName, rankText(c), results.DisplayCode(p), "", ""}
		if row[ColGroup] == "" {
			row[ColGroup] = c.Group
		}
		if published {
			row[ColName], row[ColOrganization] = p.Name, p.Organization
		}
		for _, m := range c.Modules {
			row = append(row, results.ModuleText(m, results.Plain))
		}
		promo := ""
		if c.Promotion != nil {
			promo = c.Promotion.FromName + "→" + c.Promotion.ToName
		}
		if ms := st.Members[c.ID]; len(ms) > 0 {
			// A team: its members by name once published, each with the
			// promotion its own level earns.
			var names, promos []string
			for _, m := range ms {
				who := ""
				if published {
					names, who = append(names, m.Row.Name), m.Row.Name+" "
				}
				if pr := m.Result.Promotion; pr != nil {
					promos = append(promos, who+pr.FromName+"→"+pr.ToName)
				}
			}
			if published {
				row[ColName] += "（" + strings.Join(names, "、") + "）"
			}
			promo = strings.Join(promos, "；")
		}
		row = append(row, results.TotalText(c, results.Plain), results.AwardText(c), promo, ReasonsText(c))
		t.Rows = append(t.Rows, row)
	}
	return t
}

func rankText(c scoring.ContestantResult) string {
	switch {
	case c.Rank == 0:
		return ""
	case c.SharedRank:
		return "并列" + strconv.Itoa(c.Rank)
	}
	return strconv.Itoa(c.Rank)
}

// ReasonsText joins a contestant's reasons into the table's 说明 cell.
func ReasonsText(c scoring.ContestantResult) string {
	texts := make([]string, 0, len(c.Reasons))
	for _, r := range c.Reasons {
		texts = append(texts, r.Text)
	}
	return strings.Join(texts, "；")
}

// PromotionList is the promotion list (晋升名单).
type PromotionList struct {
	Event  store.Event
	Header []string
	Rows   [][]string
}

// promotions opens the promoted people's 证件号码 and records the export
// before the list is built: a file with full numbers is a full view.
func (x *Exporter) promotions(ctx context.Context, t *Table, actor string) (*PromotionList, error) {
	if !t.Published {
		return nil, skillscore.Errorf(skillscore.EConflict, "赛事 %s 的成绩尚未解密公布，不能导出含姓名和证件号码的晋升名单", t.Event.Code)
	}
	var ids []int64
	for _, c := range t.promoted() {
		p := []store.Contestant{t.people[c.ID]}
		if err := x.src.OpenPersonal(p); err != nil {
			return nil, err
		}
		t.people[c.ID] = p[0]
		ids = append(ids, p[0].ID)
	}
	if err := x.src.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: t.Event.ID, Actor: actor, Kind: "export",
		What: PromotionsXLSX, Contestants: ids, Reason: "导出晋升名单"}); err != nil {
		return nil, err
	}
	return t.Promotions()
}

// Promotions lists the promoted contestants with their identity, which is
// why it is refused until the results are decrypted and published. Their
// 证件号码 must have been opened (Exporter.Build does, and records it).
func (t *Table) Promotions() (*PromotionList, error) {
	if !t.Published {
		return nil, skillscore.Errorf(skillscore.EConflict, "赛事 %s 的成绩尚未解密公布，不能导出含姓名和证件号码的晋升名单", t.Event.Code)
	}
	occ := t.Event.Occupation
	if t.Event.Specialty != "" {
		occ += "/" + t.Event.Specialty
	}
	pl := &PromotionList{Event: t.Event, Header: []string{"姓名", "证件号码", "职业/工种", "原等级", "晋升等级", "依据"}}
	for _, c := range t.promoted() {
		p := t.people[c.ID]
		pl.Rows = append(pl.Rows, []string{p.Name, p.IDNumber, occ, c.Promotion.FromName, c.Promotion.ToName, PromotionReason(c)})
	}
	return pl, nil
}

// promoted are the results with a promotion, in table order: a team
// entry's members' own in place of the entry's.
func (t *Table) promoted() []scoring.ContestantResult {
	var out []scoring.ContestantResult
	for _, c := range t.Results {
		if ms, ok := t.members[c.ID]; ok {
			for _, m := range ms {
				if m.Result.Promotion != nil {
					out = append(out, m.Result)
				}
			}
			continue
		}
		if c.Promotion != nil {
			out = append(out, c)
		}
	}
	return out
}

// PromotionReason is the scoring core's text for why a contestant is promoted.
func PromotionReason(c scoring.ContestantResult) string {
	for _, r := range c.Reasons {
		if r.Code == "promotion.granted" {
			return r.Text
		}
	}
	return ""
}

func sheetTitle(ev store.Event, what string) string {
	return fmt.Sprintf("%s %s", ev.Name, what)
}
