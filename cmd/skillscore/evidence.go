package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"skillscore/evidence"
	"skillscore/store"
)

// evidenceConfig is the evidence store's settings (issue 16,
// docs/oversight-evidence.md): its directory (beside a SQLite database by
// default; MySQL must name one) and the limits.
type evidenceConfig struct {
	dir                     string
	photoMB, clipMB, perTgt int
}

func (c *evidenceConfig) bind(fs *flag.FlagSet) {
	fs.StringVar(&c.dir, "evidence", envOr("SKILLSCORE_EVIDENCE", ""),
		"证据库目录：评分表、申诉所附照片和视频，按 SHA-256 存放 (env SKILLSCORE_EVIDENCE；默认 SQLite 数据库旁的 evidence/，MySQL 须指定)")
	fs.IntVar(&c.photoMB, "evidence-photo-mb", envInt("SKILLSCORE_EVIDENCE_PHOTO_MB", evidence.DefaultPhotoBytes>>20), "证据照片大小上限（MB）")
	fs.IntVar(&c.clipMB, "evidence-clip-mb", envInt("SKILLSCORE_EVIDENCE_CLIP_MB", evidence.DefaultClipBytes>>20), "证据视频大小上限（MB）")
	fs.IntVar(&c.perTgt, "evidence-per-target", envInt("SKILLSCORE_EVIDENCE_PER_TARGET", evidence.DefaultPerTarget), "每份评分表或申诉最多附几个证据文件")
}

// service is the evidence service over the configured directory, or the
// one beside the SQLite database db.
func (c evidenceConfig) service(st *store.Store, db string) *evidence.Service {
	return evidence.New(st, cmp.Or(c.dir, evidence.DefaultDir(db)),
		evidence.Limits{PhotoBytes: int64(c.photoMB) << 20, ClipBytes: int64(c.clipMB) << 20, PerTarget: c.perTgt})
}

// envInt is an integer setting from the environment, def when unset or
// not a number.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(envOr(name, "")); err == nil {
		return n
	}
	return def
}

// evidenceNote reminds whoever backs up or restores that evidence files
// are in the evidence store directory, not in the database.
func evidenceNote(ctx context.Context, st *store.Store, stdout io.Writer, what string) error {
	files, err := st.EvidenceFiles(ctx)
	if err != nil || len(files) == 0 {
		return err
	}
	fmt.Fprintf(stdout, "注意：数据库记录了 %d 个证据文件（照片、视频），文件在证据库目录中（默认为 SQLite 数据库旁的 evidence/，或 --evidence 指定的目录），"+
		"不在%s文件内：请一并复制该目录 (evidence files are not in the backup: copy the evidence directory too)\n", len(files), what)
	return nil
}
