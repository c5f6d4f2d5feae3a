package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"skillscore"
)

func testPhotoRecord(n int, contestantID int64) Photo {
	id := fmt.Sprintf("%032x", n)
	sum := sha256.Sum256([]byte(id))
	return Photo{ID: id, ContestantID: contestantID, File: id + ".jpg", SHA256: hex.EncodeToString(sum[:]),
		ContentType: "image/jpeg", Width: 413, Height: 579, Size: 52_000}
}

// Photo records: set, replaced (the old record returned for its file to be
// removed), listed per event, deleted; every change audited with the
// contestant's row id and checksums, never the name or 证件号码; records
// that would name a file by anything but the opaque id, or a contestant of
// another event, are refused.
func TestPhotoRecords(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		sd := seed(t, s)
		a, b := sd.cs[0], sd.cs[1]
		if _, err := s.PhotoOf(ctx, a.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("photo before any: %v, want ENotFound", err)
		}
		first := []Photo{testPhotoRecord(1, a.ID), testPhotoRecord(2, b.ID)}
		replaced, err := s.SetPhotos(ctx, sd.ev.ID, first, "organizer")
		if err != nil || len(replaced) != 0 {
			t.Fatalf("set photos: %v, %d replaced", err, len(replaced))
		}
		got, err := s.PhotoOf(ctx, a.ID)
		if err != nil || got.ID != first[0].ID || got.SHA256 != first[0].SHA256 || got.Width != 413 || got.CreatedBy != "organizer" {
			t.Fatalf("photo of %d: %+v %v", a.ID, got, err)
		}
		next := testPhotoRecord(3, a.ID)
		replaced, err = s.SetPhotos(ctx, sd.ev.ID, []Photo{next}, "organizer")
		if err != nil || len(replaced) != 1 || replaced[0].ID != first[0].ID {
			t.Fatalf("replace: %v, replaced %+v", err, replaced)
		}
		all, err := s.EventPhotos(ctx, sd.ev.ID)
		if err != nil || len(all) != 2 || all[0].ID != next.ID || all[1].ID != first[1].ID {
			t.Fatalf("event photos: %+v %v", all, err)
		}
		files, err := s.PhotoFiles(ctx)
		if err != nil || len(files) != 2 || !strings.Contains(strings.Join(files, " "), next.File) {
			t.Fatalf("photo files: %v %v", files, err)
		}

		for name, p := range map[string]Photo{
			"file named by the 证件号码": func() Photo { p := testPhotoRecord(4, b.ID); p.File = a.IDNumber + ".jpg"; return p }(),
			"file not the id":        func() Photo { p := testPhotoRecord(5, b.ID); p.File = fmt.Sprintf("%032x.jpg", 6); return p }(),
			"a path":                 func() Photo { p := testPhotoRecord(7, b.ID); p.File = "../" + p.File; return p }(),
			"a GIF":                  func() Photo { p := testPhotoRecord(8, b.ID); p.ContentType = "image/gif"; return p }(),
		} {
			if _, err := s.SetPhotos(ctx, sd.ev.ID, []Photo{p}, "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Errorf("%s: %v, want EInvalid", name, err)
			}
		}
		if _, err := s.SetPhotos(ctx, sd.ev.ID, []Photo{testPhotoRecord(9, a.ID), testPhotoRecord(10, a.ID)}, "x"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("two photos for one contestant in one batch: %v, want EInvalid", err)
		}
		other, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-other", Name: "另一赛事", Kind: "competition",
			Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`}, Groups: []Group{{Code: "g", Name: "职工组"}}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		// All or none: the good record of this batch is not kept either.
		if _, err := s.SetPhotos(ctx, other.ID, []Photo{testPhotoRecord(11, a.ID)}, "x"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("a contestant of another event: %v, want ENotFound", err)
		}
		if _, err := s.SetPhotos(ctx, sd.ev.ID, []Photo{testPhotoRecord(12, b.ID), testPhotoRecord(13, 999_999)}, "x"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("an unknown contestant: %v, want ENotFound", err)
		}
		if p, _ := s.PhotoOf(ctx, b.ID); p.ID != first[1].ID {
			t.Errorf("a refused batch changed %d's photo to %s", b.ID, p.ID)
		}

		if _, err := s.DeletePhoto(ctx, other.ID, b.ID, "x"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("delete through another event: %v, want ENotFound", err)
		}
		gone, err := s.DeletePhoto(ctx, sd.ev.ID, b.ID, "organizer")
		if err != nil || gone.ID != first[1].ID {
			t.Fatalf("delete: %+v %v", gone, err)
		}
		if _, err := s.PhotoOf(ctx, b.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("photo after delete: %v", err)
		}
		if _, err := s.DeletePhoto(ctx, sd.ev.ID, b.ID, "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("second delete: %v, want ENotFound", err)
		}

		trail, err := s.AuditTrail(ctx, sd.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range trail {
			if !strings.HasPrefix(e.Action, "photo.") {
				continue
			}
			actions[e.Action]++
			for _, c := range sd.cs {
				if strings.Contains(e.Subject+e.Detail, c.IDNumber) || strings.Contains(e.Subject+e.Detail, c.Name) {
					t.Errorf("audit entry %s carries %s's name or 证件号码: %s %s", e.Action, c.Name, e.Subject, e.Detail)
				}
			}
			if !strings.Contains(e.Detail, `"contestant_id"`) || !strings.Contains(e.Detail, `"sha256"`) {
				t.Errorf("audit entry %s lacks the contestant id or checksum: %s", e.Action, e.Detail)
			}
		}
		if actions["photo.set"] != 3 || actions["photo.delete"] != 1 {
			t.Errorf("photo audit entries %v, want 3 photo.set and 1 photo.delete", actions)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("audit chain: broken at %d (%v)", bad, err)
		}
	})
}
