package certificates

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/levels"
	"skillscore/scoring"
	"skillscore/store"
)

// assessmentAt makes an assessment of one level with two candidates who
// pass its theory test and one who does not, published and approved.
func assessmentAt(t *testing.T, st *store.Store, code string, level levels.Level) store.Event {
	t.Helper()
	ctx := context.Background()
	raw := `{"name": "特级技师评价", "kind": "assessment", "occupation": "养老护理员", "level": ` + strconv.Itoa(int(level)) + `,
	 "groups": [{"code": "all", "name": "考生"}],
	 "modules": [{"code": "T", "name": "理论", "part": "theory", "weight": 100, "max": 100, "imported": true}],
	 "total": {"rounding": {"mode": "half_up", "places": 2}},
	 "pass": {"conditions": [{"part": "theory", "min": 60}]}}`
	rules, err := scoring.ParseRules([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: code, Name: rules.Name, Kind: "assessment",
		Occupation: "养老护理员", Specialty: "--", Level: level, Year: 2026, Rules: raw, Status: "setup"},
		Groups: []store.Group{{Code: "all", Name: "考生"}}, Modules: demo.Modules(rules)}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.AddContestants(ctx, ev.ID, []store.Contestant{
		{Name: "赵敏", Gender: "女", IDType: "居民身份证", IDNumber: "360103199001011523", GroupCode: "all", Level: levels.SeniorTechnician},
		{Name: "钱红", Gender: "女", IDType: "居民身份证", IDNumber: "360103198805052346", GroupCode: "all", Level: levels.SeniorTechnician},
		{Name: "孙丽", Gender: "女", IDType: "居民身份证", IDNumber: "360103198706063424", GroupCode: "all", Level: levels.SeniorTechnician},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var scores []store.ImportedScore
	for i, c := range cs {
		scores = append(scores, store.ImportedScore{ContestantID: c.ID, ModuleCode: "T", Value: []int64{880000, 610000, 500000}[i]})
	}
	if _, err := st.ImportScores(ctx, ev.ID, mods[0].ID, scores, "theory.xlsx", "tester"); err != nil {
		t.Fatal(err)
	}
	// Level certificates of an assessment follow its 公示 and approval.
	testenv.Approved(t, st, ev.ID)
	return ev
}

func levelService(t *testing.T, st *store.Store, n Numbering) *Service {
	t.Helper()
	kr, _ := testKeys(t)
	svc, err := New(Config{Store: st, Numbering: n, Issuer: "江西省康养职业技能评价中心", AwardIssuers: "组委会",
		VerifyURL: "https://cert.example.cn/verify", Keys: kr, Now: func() time.Time { return time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// 特级技师 and 首席技师 assessments issue certificates numbered with two
// letters and 20 digits, which /verify finds by number and by QR token.
func TestIssueAndVerifyLevelsWithoutAGrade(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	svc := levelService(t, st, testNumbering())
	for i, tc := range []struct {
		level  levels.Level
		prefix string
	}{{levels.SpecialTechnician, "S00003600000126T"}, {levels.ChiefTechnician, "S00003600000126S"}, {levels.Apprentice, "S00003600000126X"}} {
		ev := assessmentAt(t, st, "jx-lv-"+strconv.Itoa(i), tc.level)
		res, err := svc.Issue(ctx, ev.ID, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Certificates) != 2 {
			t.Fatalf("%v: %d certificates, want the two who passed", tc.level, len(res.Certificates))
		}
		for j, c := range res.Certificates {
			if c.Kind != KindLevel || c.Number != tc.prefix+"00000"+strconv.Itoa(j+1) {
				t.Errorf("%v: certificate %s %s", tc.level, c.Kind, c.Number)
			}
			p, err := ParseLevelNumber(c.Number)
			if err != nil || p.Level != tc.level {
				t.Errorf("ParseLevelNumber(%s) = %+v %v", c.Number, p, err)
			}
			for name, lookup := range map[string]func() (View, error){
				"number": func() (View, error) { return svc.ByNumber(ctx, strings.ToLower(c.Number), c.Name) },
				"token":  func() (View, error) { return svc.ByToken(ctx, c.Token) },
			} {
				v, err := lookup()
				if err != nil || v.Status != StatusValid || v.Facts.Level != tc.level.String() || v.Facts.Number != c.Number || v.Demo {
					t.Errorf("%v by %s: %+v %v", tc.level, name, v, err)
				}
			}
		}
	}
}

// While the body's codes are unset a batch with level certificates is
// refused whole, naming the setting; award certificates still issue.
func TestLevelCertificatesNeedTheBodyCodes(t *testing.T) {
	ctx := context.Background()
	st, comp := testenv.Demo(t)
	unset := levelService(t, st, DefaultNumbering())
	ev := assessmentAt(t, st, "jx-lv-unset", levels.Senior)
	_, err := unset.Issue(ctx, ev.ID, "organizer")
	if skillscore.ErrorCode(err) != skillscore.EUnavailable || !errors.Is(err, ErrBodyUnset) {
		t.Fatalf("issue without body codes: %v", err)
	}
	msg := skillscore.ErrorMessage(err)
	for _, want := range []string{"2 张职业技能等级证书", "未签发任何证书", "评价机构序列码", "--cert-body-serial"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if certs, _ := st.EventCertificates(ctx, ev.ID); len(certs) != 0 {
		t.Fatalf("%d certificates issued", len(certs))
	}

	// A competition whose results give award certificates only.
	compAwards := comp
	snapStore := awardsOnly{st}
	awards, err := New(Config{Store: snapStore, Numbering: DefaultNumbering(), AwardIssuers: "组委会", Keys: unset.cfg.Keys,
		Now: unset.cfg.Now})
	if err != nil {
		t.Fatal(err)
	}
	res, err := awards.Issue(ctx, compAwards.ID, "organizer")
	if err != nil || res.New == 0 {
		t.Fatalf("award certificates without body codes: %d %v", res.New, err)
	}
	for _, c := range res.Certificates {
		if c.Kind != KindAward {
			t.Fatalf("issued %s %s", c.Kind, c.Number)
		}
	}

	// Set, the same batch issues.
	if res, err := levelService(t, st, testNumbering()).Issue(ctx, ev.ID, "organizer"); err != nil || res.New != 2 {
		t.Fatalf("with body codes: %d %v", res.New, err)
	}
}

// awardsOnly serves the demo competition with everyone already 首席技师,
// whom no promotion table raises, so its results give award certificates
// only.
type awardsOnly struct{ *store.Store }

func (a awardsOnly) Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error) {
	snap, err := a.Store.Snapshot(ctx, eventID)
	for i := range snap.Contestants {
		snap.Contestants[i].Level = levels.ChiefTechnician
	}
	return snap, err
}

// The demo's stand-in codes are marked on what the public sees.
func TestDemoNumberingIsMarked(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev := assessmentAt(t, st, "jx-lv-demo", levels.Technician)
	svc := levelService(t, st, DemoNumbering())
	res, err := svc.Issue(ctx, ev.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	c := res.Certificates[0]
	v, err := svc.ByNumber(ctx, c.Number, c.Name)
	if err != nil || !v.Demo {
		t.Fatalf("demo certificate by number: %+v %v", v, err)
	}
	if v, err := svc.ByToken(ctx, c.Token); err != nil || !v.Demo {
		t.Fatalf("demo certificate by token: %+v %v", v, err)
	}
	// The same number seen by a server with real codes is not a demo's.
	if v, err := levelService(t, st, testNumbering()).ByNumber(ctx, c.Number, c.Name); err != nil || v.Demo {
		t.Fatalf("real server: %+v %v", v, err)
	}
}
