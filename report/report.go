// Package report hands an assessment batch's results to the people and
// offices that need them once certificates are issued: the certificate
// data the provincial/national system takes in (.xlsx or JSON, with the
// holders' photos as a ZIP), checked field by field before anything
// leaves, and the batch's papers — each candidate's 成绩单, the 成绩汇总表
// and the 证书发放登记表 (.xlsx and PDF). docs/reporting.md describes every
// field.
//
// It reads the store and writes files; it never changes the store except
// to record, in the audit trail, each export that carries full 证件号码 or
// photos (personal.export), before the file exists.
package report

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/idnumber"
	"skillscore/levels"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/store"
)

// Source is what the report reads; *store.Store satisfies it.
type Source interface {
	Event(ctx context.Context, id int64) (store.Event, error)
	Batch(ctx context.Context, eventID int64) (store.Batch, error)
	Batches(ctx context.Context) ([]store.Batch, error)
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	OpenPersonal(cs []store.Contestant) error
	EventCertificates(ctx context.Context, eventID int64) ([]store.Certificate, error)
	Candidates(ctx context.Context, eventID int64) (map[int64]store.Candidate, error)
	EventPhotos(ctx context.Context, eventID int64) ([]store.Photo, error)
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
	RecordPersonalAccess(ctx context.Context, a store.PersonalAccess) error
}

var _ Source = (*store.Store)(nil)

// PhotoSource gives a holder's photo by contestant id (photos.Library):
// nil without one, an error when a recorded photo cannot be read.
type PhotoSource interface {
	Photo(ctx context.Context, contestantID int64) ([]byte, error)
}

// Body is the 评价机构 (assessment body) as the certificate settings name it.
type Body struct {
	Name string // 评价机构名称, as its level certificates print it
	// Code is the body's (or its site's) code: the first 13 characters of
	// every number it issues — type letter, 评价机构代码, province and
	// 序列码, the four parts the human-resources offices assign (the
	// national numbering rule; docs/certificates.md). "" while the body's
	// own codes are not set.
	Code string
}

// BodyOf is the one place the report reads the 评价机构 from the
// certificate settings (`--issuer` and the numbering flags of serve, demo,
// certs and report). A part of the code left unset (a body that has not
// entered its filing's codes) gives no code, which the check then names
// on every record rather than reporting a placeholder.
func BodyOf(issuer string, n certificates.Numbering) Body {
	b := Body{Name: strings.TrimSpace(issuer)}
	if n.Letter != "" && n.BodyCode != "" && n.Province != "" && n.BodySerial != "" {
		b.Code = n.Letter + n.BodyCode + n.Province + n.BodySerial
	}
	return b
}

// Config wires a Service.
type Config struct {
	Store  Source
	Photos PhotoSource // nil: no photo store, so photos cannot be exported
	Body   Body
	// SongFont and KaiFont are the TrueType files the PDFs are set in
	// (certificates.DefaultSongFont, DefaultKaiFont); read at the first PDF.
	SongFont, KaiFont string
	Now               func() time.Time
}

// Service builds a batch's report and papers.
type Service struct {
	cfg   Config
	mu    sync.Mutex
	fonts *certificates.Fonts
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.SongFont = cmp.Or(cfg.SongFont, certificates.DefaultSongFont)
	cfg.KaiFont = cmp.Or(cfg.KaiFont, certificates.DefaultKaiFont)
	return &Service{cfg: cfg}
}

func (s *Service) loadFonts() (certificates.Fonts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fonts == nil {
		f, err := certificates.LoadFonts(s.cfg.SongFont, s.cfg.KaiFont)
		if err != nil {
			return certificates.Fonts{}, err
		}
		s.fonts = &f
	}
	return *s.fonts, nil
}

// Batch is everything the report and papers of one assessment batch show.
type Batch struct {
	Event store.Event
	Info  store.Batch
	Body  Body
	Level levels.Level // the level assessed
	// Candidates are every candidate of the batch, by 准考证号 (roster order
	// before numbers are assigned).
	Candidates []Candidate
	// Records are the batch's level certificates in issue order, revoked
	// ones left out (Revoked counts them): what is reported.
	Records []Record
	Revoked int
	// photoIDs are the contestants of Records that have a photo.
	photoIDs map[string]int64
}

