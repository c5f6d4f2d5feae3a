package report

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"skillscore"
	"skillscore/exports"
	"skillscore/store"
)

// Formats of the certificate data.
const (
	FormatXLSX = "xlsx"
	FormatJSON = "json"
)

// Schema names the JSON document's layout (docs/reporting.md).
const Schema = "skillscore.report/v1"

// File is a built export.
type File struct {
	Name        string // suggested file name
	ContentType string
	Data        []byte
}

const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	jsonType = "application/json; charset=utf-8"
	zipType  = "application/zip"
	pdfType  = "application/pdf"
)

// Document is the JSON export: the batch, the body, the photo ZIP the
// records' photo_file names are entries of, and one record per certificate.
type Document struct {
	Schema       string   `json:"schema"`
	BatchNo      string   `json:"batch_no"`
	Event        string   `json:"event"`
	IssuerName   string   `json:"issuer_name"`
	IssuerCode   string   `json:"issuer_code"`
	ExportedAt   string   `json:"exported_at"`
	Photos       string   `json:"photos"`
	Count        int      `json:"count"`
	Certificates []Record `json:"certificates"`
}

// PhotosName is the photo ZIP's name unless the caller names it.
func (b *Batch) PhotosName() string { return b.Info.BatchNo + "-照片.zip" }

// DataName is the certificate data file's name in a format.
func (b *Batch) DataName(format string) string { return b.Info.BatchNo + "-证书数据." + format }

// Export builds the batch's certificate data as .xlsx or JSON. Nothing
// leaves unless every record is complete (Check; the refusal lists every
// problem). photos is the name of the photo ZIP the file refers to, ""
// for PhotosName. The export is recorded as a full view of the holders'
// 证件号码 (personal.export) before it is built.
func (s *Service) Export(ctx context.Context, ev store.Event, format, photos, actor string) (File, error) {
	if format != FormatXLSX && format != FormatJSON {
		return File{}, skillscore.Errorf(skillscore.EInvalid, "未知的报送格式 %q：应为 xlsx 或 json", format)
	}
	b, err := s.Load(ctx, ev)
	if err != nil {
		return File{}, err
	}
	if err := b.ready(); err != nil {
		return File{}, err
	}
	if photos == "" {
		photos = b.PhotosName()
	}
	if err := s.record(ctx, b, "report-"+format, "报送证书数据（批次 "+b.Info.BatchNo+"）", actor); err != nil {
		return File{}, err
	}
	if format == FormatJSON {
		data, err := json.MarshalIndent(Document{Schema: Schema, BatchNo: b.Info.BatchNo, Event: ev.Code,
			IssuerName: b.Body.Name, IssuerCode: b.Body.Code, ExportedAt: s.cfg.Now().In(skillscore.China()).Format("2006-01-02T15:04:05-07:00"),
			Photos: photos, Count: len(b.Records), Certificates: b.Records}, "", "  ")
		if err != nil {
			return File{}, err
		}
		return File{b.DataName(format), jsonType, append(data, '\n')}, nil
	}
	rows := make([][]string, len(b.Records))
	for i := range b.Records {
		rows[i] = b.Records[i].Row()
	}
	title := fmt.Sprintf("%s 批次 %s 职业技能等级证书数据（%d 张；照片见 %s）", ev.Name, b.Info.BatchNo, len(b.Records), photos)
	data, err := exports.WriteXLSX("证书数据", title, Header(), rows)
	if err != nil {
		return File{}, err
	}
	return File{b.DataName(format), xlsxType, data}, nil
}

// record writes a full view of the records' holders into the audit trail.
func (s *Service) record(ctx context.Context, b *Batch, what, reason, actor string) error {
	ids := make([]int64, len(b.Records))
	for i, r := range b.Records {
		ids[i] = r.contestantID
	}
	return s.cfg.Store.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: b.Event.ID, Actor: actor, Kind: "export",
		What: what, Contestants: ids, Reason: reason})
}

// Photos checks the batch as Export does, records the photos' export and
// returns the ZIP's suggested name and what writes it: one entry per
// record, named as its photo_file says, the image exactly as imported
// (checked against its SHA-256 as it is read).
func (s *Service) Photos(ctx context.Context, ev store.Event, actor string) (string, func(ctx context.Context, w io.Writer) error, error) {
	b, err := s.Load(ctx, ev)
	if err != nil {
		return "", nil, err
	}
	if err := b.ready(); err != nil {
		return "", nil, err
	}
	if s.cfg.Photos == nil {
		return "", nil, skillscore.Errorf(skillscore.EUnavailable,
			"本服务未配置照片库目录（--photos DIR / SKILLSCORE_PHOTOS），无法导出照片")
	}
	if err := s.record(ctx, b, "report-photos", "报送持证人照片（批次 "+b.Info.BatchNo+"）", actor); err != nil {
		return "", nil, err
	}
	now := s.cfg.Now()
	write := func(ctx context.Context, w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, r := range b.Records {
			data, err := s.cfg.Photos.Photo(ctx, b.photoIDs[r.PhotoFile])
			if err != nil {
				return err
			}
			if data == nil {
				return skillscore.Errorf(skillscore.EConflict, "证书 %s 的持证人照片在导出时已被删除，请重新导出", r.Number)
			}
			// Photos are compressed already: stored as they are.
			f, err := zw.CreateHeader(&zip.FileHeader{Name: r.PhotoFile, Method: zip.Store, Modified: now})
			if err != nil {
				return err
			}
			if _, err := f.Write(data); err != nil {
				return err
			}
		}
		return zw.Close()
	}
	return b.PhotosName(), write, nil
}
