package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"skillscore/photos"
	"skillscore/sheets"
	"skillscore/store"
)

const admissionUsage = `用法 (usage):
  skillscore admission numbers --event 代码 [--db URL] [--by 姓名]
      为尚无准考证号的考生分配准考证号（0001 起，已分配的不变）。
  skillscore admission tickets --event 代码 [--db URL] [--photos DIR] [--entry 0001,0002] --out FILE.pdf
      打印准考证：每名考生一页（照片、证件号码隐去中间位、考点考场座位和时间、签到二维码、考生须知）；
      给 --entry 时只打印这些考生的。记入审计日志（personal.export）。
  skillscore admission signin  --event 代码 [--db URL] [--photos DIR] [--session 场次编号] --out FILE.pdf
      打印签到表：每个考场每场一份，含照片和签名栏；不给 --session 时打印全部场次。记入审计日志。
  skillscore admission doors   --event 代码 [--db URL] [--session 场次编号] --out FILE.pdf
      打印门贴：考场、场次、座位号、姓名、准考证号，不含证件号码。
`

// runAdmission prints an assessment batch's admission papers, as the
// organizer's page /events/{code}/batch/admission does, for an office that
// scripts its printing.
func runAdmission(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	action, err := pickAction("admission", args, admissionUsage, "numbers", "tickets", "signin", "doors")
	if err != nil {
		return err
	}
	f := newEventFlags("admission "+action, admissionUsage, "认定批次（赛事）代码或编号", "输出 PDF 文件", stderr)
	fs := f.fs
	actor := fs.String("by", "cli", "操作人（写入审计日志）")
	session := fs.String("session", "", "场次编号（签到表、门贴）")
	entries := fs.String("entry", "", "只打印这些准考证号的准考证，逗号分隔")
	photoDir := fs.String("photos", envOr("SKILLSCORE_PHOTOS", ""), "照片库目录（默认 SQLite 数据库旁的 photos/；MySQL 须指定，否则不印照片）")
	if err := f.parse(args[1:], action != "numbers"); err != nil {
		return err
	}
	st, ev, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if action == "numbers" {
		if _, err := sheets.LoadBatchRoster(ctx, st, ev); err != nil { // an assessment batch only
			return err
		}
		n, err := st.AssignEntryNumbers(ctx, ev.ID, *actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s：已为 %d 名考生分配准考证号\n", ev.Name, n)
		return nil
	}
	b, err := sheets.LoadBatchRoster(ctx, st, ev)
	if err != nil {
		return err
	}
	lib := photos.New(st, cmp.Or(*photoDir, photos.DefaultDir(*f.db)))
	photo := func(id int64) ([]byte, error) {
		if lib.Dir() == "" {
			return nil, nil
		}
		return lib.Photo(ctx, id)
	}
	fonts, err := f.fonts()
	if err != nil {
		return err
	}
	now := time.Now()
	exported := func(what string, ids []int64) error {
		return st.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: ev.ID, Actor: *actor, Kind: "export", What: what, Contestants: ids})
	}
	switch action {
	case "tickets":
		var only []string
		for _, e := range strings.Split(*entries, ",") {
			if e = strings.TrimSpace(e); e != "" {
				only = append(only, e)
			}
		}
		tickets, ids, err := b.Tickets(only, photo, func(id int64) (string, error) { return st.CardToken(ev.ID, id) })
		if err != nil {
			return err
		}
		notice, err := st.AdmissionNotice(ctx, ev.ID)
		if err != nil {
			return err
		}
		if err := exported("admission-tickets", ids); err != nil {
			return err
		}
		if err := writeFileWith(*f.out, func(w io.Writer) error {
			return sheets.WriteAdmissionTickets(w, fonts, b.Admission(notice.Body, now), tickets)
		}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s：准考证 %d 张 → %s\n", ev.Name, len(tickets), *f.out)
	case "signin":
		list, ids, err := b.SignInSheets(*session, photo)
		if err != nil {
			return err
		}
		if err := exported("signin-sheets", ids); err != nil {
			return err
		}
		if err := writeFileWith(*f.out, func(w io.Writer) error { return sheets.WriteSignInSheets(w, fonts, ev.Name, list, now) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s：签到表 %d 份 → %s\n", ev.Name, len(list), *f.out)
	case "doors":
		lists, err := b.DoorLists(*session)
		if err != nil {
			return err
		}
		if err := writeFileWith(*f.out, func(w io.Writer) error { return sheets.WriteDoorLists(w, fonts, ev.Name, lists, now) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s：门贴 %d 份 → %s\n", ev.Name, len(lists), *f.out)
	}
	return nil
}
