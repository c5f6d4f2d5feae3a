package scoring

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"skillscore/levels"
)

func promotionReasons(x ContestantResult) []Reason {
	var out []Reason
	for _, r := range x.Reasons {
		if strings.HasPrefix(r.Code, "promotion.") {
			out = append(out, r)
		}
	}
	return out
}

// A team member's promotion is exactly what an individual with the entry's
// rank, award and group and the member's own level and last promotion year
// gets: each individual result, used as a team entry's, promotes a member
// holding that individual's level the same way, with the same reasons, among
// teammates of every other level and promotion year.
func TestPropertyMemberPromotionIsIndividual(t *testing.T) {
	r := demoRules(t)
	if r.Promotion == nil {
		t.Fatal("the demo rules have no promotion table: the property would test nothing")
	}
	granted, refused := 0, 0
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 14))
		in := randomEvent(r, rng, 4+rng.IntN(30))
		for i := range in.Contestants {
			if rng.IntN(5) == 0 {
				in.Contestants[i].LastPromotionYear = in.Year
			}
		}
		res, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]Contestant{}
		for _, c := range in.Contestants {
			byID[c.ID] = c
		}
		for _, x := range res.Contestants {
			self := byID[x.ID]
			self.ID = "M-self"
			members := []Contestant{self}
			for _, l := range append([]levels.Level{levels.None}, levels.All()...) {
				members = append(members, Contestant{ID: "M-other", Group: self.Group, Level: l, LastPromotionYear: rng.IntN(2) * in.Year})
			}
			rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
			entry := byID[x.ID]
			entry.Level, entry.LastPromotionYear = levels.Level(rng.IntN(9)), rng.IntN(2)*in.Year // the entry's own are nobody's
			got, err := MemberPromotions(r, in.Year, entry, x, members)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(members) {
				t.Fatalf("%d results for %d members", len(got), len(members))
			}
			for i, m := range got {
				if m.ID != members[i].ID || m.Rank != x.Rank || m.Award != x.Award {
					t.Fatalf("member %d: id/rank/award %s/%d/%s, want %s/%d/%s", i, m.ID, m.Rank, m.Award, members[i].ID, x.Rank, x.Award)
				}
				if m.ID != "M-self" {
					continue
				}
				if !reflect.DeepEqual(m.Promotion, x.Promotion) || !reflect.DeepEqual(promotionReasons(m), promotionReasons(x)) {
					t.Fatalf("seed %d %s (rank %d, award %q, level %d): member promotion %+v %v, individual %+v %v",
						seed, x.ID, x.Rank, x.Award, self.Level, m.Promotion, promotionReasons(m), x.Promotion, promotionReasons(x))
				}
				if m.Promotion != nil {
					granted++
				} else {
					refused++
				}
			}
		}
	}
	if granted == 0 || refused == 0 {
		t.Fatalf("the random events gave %d promotions and %d refusals: the property needs both", granted, refused)
	}
}

func TestMemberPromotionsUnknownAward(t *testing.T) {
	r := demoRules(t)
	_, err := MemberPromotions(r, 2024, Contestant{ID: "T01"}, ContestantResult{ID: "T01", Group: r.Groups[0].Code, Award: "nope"}, []Contestant{{ID: "a"}})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("err = %v, want the unknown award named", err)
	}
}

func TestTeamRuleValidation(t *testing.T) {
	for _, tc := range []struct {
		team string
		want string // "" = valid
	}{
		{`{"min": 2, "max": 3}`, ""},
		{`{"min": 2, "max": 2}`, ""},
		{`{"min": 1, "max": 3}`, "队伍人数下限须 ≥ 2"},
		{`{"min": 3, "max": 2}`, "队伍人数上限 2 小于下限 3"},
		{`{"min": 2, "max": 9}`, "队伍人数上限须 ≤ 6"},
	} {
		r := demoRules(t)
		r.c = nil
		if err := json.Unmarshal([]byte(tc.team), &r.Team); err != nil {
			t.Fatal(err)
		}
		err := r.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.team, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want %q", tc.team, err, tc.want)
		}
	}
	r := &TeamRule{Min: 2, Max: 3}
	if r.Size() != "2–3 人" || (&TeamRule{Min: 2, Max: 2}).Size() != "2 人" {
		t.Errorf("Size: %q", r.Size())
	}
}
