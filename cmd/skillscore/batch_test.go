package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/internal/testenv"
	"skillscore/store"
)

// An assessment body scripts a batch: new (with its rooms), the candidates'
// roster with the office columns, seats (refused while seats run out,
// naming how many), show, and a shuffled seating replayed from its seed.
func TestBatchCommands(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "batch.db")
	st, err := store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEvent(context.Background(), store.NewEvent{Event: store.Event{Code: "jx-comp", Name: "竞赛", Kind: "competition",
		Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "employee", Name: "职工组"}}}, "tester"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badRooms := write("坏考场.csv", "考场代码,考点,考场名称,座位数\nK01,卫生学院,第一考场,3\nK01,卫生学院,第二考场,2\nK03,卫生学院,第三考场,很多\n")
	rooms := write("考场.csv", "考场代码,考点,考场名称,座位数\nK01,江西卫生职业学院,第一考场,3\nK02,江西卫生职业学院,第二考场,2\n")
	newArgs := []string{"batch", "new", "--db", db, "--code", "jx-rd-cli", "--name", "养老护理员四级认定", "--occupation", "养老护理员",
		"--occupation-code", "4-10-01-05", "--level", "4", "--starts", "2026-06-10", "--ends", "2026-06-11", "--batch-no", "2026-KY-09",
		"--photo", "358x441", "--photo-kb", "100"}

	// Usage mistakes: exit status 2, nothing opened.
	for _, args := range [][]string{{"batch"}, {"batch", "open"}, {"batch", "show"}, {"batch", "seats", "--event", "x"},
		{"batch", "new", "--db", db, "--code", "x"}, {"batch", "seats", "--event", "x", "--sitting", "theory=明天"}} {
		err := exec.Command(bin, args...).Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%v: %v, want exit status 2", args, err)
		}
	}
	// A bad rooms file names each bad row; nothing is created.
	cmd := exec.Command(bin, append(newArgs, "--rooms", badRooms)...)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "第 3 行：考场代码 K01 与第 2 行重复") || !strings.Contains(string(out), "第 4 行：考场 K03 的座位数“很多”") {
		t.Fatalf("bad rooms: %v\n%s", err, out)
	}
	runFail(t, exec.Command(bin, "batch", "show", "--db", db, "--event", "jx-rd-cli"), "不存在")

	if out := run(append(newArgs, "--rooms", rooms)...); !strings.Contains(out, "已新建认定批次 2026-KY-09") {
		t.Fatalf("new: %s", out)
	}
	runFail(t, exec.Command(bin, newArgs...), "已存在")

	var roster strings.Builder
	roster.WriteString("姓名,证件号码,民族,文化程度,设区市,考生来源,申报条件,现等级,现等级证书编号\n")
	for i := range 6 {
		src := "新考"
		if i%3 == 2 {
			src = "补考"
		}
		fmt.Fprintf(&roster, "考生%d,%s,汉族,大专,南昌,%s,从事本职业 5 年,五级,S00003600000123500000%d\n", i+1, cliID(t, 21+2*i), src, i+1)
	}
	run("roster", "import", "--db", db, "--event", "jx-rd-cli", "--basis", "duty", write("考生.csv", roster.String()))

	// A competition's 报名表 with 民族 and 文化程度: read as before, the
	// columns named as not read.
	comp := write("竞赛.csv", "姓名,证件号码,民族,文化程度,设区市\n张三,"+cliID(t, 41)+",火星族,幼儿园,南昌\n")
	if out := run("roster", "import", "--db", db, "--event", "jx-comp", "--dry-run", comp); !strings.Contains(out, "本赛事未读取的列：民族（C 列）、文化程度（D 列）") ||
		!strings.Contains(out, "预检通过") {
		t.Errorf("competition with office columns:\n%s", out)
	}

	sit := []string{"--sitting", "theory=2026-06-10,9:00-10:30", "--sitting", "skill=2026-06-11,08:30-11:30"}
	runFail(t, exec.Command(bin, append([]string{"batch", "seats", "--db", db, "--event", "jx-rd-cli"}, sit...)...), "还差 1 个座位")
	runFail(t, exec.Command(bin, "batch", "rooms", "--db", db, "--event", "jx-rd-cli", badRooms), "有 2 行有误")
	run("batch", "rooms", "--db", db, "--event", "jx-rd-cli",
		write("考场2.csv", "考场代码,考点,考场名称,座位数\nK01,江西卫生职业学院,第一考场,3\nK02,江西卫生职业学院,第二考场,4\n"))
	if out := run(append([]string{"batch", "seats", "--db", db, "--event", "jx-rd-cli"}, sit...)...); !strings.Contains(out, "已为 6 名考生分配考场座位（按准考证号顺序）") {
		t.Fatalf("seats: %s", out)
	}
	runFail(t, exec.Command(bin, "batch", "rooms", "--db", db, "--event", "jx-rd-cli", rooms), "撤销座位安排")

	type shown struct {
		BatchNo string `json:"batch_no"`
		Photo   struct {
			MinWidth int `json:"min_width"`
			MaxKB    int `json:"max_kb"`
		} `json:"photo"`
		Rooms []struct {
			Code string `json:"code"`
			Used int    `json:"used"`
		} `json:"rooms"`
		Candidates []struct {
			Stage       string `json:"stage"`
			New, Retake int
		} `json:"candidates"`
		Method string `json:"seating_method"`
		Seed   string `json:"seating_seed"`
	}
	show := func() shown {
		var s shown
		if err := json.Unmarshal([]byte(run("batch", "show", "--db", db, "--event", "jx-rd-cli", "--json")), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := show()
	if s.BatchNo != "2026-KY-09" || s.Photo.MinWidth != 358 || s.Photo.MaxKB != 100 || len(s.Rooms) != 2 || s.Rooms[0].Used != 3 || s.Rooms[1].Used != 3 ||
		s.Method != "entry_no" {
		t.Errorf("show: %+v", s)
	}
	for _, c := range s.Candidates {
		if c.Stage == "seated" && (c.New != 4 || c.Retake != 2) {
			t.Errorf("seated: %+v", c)
		}
	}
	if out := run("batch", "show", "--db", db, "--event", "jx-rd-cli"); !strings.Contains(out, "职业 养老护理员（4-10-01-05）") || !strings.Contains(out, "已分配座位") {
		t.Errorf("show table:\n%s", out)
	}
	if out := run("sessions", "list", "--db", db, "--event", "jx-rd-cli"); !strings.Contains(out, "K02-skill") || !strings.Contains(out, "2026-06-11 08:30–11:30") {
		t.Errorf("sessions:\n%s", out)
	}

	// Shuffled: the seed is printed and recorded; given again, it seats alike.
	seed := strings.Repeat("c3", 32)
	run(append([]string{"batch", "seats", "--db", db, "--event", "jx-rd-cli", "--shuffle", "--seed", seed}, sit...)...)
	first := run("sessions", "list", "--db", db, "--event", "jx-rd-cli", "--session", "K01-theory")
	run(append([]string{"batch", "seats", "--db", db, "--event", "jx-rd-cli"}, sit...)...)
	run(append([]string{"batch", "seats", "--db", db, "--event", "jx-rd-cli", "--shuffle", "--seed", seed}, sit...)...)
	if again := run("sessions", "list", "--db", db, "--event", "jx-rd-cli", "--session", "K01-theory"); again != first {
		t.Errorf("the seed seated differently:\n%s\n%s", first, again)
	}
	if s := show(); s.Method != "seed" || s.Seed != seed {
		t.Errorf("seating %s %s", s.Method, s.Seed)
	}
	run("batch", "seats", "--db", db, "--event", "jx-rd-cli", "--withdraw")
	run("batch", "rooms", "--db", db, "--event", "jx-rd-cli", rooms)
}
