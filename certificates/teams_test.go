package certificates

import (
	"context"
	"strings"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/results"
)

// A placed team's members each get their own award certificate naming the
// team, and a level certificate when their own level earns a promotion;
// each reads back from the PDF and verifies by the member's 证件号码.
func TestTeamMembersEachGetCertificates(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, err := demo.CreateTeams(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := testKeys(t)
	svc, err := New(Config{Store: st, Numbering: testNumbering(), Issuer: "江西省康养职业技能评价中心（演示）",
		AwardIssuers: "江西省康养职业技能竞赛组委会（演示）", VerifyURL: "https://cert.example.cn/verify", Keys: kr,
		Renderer: testRenderer(t), Now: func() time.Time { return time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Issue(ctx, ev.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.OpenPersonal(snap.Members); err != nil {
		t.Fatal(err)
	}
	standing, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		contestant int64
		kind       string
	}
	issued := map[key]int{}
	for i, c := range res.Certificates {
		issued[key{c.ContestantID, c.Kind}] = i
	}
	awards, levels := 0, 0
	for _, x := range standing.Result.Contestants {
		entry := standing.Contestants[x.ID]
		ms := standing.Members[x.ID]
		if len(ms) != 2 {
			t.Fatalf("team %s has %d members in the standings", entry.Name, len(ms))
		}
		if x.Promotion != nil {
			t.Errorf("team entry %s carries a promotion of its own: %+v", entry.Name, x.Promotion)
		}
		if _, ok := issued[key{entry.ID, KindAward}]; ok {
			t.Errorf("the team entry %s got a certificate of its own", entry.Name)
		}
		for _, m := range ms {
			i, ok := issued[key{m.Row.ID, KindAward}]
			if ok != (x.AwardName != "") {
				t.Errorf("member %s of %s (%s): award certificate %v", m.Row.Name, entry.Name, x.AwardName, ok)
			}
			if ok {
				awards++
				c := res.Certificates[i]
				if c.Name != m.Row.Name || !strings.Contains(c.Facts, entry.Name) {
					t.Errorf("award certificate %s: %s / %s, want %s of %s", c.Number, c.Name, c.Facts, m.Row.Name, entry.Name)
				}
				views, err := svc.ByIDNumber(ctx, m.Row.IDNumber, m.Row.Name)
				if err != nil || len(views) == 0 || views[0].Facts.Team != entry.Name || views[0].Facts.Award != x.AwardName {
					t.Errorf("verify %s: %+v %v", m.Row.Name, views, err)
				}
				v, err := svc.ByToken(ctx, c.Token)
				if err != nil || !v.Signed || v.Facts.Team != entry.Name || v.Facts.Name != m.Row.Name {
					t.Errorf("verify %s by token: %+v %v", c.Number, v, err)
				}
			}
			j, ok := issued[key{m.Row.ID, KindLevel}]
			if ok != (m.Result.Promotion != nil) {
				t.Errorf("member %s (level %d) of %s: level certificate %v, promotion %+v", m.Row.Name, m.Row.Level, entry.Name, ok, m.Result.Promotion)
			}
			if ok {
				levels++
				if c := res.Certificates[j]; !strings.Contains(c.Facts, m.Result.Promotion.ToName) || c.Name != m.Row.Name {
					t.Errorf("level certificate %s: %s", c.Number, c.Facts)
				}
			}
		}
	}
	if awards == 0 || levels == 0 {
		t.Fatalf("%d award and %d level certificates: the demo should place teams and promote members", awards, levels)
	}

	docs, err := svc.Documents(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.Facts.Kind != KindAward {
			continue
		}
		_, pdf, err := svc.RenderOne(ctx, ev.ID, d.Facts.Number)
		if err != nil {
			t.Fatal(err)
		}
		text := compact(pdfText(t, pdf))
		for _, want := range []string{"获奖证书", d.Facts.Name, "所在队伍：" + d.Facts.Team, d.Facts.Award, d.Facts.Number} {
			if !strings.Contains(text, compact(want)) {
				t.Errorf("%s: pdftotext lacks %q\n%s", d.Facts.Number, want, text)
			}
		}
		break
	}
}

// A member's team survives the compact token both in GB 18030 and in UTF-8,
// an empty one adds nothing, and the first form refuses a team it could not
// carry.
func TestTeamInToken(t *testing.T) {
	kr, _ := testKeys(t)
	plain := awardFacts()
	team := awardFacts()
	team.Team = "南昌康养一队"
	odd := awardFacts()
	odd.Team = "Ünal 😀 队"
	for _, f := range []Facts{plain, team, odd} {
		tok, err := kr.Signer.Seal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifyToken(tok, kr.Public)
		if err != nil || got.Facts != f {
			t.Fatalf("round trip: %+v %v, want %+v", got.Facts, err, f)
		}
	}
	a, _ := encodeFacts2(plain)
	b, _ := encodeFacts2(team)
	if a[0]&flagTeam != 0 || b[0]&flagTeam == 0 || len(b) <= len(a) {
		t.Errorf("flags %08b / %08b", a[0], b[0])
	}
	// A team flag over an empty team is not canonical.
	forged := append([]byte{}, a...)
	forged[0] |= flagTeam
	forged = append(forged[:len(forged)-1], 0, forged[len(forged)-1])
	if _, ok := decodeFacts2(forged); ok {
		t.Error("a team flag with an empty team decoded")
	}
	if _, err := encodeFacts(team); err == nil {
		t.Error("the first token form accepted a team")
	}
}
