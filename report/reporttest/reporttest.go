// Package reporttest builds an assessment batch taken through to issued
// level certificates, for the tests of the report package, its command and
// its page. Everything goes through the real store, scoring, certificates
// and photo store.
package reporttest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"testing"
	"time"

	"skillscore/certificates"
	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/photos"
	"skillscore/scoring"
	"skillscore/store"
)

// Rules: 技师 (level 2) with three imported parts, each passed at 60; the
// 综合评审 condition names the levels it applies to, as offices state it.
const Rules = `{"schema":"skillscore.rules/v1","name":"养老护理员二级/技师认定","kind":"assessment",
"occupation":"养老护理员","level":2,"year":2026,"groups":[{"code":"all","name":"考生"}],
"modules":[
 {"code":"theory","name":"理论知识考试","part":"theory","weight":30,"max":100,"imported":true},
 {"code":"skill","name":"操作技能考核","part":"practical","weight":50,"max":100,"imported":true},
 {"code":"review","name":"综合评审","part":"review","weight":20,"max":100,"imported":true}],
"total":{"rounding":{"mode":"half_up","places":1}},
"pass":{"conditions":[{"part":"theory","min":60},{"part":"practical","min":60},{"part":"review","min":60,"target_level_at_most":2}]}}`

// Options vary the batch for tests of the check.
type Options struct {
	// OccupationCode is the event's 职业编码; "" leaves it unset.
	OccupationCode string
	// NoGender leaves 王建国's gender unrecorded; NoPhoto gives 陈静 no photo.
	NoGender, NoPhoto bool
}

// Complete are the options of a batch every record of which may leave.
var Complete = Options{OccupationCode: "4-10-01-05"}

// Person is one candidate as the fixture made them.
type Person struct {
	Name, Gender, IDNumber string
	Source                 string // store.SourceNew | SourceRetake
	Theory, Skill, Review  int64  // in scoring.Decimal units; Absent = 缺考
	Absent                 bool
	Photo                  string // "jpg", "png" or ""
}

// People are the batch's five candidates: three pass (李秀英, 王建国 and 陈静,
// a 补考), 张丽 fails 操作技能, 刘洋 is 缺考.
func People() []Person {
	return []Person{
		{Name: "李秀英", Gender: "女", Theory: 780000, Skill: 825000, Review: 750000, Photo: "jpg"},
		{Name: "王建国", Gender: "男", Theory: 900000, Skill: 880000, Review: 800000, Photo: "png"},
		{Name: "张丽", Gender: "女", Theory: 850000, Skill: 550000, Review: 700000, Photo: "jpg"},
		{Name: "刘洋", Gender: "男", Absent: true},
		{Name: "陈静", Gender: "女", Source: store.SourceRetake, Theory: 660000, Skill: 720000, Review: 610000, Photo: "jpg"},
	}
}

// Issuer and Numbering are the body's settings the certificates are issued
// under; Body is what the report reads from them.
const Issuer = "江西省康养职业技能评价中心（测试）"

// Numbering sets every part of the body's code explicitly.
func Numbering() certificates.Numbering {
	return certificates.Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"}
}

// Fixture is the batch.
type Fixture struct {
	Store       *store.Store
	Event       store.Event
	Batch       store.Batch
	People      []Person
	Contestants []store.Contestant // in People's order, 证件号码 opened
	Photos      *photos.Library
	Certs       []store.Certificate // the level certificates issued
	// Images are the imported photos by contestant id.
	Images map[int64][]byte
}

