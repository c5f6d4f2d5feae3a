package photos

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"path"
	"runtime"
	"strings"
	"sync"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/store"
)

// Outcome of one file.
const (
	Imported  = "imported"  // the contestant's first photo
	Replaced  = "replaced"  // a new photo instead of the one they had
	Unchanged = "unchanged" // the very photo they have already
	Rejected  = "rejected"  // not imported; Reason says why
)

// FileResult is what became of one file. File is its path in the directory
// or ZIP with a 证件号码 masked, as every message shows it.
type FileResult struct {
	File   string `json:"file"`
	Status string `json:"status"`
	Holder string `json:"holder,omitempty"` // 姓名（masked 证件号码）
	Reason string `json:"reason,omitempty"`
}

// Report is an import's outcome, file by file. In a dry run the counts say
// what an import would do and nothing is written.
type Report struct {
	DryRun    bool         `json:"dry_run"`
	Files     []FileResult `json:"files"`
	Imported  int          `json:"imported"`
	Replaced  int          `json:"replaced"`
	Unchanged int          `json:"unchanged"`
	Rejected  int          `json:"rejected"`
	// Missing names the contestants still without a photo afterwards.
	Missing []string `json:"missing"`
}

// Options of an import.
type Options struct {
	DryRun bool
	Actor  string // recorded in the audit trail
}

// candidate is a file that passed its own checks and names a contestant.
type candidate struct {
	res   int // index into Report.Files
	who   store.Contestant
	info  Info
	photo store.Photo // written into the store (not in a dry run)
}

