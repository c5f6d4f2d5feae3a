package roster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// Store is what Import needs of the database; *store.Store satisfies it.
type Store interface {
	Event(ctx context.Context, id int64) (store.Event, error)
	Groups(ctx context.Context, eventID int64) ([]store.Group, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	CheckRosterFile(ctx context.Context, eventID int64, sha256 string) error
	ImportRoster(ctx context.Context, imp store.RosterImport, cs []store.Contestant, progress func(stored int)) (store.RosterImport, error)
	ImportTeams(ctx context.Context, imp store.RosterImport, teams []store.Team, progress func(stored int)) (store.RosterImport, error)
	ImportCandidates(ctx context.Context, imp store.RosterImport, cs []store.Contestant, details []store.Candidate, progress func(stored int)) (store.RosterImport, error)
	EventDelegations(ctx context.Context, eventID int64) ([]store.Delegation, error)
}

var _ Store = (*store.Store)(nil)

// Options tune Import.
type Options struct {
	DryRun bool
	Actor  string // who imports, for the audit trail
	// Basis is the legal basis the organizer confirms for processing the
	// contestants' personal data (store.BasisConsent …); a real import
	// needs one, a dry run does not.
	Basis string
	// NoticeSHA256 is the SHA-256 of the notice text the organizer was
	// shown when confirming; the import is refused if the notice changed
	// since. Empty records whatever notice is in force.
	NoticeSHA256 string
	// Progress, if not nil, is told how far checking and then storing have
	// got; a web handler turns it into a progress bar.
	Progress func(Progress)
}

// Import checks a roster file against an event and, unless it is a dry run,
// stores it all or nothing. A file already imported into the event is
// refused up front, before any row is checked, as a duplicate roster
// (EConflict, no report). When any row is rejected, the report comes back
// with an EInvalid error and nothing is stored; a caller shows the report's
// verdicts either way.
func Import(ctx context.Context, st Store, eventID int64, name string, data []byte, opt Options) (*Report, error) {
	if !opt.DryRun && store.BasisName(opt.Basis) == "" {
		// Before any row is read: a long check that ends in this refusal
		// would only waste the organizer's wait.
		return nil, skillscore.Errorf(skillscore.EInvalid, "请选择处理选手个人信息的合法性基础（报名同意、履行合同或法定职责），未导入任何选手")
	}
	ev, err := st.Event(ctx, eventID)
	if err != nil {
		return nil, err
	}
	team, err := eventTeam(ev)
	if err != nil {
		return nil, err
	}
	groups, err := st.Groups(ctx, eventID)
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "本赛事还没有设置组别，请先设置组别再导入名单")
	}
	sum := sha256.Sum256(data)
	if err := st.CheckRosterFile(ctx, eventID, hex.EncodeToString(sum[:])); err != nil {
		return nil, err
	}
	held, err := st.Contestants(ctx, eventID)
	if err != nil {
		return nil, err
	}
	dels, err := st.EventDelegations(ctx, eventID)
	if err != nil {
		return nil, err
	}
	rep, err := Check(ctx, name, data, Event{Groups: groups, Roster: held, Team: team, InProgramme: ev.ProgrammeID != nil, Delegations: dels,
		Assessment: ev.Kind == string(scoring.Assessment)}, opt.Progress)
	if err != nil {
		return nil, err
	}
	if rep.Rejected > 0 {
		return rep, skillscore.Errorf(skillscore.EInvalid, "名单有 %d 行不合格（共 %d 行），未导入任何选手：请按每行的提示修改后重新导入", rep.Rejected, rep.Rows)
	}
	if rep.Accepted == 0 {
		return rep, skillscore.Errorf(skillscore.EInvalid, "名单文件 %s 的表头下没有选手", name)
	}
	if opt.DryRun {
		return rep, nil
	}
	cs := rep.Contestants()
	ri := store.RosterImport{EventID: eventID, FileName: name, SHA256: rep.SHA256, Actor: opt.Actor,
		Basis: opt.Basis, NoticeSHA256: opt.NoticeSHA256}
	progress := func(stored int) {
		if opt.Progress != nil {
			opt.Progress(Progress{Stage: "store", Done: stored, Total: len(cs)})
		}
	}
	var imp store.RosterImport
	switch {
	case team != nil:
		imp, err = st.ImportTeams(ctx, ri, rep.Teams(), progress)
	case ev.Kind == string(scoring.Assessment):
		// A batch's candidates come with what the offices ask of them,
		// in the same transaction.
		imp, err = st.ImportCandidates(ctx, ri, cs, rep.Candidates(), progress)
	default:
		imp, err = st.ImportRoster(ctx, ri, cs, progress)
	}
	if err != nil {
		return rep, err
	}
	rep.Stored = &imp
	return rep, nil
}

// eventTeam is the team rule of the event's rules: rows of a team event
// form team entries by their 队伍名称; nil for individual entries. Only
// that member is read: the whole document was validated when it was saved.
func eventTeam(ev store.Event) (*scoring.TeamRule, error) {
	var doc struct {
		Team *scoring.TeamRule `json:"team"`
	}
	if err := json.Unmarshal([]byte(ev.Rules), &doc); err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, "本赛事的评分规则无法读取，请先在设置中修正规则")
	}
	return doc.Team, nil
}