// New builds the batch in st, its photos in photoDir.
func New(tb testing.TB, st *store.Store, photoDir string, opt Options) *Fixture {
	tb.Helper()
	ctx := context.Background()
	f := &Fixture{Store: st, People: People(), Photos: photos.New(st, photoDir), Images: map[int64][]byte{}}
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "rd-ylhl-2026-01", Name: "2026年第一批养老护理员二级/技师职业技能等级认定", Kind: "assessment",
			Occupation: "养老护理员", OccupationCode: opt.OccupationCode, Level: 2, Year: 2026, StartsOn: "2026-05-20",
			Venue: "南昌考点", Rules: Rules},
		Groups: []store.Group{{Code: "all", Name: "考生"}},
		Modules: []store.Module{
			{Code: "theory", Name: "理论知识考试", Kind: "theory", Weight: 300000, MaxMarks: 1000000, Imported: true},
			{Code: "skill", Name: "操作技能考核", Kind: "practical", Weight: 500000, MaxMarks: 1000000, Imported: true},
			{Code: "review", Name: "综合评审", Kind: "review", Weight: 200000, MaxMarks: 1000000, Imported: true}},
	}, "tester")
	if err != nil {
		tb.Fatal(err)
	}
	f.Event = ev
	if f.Batch, err = st.SaveBatch(ctx, store.Batch{EventID: ev.ID, BatchNo: "RD2026-001", EndsOn: "2026-05-21",
		PublicityDays: 5, RetakeMonths: 12}, "tester"); err != nil {
		tb.Fatal(err)
	}
	var cs []store.Contestant
	for i, p := range f.People {
		id, err := idnumber.Make("360102", time.Date(1980+i, 3, 4, 0, 0, 0, 0, time.UTC), 10+2*i+genderBit(p.Gender))
		if err != nil {
			tb.Fatal(err)
		}
		f.People[i].IDNumber = id
		g := p.Gender
		if opt.NoGender && p.Name == "王建国" {
			g = ""
		}
		cs = append(cs, store.Contestant{Name: p.Name, Gender: g, IDType: "居民身份证", IDNumber: id, City: "南昌",
			Organization: "南昌市社会福利院", GroupCode: "all", Level: 3})
	}
	if f.Contestants, err = st.AddContestants(ctx, ev.ID, cs, "tester"); err != nil {
		tb.Fatal(err)
	}
	var cands []store.Candidate
	for i, p := range f.People {
		cands = append(cands, store.Candidate{ContestantID: f.Contestants[i].ID, Ethnicity: "汉族", Education: "高中",
			Source: p.Source, Qualification: "取得高级工证书后累计从事本职业工作满 4 年"})
	}
	if err := st.SaveCandidates(ctx, ev.ID, cands, "tester"); err != nil {
		tb.Fatal(err)
	}
	if _, err := st.AssignEntryNumbers(ctx, ev.ID, "tester"); err != nil {
		tb.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range mods {
		var scores []store.ImportedScore
		for i, p := range f.People {
			if p.Absent {
				continue
			}
			v := map[string]int64{"theory": p.Theory, "skill": p.Skill, "review": p.Review}[m.Code]
			scores = append(scores, store.ImportedScore{ContestantID: f.Contestants[i].ID, ModuleCode: m.Code, Value: v})
		}
		if _, err := st.ImportScores(ctx, ev.ID, m.ID, scores, "test", "tester"); err != nil {
			tb.Fatal(err)
		}
	}
	for i, p := range f.People {
		if p.Absent {
			if err := st.SetContestantStatus(ctx, ev.ID, f.Contestants[i].ID, scoring.StatusAbsent, "", "tester"); err != nil {
				tb.Fatal(err)
			}
		}
		if p.Photo == "" || (opt.NoPhoto && p.Name == "陈静") {
			continue
		}
		img := Image(tb, p.Photo, i)
		if _, err := f.Photos.Save(ctx, ev.ID, f.Contestants[i].ID, img, "tester"); err != nil {
			tb.Fatal(err)
		}
		f.Images[f.Contestants[i].ID] = img
	}
	keys := filepath.Join(tb.TempDir(), "keys")
	if _, err := certificates.GenerateKey(keys, time.Now()); err != nil {
		tb.Fatal(err)
	}
	kr, err := certificates.LoadKeyring(keys)
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := certificates.New(certificates.Config{Store: st, Numbering: Numbering(), Issuer: Issuer, Keys: kr,
		VerifyURL: "http://127.0.0.1/verify",
		Now:       func() time.Time { return time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC) }})
	if err != nil {
		tb.Fatal(err)
	}
	// Level certificates follow the batch's 公示 and the supervising
	// office's approval (store/reviews.go).
	testenv.Approved(tb, st, ev.ID)
	res, err := svc.Issue(ctx, ev.ID, "tester")
	if err != nil {
		tb.Fatal(err)
	}
	f.Certs = res.Certificates
	if len(f.Certs) != 3 {
		tb.Fatalf("issued %d certificates, want 3 (李秀英, 王建国, 陈静)", len(f.Certs))
	}
	return f
}

func genderBit(g string) int {
	if g == "男" {
		return 1
	}
	return 0
}

// Image is a photo the photo store accepts (JPEG or PNG, 120×160), of a
// colour of its own for each i so no two people share an image.
func Image(tb testing.TB, format string, i int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 160))
	c := color.RGBA{uint8(40 * i), uint8(200 - 30*i), 120, 255}
	for y := range 160 {
		for x := range 120 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Holder finds a candidate's row by name.
func (f *Fixture) Holder(name string) (Person, store.Contestant) {
	for i, p := range f.People {
		if p.Name == name {
			return p, f.Contestants[i]
		}
	}
	return Person{}, store.Contestant{}
}