// Import checks every file of src and stores the good ones as the photos
// of the event's contestants, each under a new opaque name. A file is
// matched to a contestant by its name without the extension: the
// contestant's 证件号码 (an x in a check character is an X), their
// 准考证号 / 参赛证号 (entry card number) once given, or, once drawn,
// their 参赛编号 (anonymous code). A file is refused, with its reason, when
// its name matches no contestant, it is no JPEG or PNG by its content, it
// is over MaxBytes or outside the pixel bounds (and, for an assessment
// batch, outside the batch's photo spec: store.PhotoSpec), it cannot be
// decoded, another file names the same contestant (each contestant has
// exactly one photo: all of theirs are refused), or it is the very image
// another contestant has. Good files are stored all in one transaction
// even when others are refused; a failure of the store stores none.
func (l *Library) Import(ctx context.Context, eventID int64, src *Source, opts Options) (_ *Report, err error) {
	if l.dir == "" && !opts.DryRun {
		return nil, noDir()
	}
	people, err := l.st.Contestants(ctx, eventID)
	if err != nil {
		return nil, err
	}
	have, err := l.st.EventPhotos(ctx, eventID)
	if err != nil {
		return nil, err
	}
	var spec store.PhotoSpec
	switch b, err := l.st.Batch(ctx, eventID); {
	case err == nil:
		spec = b.PhotoSpec
	case skillscore.ErrorCode(err) != skillscore.ENotFound:
		return nil, err
	}
	numbered, err := l.st.SchedulePeople(ctx, eventID)
	if err != nil {
		return nil, err
	}
	entryNo := make(map[int64]string, len(numbered))
	for _, p := range numbered {
		entryNo[p.ContestantID] = p.EntryNo
	}
	byID, byEntry, byCode, byRow := map[string]store.Contestant{}, map[string]store.Contestant{}, map[string]store.Contestant{}, map[int64]store.Contestant{}
	for _, c := range people {
		if n := entryNo[c.ID]; n != "" {
			byEntry[strings.ToUpper(n)] = c
		}
		byID[strings.ToUpper(c.IDNumber)] = c
		if c.Code != nil && *c.Code != "" {
			byCode[strings.ToUpper(*c.Code)] = c
		}
		byRow[c.ID] = c
	}
	existing := map[int64]store.Photo{}
	for _, p := range have {
		existing[p.ContestantID] = p
	}
	// Every file written into the store by this import; on failure they
	// all go, on success those not recorded go.
	var written []store.Photo
	defer func() {
		if err != nil {
			l.remove(written)
		}
	}()

	rep := &Report{DryRun: opts.DryRun}
	reject := func(i int, why string) {
		rep.Files[i].Status, rep.Files[i].Reason = Rejected, why
	}
	// Matching names is cheap and done in order; reading, checking and
	// writing each file is not (a full decode, and an fsync per file that
	// dominates on a real disk), so those run on a few workers and their
	// outcomes are taken back in file order.
	var jobs []fileJob
	for _, e := range src.entries {
		stem, _ := splitExt(path.Base(e.name))
		key := strings.ToUpper(strings.TrimSpace(stem))
		who, byIDNumber := byID[key]
		found := byIDNumber
		if !found {
			who, found = byEntry[key]
		}
		if !found {
			who, found = byCode[key]
		}
		i := len(rep.Files)
		rep.Files = append(rep.Files, FileResult{File: shownName(e.name, found && !byIDNumber)})
		if found {
			rep.Files[i].Holder = holder(who)
		}
		if e.problem != "" {
			reject(i, e.problem)
			continue
		}
		if !found {
			reject(i, "文件名不是本赛事任何选手的证件号码、准考证号（参赛证号）或参赛编号")
			continue
		}
		old, had := existing[who.ID]
		jobs = append(jobs, fileJob{res: i, e: e, who: who, keep: opts.DryRun, old: old, had: had})
	}
	err = l.checkAndPut(ctx, jobs, spec)
	for _, j := range jobs {
		if j.photo.ID != "" {
			written = append(written, j.photo)
		}
	}
	if err != nil {
		return nil, err
	}
	var cands []candidate
	for _, j := range jobs {
		if j.why != "" {
			reject(j.res, j.why)
			continue
		}
		c := candidate{res: j.res, who: j.who, info: j.info, photo: j.photo}
		if c.photo.ID != "" {
			c.photo.ContestantID = j.who.ID
		}
		cands = append(cands, c)
	}

	// Exactly one file per contestant: with two, which is right is the
	// organizer's call, so neither is taken.
	per := map[int64][]string{}
	for _, c := range cands {
		per[c.who.ID] = append(per[c.who.ID], rep.Files[c.res].File)
	}
	var single []candidate
	for _, c := range cands {
		if files := per[c.who.ID]; len(files) > 1 {
			reject(c.res, fmt.Sprintf("%s 有 %d 个照片文件（%s），每人只能有一个：均未导入", holder(c.who), len(files),
				strings.Join(files, "、")))
			continue
		}
		single = append(single, c)
	}
	// One image for two people is a copying mistake: each image is held
	// against the others of this import and against the photos of the
	// contestants this import leaves as they are.
	owners := map[string][]int64{}
	taking := map[int64]bool{}
	for _, c := range single {
		owners[c.info.SHA256] = append(owners[c.info.SHA256], c.who.ID)
		taking[c.who.ID] = true
	}
	for _, p := range have {
		if !taking[p.ContestantID] {
			owners[p.SHA256] = append(owners[p.SHA256], p.ContestantID)
		}
	}
	var set []store.Photo
	got := map[int64]bool{}
	for _, c := range single {
		var others []string
		for _, id := range owners[c.info.SHA256] {
			if id != c.who.ID {
				others = append(others, holder(byRow[id]))
			}
		}
		if len(others) > 0 {
			reject(c.res, "与 "+strings.Join(others, "、")+" 的照片是同一张图片，请核对")
			continue
		}
		got[c.who.ID] = true
		old, had := existing[c.who.ID]
		switch {
		case had && old.SHA256 == c.info.SHA256:
			rep.Files[c.res].Status = Unchanged
			rep.Unchanged++
			continue
		case had:
			rep.Files[c.res].Status = Replaced
			rep.Replaced++
		default:
			rep.Files[c.res].Status = Imported
			rep.Imported++
		}
		if !opts.DryRun {
			set = append(set, c.photo)
		}
	}
	for _, f := range rep.Files {
		if f.Status == Rejected {
			rep.Rejected++
		}
	}

	if len(set) > 0 {
		if err = l.syncDir(); err != nil {
			return nil, err
		}
		var replaced []store.Photo
		if replaced, err = l.st.SetPhotos(ctx, eventID, set, opts.Actor); err != nil {
			return nil, err
		}
		l.remove(replaced)
	}
	// Files of refused candidates are no one's photo.
	recorded := map[string]bool{}
	for _, p := range set {
		recorded[p.ID] = true
	}
	for _, p := range written {
		if !recorded[p.ID] {
			l.remove([]store.Photo{p})
		}
	}

	for _, c := range people {
		if _, had := existing[c.ID]; !had && !got[c.ID] {
			rep.Missing = append(rep.Missing, holder(c))
		}
	}
	return rep, nil
}

// readEntry reads one file, at most MaxBytes+1 bytes of it.
// fileJob is one file that names a contestant, on its way through the
// workers: its outcome is a refusal (why) or its checked info and, unless
// keep (a dry run) or it is the photo the contestant has (old), the file
// written into the store.
type fileJob struct {
	res   int
	e     entry
	who   store.Contestant
	keep  bool
	old   store.Photo
	had   bool
	why   string
	info  Info
	photo store.Photo
}