// Candidate is one candidate's line in the papers. Their 证件号码 is
// masked: the papers never carry it in full.
type Candidate struct {
	ContestantID int64
	EntryNo      string // 准考证号, "" until assigned
	Name         string
	Gender       string
	IDType       string
	IDMasked     string
	Source       string // 新考 | 补考
	Parts        []Part
	Verdict      string // 合格 | 不合格 | 缺考 | 弃权 | 取消资格 | "" (scores missing)
	Note         string // a status's reason
	Certificate  string // the level certificate's number, "" without one
	IssuedOn     string // its 发证日期
}

// Record is one certificate's data as reported (docs/reporting.md).
// Every value is text, exactly as the certificate and the results state
// it; JSON names are the fields' keys.
type Record struct {
	Number         string `json:"certificate_number"`
	Name           string `json:"name"`
	Gender         string `json:"gender"`
	IDType         string `json:"id_type"`
	IDNumber       string `json:"id_number"`
	Occupation     string `json:"occupation"`
	OccupationCode string `json:"occupation_code"`
	Specialty      string `json:"specialty"`
	Level          string `json:"level"`
	TheoryScore    string `json:"theory_score"`
	SkillsScore    string `json:"skills_score"`
	ReviewScore    string `json:"review_score"`
	IssuerName     string `json:"issuer_name"`
	IssuerCode     string `json:"issuer_code"`
	IssuedOn       string `json:"issued_on"`
	PhotoFile      string `json:"photo_file"`

	contestantID int64
	// reviewApplies: the batch's level takes 综合评审, so its score is required.
	reviewApplies bool
	// printedIssuer is the 评价机构名称 the certificate was signed with.
	printedIssuer string
}

