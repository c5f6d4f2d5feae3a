package live

import (
	"testing"

	"skillscore/store"
)

// A published team entry shows the team's name in full and its members'
// names masked; before publication it shows its code only, like anyone.
func TestPublishedTeamName(t *testing.T) {
	team := int64(7)
	code := "T03"
	snap := store.Snapshot{
		Contestants: []store.Contestant{
			{ID: 5, Name: "欧阳秀英", Kind: store.KindPerson},
			{ID: team, Name: "南昌康养一队", Kind: store.KindTeam, Code: &code, Organization: "南昌市第一养老院"},
		},
		Members: []store.Contestant{
			{ID: 8, Name: "张三丰", Kind: store.KindMember, TeamID: &team},
			{ID: 9, Name: "李四", Kind: store.KindMember, TeamID: &team},
		},
	}
	c := &computed{people: map[int64]store.Contestant{}, teams: teamNames(snap)}
	for _, p := range snap.Contestants {
		c.people[p.ID] = p
	}
	if r := c.row(entry{ID: team}, true); r.Name != "南昌康养一队（张*、李*）" || r.Org != "南昌市第一养老院" || r.Code != "T03" {
		t.Errorf("published team row %+v", r)
	}
	if r := c.row(entry{ID: 5}, true); r.Name != "欧*" {
		t.Errorf("published person row %+v", r)
	}
	if r := c.row(entry{ID: team}, false); r.Name != "" || r.Code != "T03" {
		t.Errorf("unpublished team row %+v", r)
	}
}
