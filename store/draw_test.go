package store

import (
	"context"
	"strings"
	"testing"

	"skillscore"
	"skillscore/draw"
)

func TestDrawDeterministicRefusedAfterMarks(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		const seed1 = "0123456789abcdef0123456789abcdef"
		if _, err := s.Draw(ctx, d.ev.ID, 2, seed1, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("layer 2 before layer 1: %v", err)
		}
		if _, err := s.Draw(ctx, d.ev.ID, 1, "not-hex", "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("bad seed: %v", err)
		}
		if _, err := s.Draw(ctx, d.ev.ID, 1, seed1, "organizer"); err != nil {
			t.Fatal(err)
		}
		// The stored deal is what the pure algorithm gives for the seed.
		want, err := draw.Run(seed1, 1, []draw.Person{
			{ID: d.cs[0].ID, IDType: d.cs[0].IDType, IDNumber: d.cs[0].IDNumber},
			{ID: d.cs[1].ID, IDType: d.cs[1].IDType, IDNumber: d.cs[1].IDNumber}})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := s.Contestants(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]Contestant{}
		for _, c := range cs {
			byID[c.ID] = c
		}
		for _, w := range want {
			c := byID[w.ID]
			if c.Code == nil || *c.Code != w.Code || c.Station == nil || *c.Station != w.Station {
				t.Fatalf("contestant %d has %v/%v, want %+v", w.ID, c.Code, c.Station, w)
			}
		}
		// Redrawing before any mark is allowed and recorded; the second draw
		// changes the codes judges see but keeps the layer-1 mapping.
		if _, err := s.Draw(ctx, d.ev.ID, 1, seed1, "organizer"); err != nil {
			t.Fatalf("redraw before marks: %v", err)
		}
		// A contestant added after the first draw has no station: the second
		// draw is refused until the first is redone.
		late, err := s.AddContestants(ctx, d.ev.ID, []Contestant{{Name: "赵敏", Gender: "女", IDType: "护照", IDNumber: "E12345678",
			GroupCode: "employee"}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Draw(ctx, d.ev.ID, 2, "fedcba9876543210fedcba9876543210", "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict ||
			!strings.Contains(skillscore.ErrorMessage(err), "名单有变动") {
			t.Fatalf("layer 2 after a roster change: %v", err)
		}
		if _, err := s.Draw(ctx, d.ev.ID, 1, seed1, "organizer"); err != nil {
			t.Fatalf("redraw after a roster change: %v", err)
		}
		byID[late[0].ID] = late[0]
		if _, err := s.Draw(ctx, d.ev.ID, 2, "fedcba9876543210fedcba9876543210", "organizer"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Draw(ctx, d.ev.ID, 1, seed1, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("layer 1 after layer 2: %v", err)
		}
		st, err := s.DrawState(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Draws) != 2 || len(st.Rows) != 3 {
			t.Fatalf("state: %+v", st)
		}
		cs, _ = s.Contestants(ctx, d.ev.ID)
		for _, r := range st.Rows {
			c := byID[r.ContestantID]
			if r.Code2 == nil || !strings.HasPrefix(*r.Code2, "B") || !strings.HasPrefix(r.Code1, "A") || r.Name != c.Name {
				t.Fatalf("row %+v", r)
			}
		}
		for _, c := range cs {
			if c.Code == nil || !strings.HasPrefix(*c.Code, "B") {
				t.Fatalf("judges should see layer-2 codes: %+v", c)
			}
		}

		if _, err := s.RecordMark(ctx, MarkOp{OpID: "tab:1", EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID,
			JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: 10000, Actor: "J01"}); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Contestants(ctx, d.ev.ID)
		for _, layer := range []int{1, 2} {
			_, err := s.Draw(ctx, d.ev.ID, layer, seed1, "organizer")
			if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), "评分") {
				t.Fatalf("layer %d draw after a mark: %v", layer, err)
			}
		}
		after, _ := s.Contestants(ctx, d.ev.ID)
		for i := range before {
			if *before[i].Code != *after[i].Code {
				t.Fatal("refused draw changed codes")
			}
		}
	})
}

func TestDecryptOnlyAfterSignOff(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		if _, err := s.Decrypt(ctx, d.ev.ID, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("decrypt before draw: %v", err)
		}
		if _, err := s.Draw(ctx, d.ev.ID, 1, "0123456789abcdef0123456789abcdef", "organizer"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Decrypt(ctx, d.ev.ID, "organizer")
		if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), d.pra.Name) ||
			strings.Contains(skillscore.ErrorMessage(err), d.theory.Name) {
			t.Fatalf("decrypt before sign-off should name only the judged module: %v", err)
		}
		st, _ := s.DrawState(ctx, d.ev.ID)
		if st.Decryptable || len(st.Unsigned) != 1 || st.DecryptedAt.Valid() {
			t.Fatalf("state before sign-off: %+v", st)
		}
		if err := s.SignOffModule(ctx, d.ev.ID, d.pra.ID, 1, "chief"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decrypt(ctx, d.ev.ID, "organizer"); err != nil {
			t.Fatalf("decrypt after sign-off: %v", err)
		}
		if _, err := s.Decrypt(ctx, d.ev.ID, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("second decrypt: %v", err)
		}
		if _, err := s.Draw(ctx, d.ev.ID, 2, "0123456789abcdef0123456789abcdef", "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("draw after decrypt: %v", err)
		}
		st, _ = s.DrawState(ctx, d.ev.ID)
		if !st.DecryptedAt.Valid() || st.DecryptedBy != "organizer" {
			t.Fatalf("decryption not recorded: %+v", st)
		}
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
		}
		if !strings.Contains(strings.Join(actions, ","), "draw.run") || actions[len(actions)-1] != "draw.decrypt" {
			t.Fatalf("audit: %v", actions)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("audit chain: %d %v", bad, err)
		}
	})
}