// Load reads and computes everything about an assessment batch: its
// candidates' results and its issued level certificates. The holders'
// 证件号码 are opened (Records carry them in full); nothing is recorded
// until a file is built.
func (s *Service) Load(ctx context.Context, ev store.Event) (*Batch, error) {
	if ev.Kind != "assessment" {
		return nil, skillscore.Errorf(skillscore.EInvalid, "%s 是竞赛，不是等级认定批次", ev.Code)
	}
	info, err := s.cfg.Store.Batch(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	snap, err := s.cfg.Store.Snapshot(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.OpenPersonal(snap.Contestants); err != nil {
		return nil, err
	}
	st, err := results.Compute(snap)
	if err != nil {
		return nil, err
	}
	cands, err := s.cfg.Store.Candidates(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	people, err := s.cfg.Store.SchedulePeople(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	entry := make(map[int64]string, len(people))
	for _, p := range people {
		entry[p.ContestantID] = p.EntryNo
	}
	certs, err := s.cfg.Store.EventCertificates(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	photos, err := s.cfg.Store.EventPhotos(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	photoExt := make(map[int64]string, len(photos))
	for _, p := range photos {
		photoExt[p.ContestantID] = p.File[strings.LastIndexByte(p.File, '.'):]
	}
	b := &Batch{Event: ev, Info: info, Body: s.cfg.Body, Level: cmp.Or(ev.Level, st.Rules.Level), photoIDs: map[string]int64{}}

	byContestant := make(map[int64]scoring.ContestantResult, len(st.Result.Contestants))
	for _, c := range st.Result.Contestants {
		if row, ok := st.Contestants[c.ID]; ok {
			byContestant[row.ID] = c
		}
	}
	rows := make(map[int64]store.Contestant, len(snap.Contestants))
	for _, row := range snap.Contestants {
		rows[row.ID] = row
	}
	issued := map[int64]store.Certificate{}
	for _, c := range certs {
		if c.Kind != certificates.KindLevel {
			continue
		}
		if c.Revoked() {
			b.Revoked++
			continue
		}
		issued[c.ContestantID] = c
		r, err := b.record(c, rows[c.ContestantID], byContestant[c.ContestantID], st.Rules, photoExt)
		if err != nil {
			return nil, err
		}
		b.Records = append(b.Records, r)
	}
	for _, row := range snap.Contestants {
		if row.Kind == store.KindTeam {
			continue
		}
		c := byContestant[row.ID]
		cd := Candidate{ContestantID: row.ID, EntryNo: entry[row.ID], Name: row.Name, Gender: row.Gender, IDType: row.IDType,
			IDMasked: idnumber.Mask(row.IDNumber), Source: store.SourceName(cands[row.ID].Source),
			Parts: partResults(st.Rules, b.Level, c), Verdict: verdictOf(c), Note: c.StatusReason}
		if cert, ok := issued[row.ID]; ok {
			cd.Certificate = cert.Number
			cd.IssuedOn = cert.IssuedAt.In(skillscore.China()).Format(time.DateOnly)
			var f certificates.Facts
			if json.Unmarshal([]byte(cert.Facts), &f) == nil && f.Date != "" {
				cd.IssuedOn = f.Date
			}
		}
		b.Candidates = append(b.Candidates, cd)
	}
	// By 准考证号, those without one after, each in roster order.
	slices.SortStableFunc(b.Candidates, func(x, y Candidate) int {
		switch {
		case x.EntryNo == "" && y.EntryNo != "":
			return 1
		case x.EntryNo != "" && y.EntryNo == "":
			return -1
		}
		return strings.Compare(x.EntryNo, y.EntryNo)
	})
	return b, nil
}

// record is one level certificate's report line: the facts it was signed
// with, the holder's gender from the roster, the part scores from the
// results, the body from the settings and the photo's file name.
func (b *Batch) record(c store.Certificate, holder store.Contestant, res scoring.ContestantResult, rules *scoring.Rules,
	photoExt map[int64]string) (Record, error) {
	var f certificates.Facts
	if err := json.Unmarshal([]byte(c.Facts), &f); err != nil {
		return Record{}, fmt.Errorf("certificate %s facts: %w", c.Number, err)
	}
	r := Record{Number: c.Number, Name: c.Name, IDType: c.IDType, IDNumber: c.IDNumber, Occupation: f.Occupation,
		OccupationCode: b.Event.OccupationCode, Specialty: f.Specialty, Level: f.Level,
		IssuerName: b.Body.Name, IssuerCode: b.Body.Code, IssuedOn: f.Date,
		contestantID: c.ContestantID, printedIssuer: f.Issuer}
	if r.Specialty == "--" {
		r.Specialty = "" // the certificate prints -- for an occupation without 工种
	}
	r.Gender = holder.Gender
	for _, p := range partResults(rules, b.Level, res) {
		score := p.Score
		if score == "缺考" {
			score = "" // a holder cannot have missed a part; the check names it
		}
		switch p.Code {
		case scoring.PartTheory:
			r.TheoryScore = score
		case scoring.PartPractical:
			r.SkillsScore = score
		case scoring.PartReview:
			r.ReviewScore, r.reviewApplies = score, true
		}
	}
	if ext, ok := photoExt[c.ContestantID]; ok {
		// Named by the certificate number: unique in the export, and never
		// by the 证件号码 (docs/privacy.md).
		r.PhotoFile = c.Number + ext
		b.photoIDs[r.PhotoFile] = c.ContestantID
	}
	return r, nil
}

// FindBatch returns the assessment event whose batch has that 批次号.
func FindBatch(ctx context.Context, src Source, batchNo string) (store.Event, error) {
	batchNo = strings.TrimSpace(batchNo)
	bs, err := src.Batches(ctx)
	if err != nil {
		return store.Event{}, err
	}
	for _, b := range bs {
		if b.BatchNo == batchNo {
			return src.Event(ctx, b.EventID)
		}
	}
	return store.Event{}, skillscore.Errorf(skillscore.ENotFound, "没有批次号为 %s 的认定批次", batchNo)
}

// Dates is the batch's days: "2026-05-20" or "2026-05-20 至 2026-05-21".
func (b *Batch) Dates() string {
	if b.Info.EndsOn == "" || b.Info.EndsOn == b.Event.StartsOn {
		return b.Event.StartsOn
	}
	return b.Event.StartsOn + " 至 " + b.Info.EndsOn
}
