package incidents

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	ok := Input{Kind: Equipment, Occurred: "09:45", AddedMin: 5, AddedSec: 30, Description: " 烤箱温控失灵，更换设备 "}
	got, err := Check(ok)
	if err != nil || got.Description != "烤箱温控失灵，更换设备" || got.Added() != 330 {
		t.Fatalf("good entry: %+v %v", got, err)
	}
	bad := map[string]Input{
		"kind":          {Kind: "fire", Occurred: "09:45", Description: "x"},
		"clock":         {Kind: Breach, Occurred: "9:45", Description: "x"},
		"hour":          {Kind: Breach, Occurred: "24:00", Description: "x"},
		"no time added": {Kind: Equipment, Occurred: "09:45", Description: "x"},
		"added breach":  {Kind: Breach, Occurred: "09:45", AddedMin: 1, Description: "x"},
		"seconds":       {Kind: Equipment, Occurred: "09:45", AddedSec: 60, Description: "x"},
		"too long":      {Kind: Equipment, Occurred: "09:45", AddedMin: 180, AddedSec: 1, Description: "x"},
		"negative":      {Kind: Equipment, Occurred: "09:45", AddedMin: -1, AddedSec: 30, Description: "x"},
		"empty":         {Kind: Other, Occurred: "09:45", Description: "  "},
		"long text":     {Kind: Other, Occurred: "09:45", Description: strings.Repeat("字", MaxDescription+1)},
		"no reason":     {Kind: Other, Occurred: "09:45", Description: "x", Corrects: 3},
		"stray reason":  {Kind: Other, Occurred: "09:45", Description: "x", Reason: "因为"},
	}
	for name, in := range bad {
		if _, err := Check(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Check(Input{Kind: Equipment, Occurred: "23:59", AddedMin: 180, Description: strings.Repeat("字", MaxDescription)}); err != nil {
		t.Fatalf("limits: %v", err)
	}
}

func TestCheckAck(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{Pending, PIN, true}, {Pending, Paper, true}, {Pending, Refused, true}, {Paper, Refused, true},
		{Paper, PIN, false}, {PIN, Refused, false}, {Refused, Paper, false}, {Pending, Pending, false}, {Pending, "x", false},
	} {
		if err := CheckAck(c.from, c.to); (err == nil) != c.ok {
			t.Errorf("%s → %s: %v", c.from, c.to, err)
		}
	}
}

func TestFormatAdded(t *testing.T) {
	for s, want := range map[int]string{0: "", 45: "45 秒", 300: "5 分钟", 330: "5 分 30 秒"} {
		if got := FormatAdded(s); got != want {
			t.Errorf("%d: %q, want %q", s, got, want)
		}
	}
}
