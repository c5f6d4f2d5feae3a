package supervision

import (
	"testing"

	"skillscore/seating"
)

// The sessions a batch's seating makes name their room as seating.Venue
// does; the board finds the room by it, as by its code or name.
func TestRoomOfSeatingVenue(t *testing.T) {
	rooms := []InRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场", Seats: 30},
		{Code: "K02", Site: "南昌护理学校", Name: "第一考场", Seats: 30}}
	for venue, want := range map[string]int{
		seating.Venue(seating.Room{Site: "南昌护理学校", Name: "第一考场"}): 1,
		seating.Venue(seating.Room{Name: "第一考场"}):                 0,
		"K02":   1,
		"一号实训楼": -1,
		"":      -1,
	} {
		if got := RoomOf(rooms, venue); got != want {
			t.Errorf("RoomOf(%q) = %d, want %d", venue, got, want)
		}
	}
}
