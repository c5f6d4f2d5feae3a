package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestComputeGolden runs `compute` on every example that has marks in
// testdata/compute and compares each output format with its golden file.
func TestComputeGolden(t *testing.T) {
	marks, err := filepath.Glob("testdata/compute/*.marks.csv")
	if err != nil || len(marks) == 0 {
		t.Fatalf("no marks files: %v", err)
	}
	examples, _ := filepath.Glob("../../examples/*.json")
	if len(marks) != len(examples) {
		t.Errorf("%d examples but %d marks files: every example needs a golden run", len(examples), len(marks))
	}
	for _, m := range marks {
		name := strings.TrimSuffix(filepath.Base(m), ".marks.csv")
		formats := []string{"table", "csv", "json"}
		if name == "national-yanglao" {
			formats = formats[:2] // 128 contestants: the JSON would be a megabyte of golden file
		}
		for _, format := range formats {
			t.Run(name+"/"+format, func(t *testing.T) {
				args := []string{"--rubric", "../../examples/" + name + ".json", "--marks", m, "--format", format}
				if c := "testdata/compute/" + name + ".contestants.csv"; fileExists(c) {
					args = append(args, "--contestants", c)
				}
				if c := "testdata/compute/" + name + ".carried.csv"; fileExists(c) {
					args = append(args, "--carried", c)
				}
				var out, errb bytes.Buffer
				if err := runCompute(args, &out, &errb); err != nil {
					t.Fatalf("compute: %v\n%s", err, errb.String())
				}
				golden := "testdata/compute/" + name + "." + format + ".golden"
				if *update {
					if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./cmd/skillscore -run TestComputeGolden -update)", err)
				}
				if !bytes.Equal(out.Bytes(), want) {
					t.Errorf("output differs from %s (rerun with -update if the change is intended)\n got:\n%s", golden, head(out.String()))
				}
			})
		}
	}
}

func head(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestComputeDivingReproducesPublishedResult(t *testing.T) {
	var out bytes.Buffer
	err := runCompute([]string{"--rubric", "../../examples/diving-platform-tokyo2020.json", "--marks", "testdata/compute/diving-platform-tokyo2020.marks.csv", "--format", "csv"}, &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	// published: 82.50, 96.00, 95.70, 96.00, 96.00 = 466.20
	if !strings.Contains(out.String(), "QUAN_Hongchan,,1,82.5,96,95.7,96,96,466.20,gold") {
		t.Errorf("got\n%s", out.String())
	}
}

// TestComputeSkiJumpingReproducesPublishedResult: the published round
// scores and total of 小林陵侑 (145.4, 129.6, 275.0) come out of the linear
// distance formula, five style judges dropping highest and lowest, and signed
// wind and gate points; the constructed contestants show a negative gate
// score, a lead lost in round 2 and a disqualification by the status module.
func TestComputeSkiJumpingReproducesPublishedResult(t *testing.T) {
	var out bytes.Buffer
	args := []string{"--rubric", "../../examples/ski-jumping-normal-hill-beijing2022.json", "--marks", "testdata/compute/ski-jumping-normal-hill-beijing2022.marks.csv"}
	if err := runCompute(append(args, "--format", "csv"), &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"KOBAYASHI_Ryoyu,,1,145.4,0,129.6,0,0,275.0,", "CONSTRUCTED_A,,2,148.8,-1.8,113,0,0,260.0,", "CONSTRUCTED_B,,0,124.5,0,128.7,2.4,0,255.6,,,,true,true"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := runCompute(append(args, "--format", "table"), &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"KOBAYASHI_Ryoyu  第1轮 145.4（第 2 名） → 第2轮 275.0（第 1 名）", "CONSTRUCTED_A  第1轮 147.0（第 1 名） → 第2轮 260.0（第 2 名）", "CONSTRUCTED_B  第1轮 124.5（第 3 名） → 第2轮 255.6\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
}

// TestComputeCSVNeutralisesFormulas: a contestant id from the marks file
// that a spreadsheet would run as a formula is written as text.
func TestComputeCSVNeutralisesFormulas(t *testing.T) {
	marks := filepath.Join(t.TempDir(), "marks.csv")
	src, err := os.ReadFile("testdata/compute/diving-platform-tokyo2020.marks.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(marks, bytes.ReplaceAll(src, []byte("QUAN_Hongchan"), []byte("=HYPERLINK(1)")), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runCompute([]string{"--rubric", "../../examples/diving-platform-tokyo2020.json", "--marks", marks, "--format", "csv"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\n'=HYPERLINK(1),,1,82.5,") {
		t.Errorf("the formula id is not neutralised:\n%s", out.String())
	}
}

func TestComputeErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rubric := "../../examples/jiangxi-yanglao-provincial.json"
	badRules := write("bad.json", `{"name":"x","kind":"competition","modules":[{"code":"a","name":"A","part":"theory","weight":50,"max":100,"imported":true}],"total":{}}`)
	unknownAspect := write("m1.csv", "contestant,module,aspect,judge,value\nE1,A,ZZ,J1,2\n")
	badValue := write("m2.csv", "contestant,module,aspect,judge,value\nE1,A,A1,J1,4\n")
	badHeader := write("m3.csv", "contestant,module,score\n")
	cont := write("c.csv", "id,group\nE1,employee\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing flags", []string{"--rubric", rubric}, "--rubric and --marks are required"},
		{"bad format", []string{"--rubric", rubric, "--marks", unknownAspect, "--format", "xml"}, "unknown --format"},
		{"bad rules", []string{"--rubric", badRules, "--marks", unknownAspect}, "module weights add up to 50%"},
		{"rules rounding", []string{"--rubric", badRules, "--marks", unknownAspect}, "total.rounding"},
		{"unknown aspect", []string{"--rubric", rubric, "--marks", unknownAspect, "--contestants", cont}, `module A has no aspect "ZZ"`},
		{"bad value", []string{"--rubric", rubric, "--marks", badValue, "--contestants", cont}, "whole number 0..3"},
		{"bad header", []string{"--rubric", rubric, "--marks", badHeader}, "unknown column score"},
		{"no group", []string{"--rubric", rubric, "--marks", badValue}, "has no group"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := runCompute(tc.args, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
