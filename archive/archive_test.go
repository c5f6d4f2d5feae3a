package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/archive"
	"skillscore/certificates"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// finishedDemo is the demo event taken to final results, with an
// archiver signing with a fresh certificate key.
func finishedDemo(t *testing.T) (*store.Store, store.Event, *archive.Archiver, *certificates.Keyring) {
	t.Helper()
	st, ev := testenv.Demo(t)
	testenv.Final(t, st, ev.ID)
	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := certificates.GenerateKey(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	kr, err := certificates.LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(archive.Config{Store: st, Signer: kr.Signer})
	if err != nil {
		t.Fatal(err)
	}
	return st, ev, a, kr
}

func verifyFile(t *testing.T, path string, trust archive.Trust) *archive.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	rep, err := archive.Verify(f, fi.Size(), trust)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// rewrite copies the ZIP at src to a new file, letting edit change or drop
// (nil) each entry's content.
func rewrite(t *testing.T, src string, edit func(name string, data []byte) []byte, extra map[string][]byte) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := filepath.Join(t.TempDir(), "edited.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		data = edit(e.Name, data)
		if data == nil {
			continue
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	for name, data := range extra {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return out
}

func same(_ string, d []byte) []byte { return d }

func TestArchiveBuildAndVerify(t *testing.T) {
	ctx := context.Background()
	st, ev, a, kr := finishedDemo(t)
	path := filepath.Join(t.TempDir(), ev.Code+".zip")
	var last archive.Progress
	calls := 0
	res, rec, err := a.WriteFile(ctx, ev, path, 0, archive.Options{Actor: "organizer", Progress: func(p archive.Progress) {
		last = p
		calls++
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 5 || last.PartsDone != last.Parts || last.Files != len(res.Manifest.Files) {
		t.Errorf("progress: %d calls, last %+v", calls, last)
	}
	m := res.Manifest
	if m.Event.Code != ev.Code || m.BuiltBy != "organizer" || !strings.HasPrefix(m.Software, "skillscore ") || m.AuditHead.Seq == 0 ||
		len(m.AuditHead.Hash) != 64 {
		t.Fatalf("manifest %+v", m)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	for _, want := range []string{"rules/规则与评分标准.json", "results/成绩汇总表.xlsx", "results/成绩汇总表.pdf",
		"appeals/公示期申诉.csv", "certificates/证书发放登记表.csv", "audit/审计记录.csv"} {
		if !slices.Contains(paths, want) {
			t.Errorf("archive lacks %s (has %v)", want, paths)
		}
	}
	fi, _ := os.Stat(path)
	if rec.ZipSHA256 != res.ZipSHA256 || rec.Bytes != fi.Size() || rec.ManifestSHA256 != res.ManifestSHA256 ||
		rec.AuditHash != m.AuditHead.Hash || rec.KeyID != kr.Signer.KeyID() {
		t.Fatalf("record %+v vs result %+v (file %d bytes)", rec, res, fi.Size())
	}
	if lock, err := st.RetentionLock(ctx, ev.ID); err != nil || !lock.Locked(time.Now()) ||
		lock.Until.Year() != time.Now().Year()+5 {
		t.Fatalf("lock %+v, %v", lock, err)
	}

	keys := kr.Public
	rep := verifyFile(t, path, archive.Trust{Keys: &keys})
	if !rep.OK() || rep.Checked != len(m.Files) {
		t.Fatalf("verify of the archive as built: %+v", rep)
	}
	// The audit CSV ends at the head the manifest names.
	zr, _ := zip.OpenReader(path)
	for _, f := range zr.File {
		if f.Name != "audit/审计记录.csv" {
			continue
		}
		rc, _ := f.Open()
		rows, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		lastRow := rows[len(rows)-1]
		if lastRow[7] != m.AuditHead.Hash {
			t.Errorf("audit CSV ends at %s, manifest head %s", lastRow[7], m.AuditHead.Hash)
		}
	}
	zr.Close()

	// By fingerprint, and without any trust (refused unless integrity only).
	if rep := verifyFile(t, path, archive.Trust{Fingerprint: archive.Fingerprint(kr.Signer.PublicKey())}); !rep.OK() {
		t.Errorf("verify by fingerprint: %+v", rep)
	}
	if rep := verifyFile(t, path, archive.Trust{}); rep.OK() || !slices.Contains(rep.Problems, "未给出可信公钥或指纹：无法确认签名者") {
		t.Errorf("verify without trust: %+v", rep)
	}
	if rep := verifyFile(t, path, archive.Trust{IntegrityOnly: true}); !rep.OK() || !strings.Contains(rep.Trusted, "未核对签名者") {
		t.Errorf("integrity only: %+v", rep)
	}
	// Another organisation's key set does not vouch for it.
	other := filepath.Join(t.TempDir(), "other")
	certificates.GenerateKey(other, time.Now())
	okr, _ := certificates.LoadKeyring(other)
	if rep := verifyFile(t, path, archive.Trust{Keys: &okr.Public}); rep.OK() || rep.SignatureOK {
		t.Errorf("verify against another key set: %+v", rep)
	}

	// One byte of one file changed: named, the signature still good.
	target := "results/成绩汇总表.pdf"
	changed := rewrite(t, path, func(name string, d []byte) []byte {
		if name == target {
			d = bytes.Clone(d)
			d[len(d)/2] ^= 1
		}
		return d
	}, nil)
	rep = verifyFile(t, changed, archive.Trust{Keys: &keys})
	if rep.OK() || !rep.SignatureOK || !slices.Equal(rep.Changed, []string{target}) || len(rep.Missing)+len(rep.Extra) != 0 {
		t.Errorf("one byte changed: %+v", rep)
	}
	// A file removed, one added.
	removed := rewrite(t, path, func(name string, d []byte) []byte {
		if name == "appeals/公示期申诉.csv" {
			return nil
		}
		return d
	}, map[string][]byte{"results/补充.txt": []byte("x")})
	rep = verifyFile(t, removed, archive.Trust{Keys: &keys})
	if rep.OK() || !slices.Equal(rep.Missing, []string{"appeals/公示期申诉.csv"}) || !slices.Equal(rep.Extra, []string{"results/补充.txt"}) {
		t.Errorf("removed and added: %+v", rep)
	}
	// The manifest altered to match a changed file: the signature fails.
	altered := rewrite(t, path, func(name string, d []byte) []byte {
		if name == archive.ManifestName {
			var mm archive.Manifest
			json.Unmarshal(d, &mm)
			mm.BuiltBy = "someone-else"
			d, _ = json.MarshalIndent(mm, "", "  ")
		}
		return d
	}, nil)
	rep = verifyFile(t, altered, archive.Trust{Keys: &keys})
	if rep.OK() || rep.SignatureOK || !slices.Contains(rep.Problems, "清单签名无效：manifest.json 在签名后被改动，或签名不属于它") {
		t.Errorf("manifest altered: %+v", rep)
	}
	// The manifest removed.
	rep = verifyFile(t, rewrite(t, path, func(name string, d []byte) []byte {
		if name == archive.ManifestName {
			return nil
		}
		return d
	}, nil), archive.Trust{Keys: &keys})
	if rep.OK() || len(rep.Problems) == 0 || !strings.Contains(rep.Problems[0], "缺少或无法读取 manifest.json") {
		t.Errorf("manifest removed: %+v", rep)
	}
	// Unchanged copy still verifies (the rewrite itself changes nothing).
	if rep := verifyFile(t, rewrite(t, path, same, nil), archive.Trust{Keys: &keys}); !rep.OK() {
		t.Errorf("rewritten unchanged: %+v", rep)
	}
}

func TestArchiveRefusedBeforeFinal(t *testing.T) {
	st, ev := testenv.Demo(t)
	dir := filepath.Join(t.TempDir(), "keys")
	certificates.GenerateKey(dir, time.Now())
	kr, _ := certificates.LoadKeyring(dir)
	a, err := archive.New(archive.Config{Store: st, Signer: kr.Signer})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "a.zip")
	_, _, err = a.WriteFile(context.Background(), ev, out, 0, archive.Options{Actor: "organizer"})
	if skillscore.ErrorMessage(err) != "赛事 "+ev.Code+" 的成绩尚未最终确认：确认最终成绩后才能归档" {
		t.Fatalf("archive before final: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused archive left a file: %v", err)
	}
	if as, _ := st.EventArchives(context.Background(), ev.ID); len(as) != 0 {
		t.Errorf("a refused archive was recorded: %+v", as)
	}
	if _, err := archive.New(archive.Config{Store: st}); skillscore.ErrorCode(err) != skillscore.EUnavailable {
		t.Errorf("archiver without a key: %v", err)
	}
}