// Workers: files written at once (their fsyncs overlap, which a journal
// commits together), and at most maxDecoders decoded at once (a full
// decode is CPU-bound).
const (
	putWorkers  = 8
	maxDecoders = 4
)

// decodeSlots bound the images decoded at once by their pixels: all the
// slots hold MaxSide² pixels between them, so the decodes in flight never
// need more memory than one image of the largest size, as when files were
// decoded one at a time; small photos decode side by side.
type decodeSlots struct {
	tokens chan struct{}
	per    int // pixels one slot stands for
	// several guards taking several slots: two takers could each hold part
	// of what they need and wait for the rest.
	several sync.Mutex
}

func newDecodeSlots(n int) *decodeSlots {
	d := &decodeSlots{tokens: make(chan struct{}, n), per: (MaxSide*MaxSide + n - 1) / n}
	for range n {
		d.tokens <- struct{}{}
	}
	return d
}

// acquire takes the slots an image of pixels needs and returns how many.
func (d *decodeSlots) acquire(ctx context.Context, pixels int) (int, error) {
	k := min(max(1, (pixels+d.per-1)/d.per), cap(d.tokens))
	if k > 1 {
		d.several.Lock()
		defer d.several.Unlock()
	}
	for i := range k {
		select {
		case <-d.tokens:
		case <-ctx.Done():
			d.release(i)
			return 0, ctx.Err()
		}
	}
	return k, nil
}

func (d *decodeSlots) release(k int) {
	for range k {
		d.tokens <- struct{}{}
	}
}

// checkAndPut reads, checks and writes each job's file on putWorkers
// goroutines, stopping at the first failure to write (ctx's or the
// store's); every file written before that is in its job.
func (l *Library) checkAndPut(ctx context.Context, jobs []fileJob, spec store.PhotoSpec) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	decoders := newDecodeSlots(min(runtime.GOMAXPROCS(0), maxDecoders))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(putWorkers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				if err := l.checkAndPutOne(ctx, &jobs[k], spec, decoders); err != nil {
					cancel(err)
				}
			}
		}()
	}
feed:
	for k := range jobs {
		select {
		case next <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

func (l *Library) checkAndPutOne(ctx context.Context, j *fileJob, spec store.PhotoSpec, decoders *decodeSlots) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, rerr := readEntry(j.e)
	if rerr != nil {
		j.why = "无法读取文件：" + rerr.Error()
		return nil
	}
	pixels := 0 // unreadable: CheckSpec refuses it before decoding
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
		pixels = cfg.Width * cfg.Height
	}
	k, err := decoders.acquire(ctx, pixels)
	if err != nil {
		return err
	}
	j.info, j.why = CheckSpec(data, spec)
	decoders.release(k)
	if j.why != "" || j.keep || j.had && j.old.SHA256 == j.info.SHA256 {
		return nil // refused, a dry run, or the very photo they have: no new file
	}
	j.photo, err = l.put(ctx, data, j.info)
	return err
}

func readEntry(e entry) ([]byte, error) {
	rc, err := e.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := readLimited(rc)
	if err != nil {
		return nil, err
	}
	return data, nil
}

// holder names a contestant as messages may: the name and the masked
// 证件号码.
func holder(c store.Contestant) string {
	return c.Name + "（" + idnumber.Mask(c.IDNumber) + "）"
}

// shownName is a file's path with its name masked as a 证件号码 would be,
// unless it is a contestant's anonymous code: messages and logs never
// carry a full 证件号码, even a mistyped one. Names of up to 7 characters
// cannot be an ID card number and stay as they are.
func shownName(name string, isCode bool) string {
	dir, base := path.Split(name)
	stem, _ := splitExt(base)
	if isCode || len([]rune(stem)) <= 7 {
		return name
	}
	return dir + idnumber.Mask(stem) + path.Ext(base)
}

// ImportError summarises a report's refusals as the error a command
// returns: nil when every file was taken.
func (r *Report) ImportError() error {
	if r.Rejected == 0 {
		return nil
	}
	if r.DryRun {
		return skillscore.Errorf(skillscore.EInvalid, "有 %d 个文件不合格（原因见上）；预检未写入任何照片 (%d files rejected)", r.Rejected, r.Rejected)
	}
	return skillscore.Errorf(skillscore.EInvalid, "有 %d 个文件不合格，未导入（原因见上；合格的已导入）(%d files rejected)", r.Rejected, r.Rejected)
}
