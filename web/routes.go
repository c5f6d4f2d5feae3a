package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.patterns = nil
	handle := func(pattern string, h http.HandlerFunc) {
		// Recorded so the route-walking test (roles_test.go) checks every
		// route, the ones added later included.
		s.patterns = append(s.patterns, pattern)
		mux.Handle(pattern, s.instrument(pattern, h))
	}
	handle("GET /{$}", s.handleIndex)
	handle("GET /events/{code}/leaderboard", s.handleLeaderboard)
	handle("GET /api/v1/events", s.handleAPIEvents)
	handle("GET /api/v1/events/{code}/standings", s.handleAPIStandings)
	handle("GET /events/{code}/bigscreen", s.handleBigScreen)
	handle("GET /events/{code}/phone", s.handlePhone)
	handle("GET /api/v1/events/{code}/live", s.handleLiveSocket)
	handle("GET /api/v1/events/{code}/board", s.handleLiveBoard)
	handle("POST /api/v1/events/{code}/live/{action}", s.requireRole(s.handleLiveControl))
	handle("GET /events/{code}/screen", s.eventRoute(s.handleScreenControl))
	handle("GET /verify", s.handleVerify)
	handle("POST /verify", s.handleVerifyPost)
	handle("GET /api/v1/certificates/verify", s.handleAPIVerify)
	handle("POST /api/v1/certificates/verify", s.handleAPIVerifyPost)
	handle("GET "+KeysPath, s.handleKeys)
	// The organizer's certificates.
	handle("GET /events/{code}/certificates", s.requireRole(s.handleCertificates))
	handle("POST /events/{code}/certificates/batch", s.requireRole(s.handleCertificateBatch))
	handle("GET /api/v1/events/{code}/certificates/batch", s.requireRole(s.handleCertificateBatchStatus))
	handle("GET /events/{code}/certificates/files/{name}", s.requireRole(s.organizerOnly(s.handleCertificateFile)))
	handle("GET /events/{code}/certificates/pdf/{number}", s.requireRole(s.organizerOnly(s.handleCertificatePDF)))
	handle("POST /events/{code}/certificates/{number}/revoke", s.requireRole(s.handleRevokeCertificate))
	handle("POST /events/{code}/certificates/assets", s.requireRole(s.handleCertificateAsset))
	handle("POST /events/{code}/certificates/photos", s.requireRole(s.handlePhotoUpload))
	// The organizer's roster import and exports.
	handle("GET /events/{code}/roster", s.requireRole(s.handleRosterPage))
	handle("POST /events/{code}/roster/upload", s.requireRole(s.handleRosterUpload))
	handle("POST /events/{code}/roster/jobs/{job}/import", s.requireRole(s.handleRosterConfirm))
	handle("GET /api/v1/events/{code}/roster/jobs/{job}", s.requireRole(s.handleRosterJobStatus))
	handle("GET /events/{code}/roster/jobs/{job}/rejected.xlsx", s.requireRole(s.organizerOnly(s.handleRosterRejected)))
	// One person's full 证件号码 and phone, audited with a reason.
	handle("POST /api/v1/events/{code}/contestants/{id}/reveal", s.requireRole(s.handleReveal))
	handle("GET /events/{code}/exports/{what}", s.requireRole(s.organizerOnly(s.handleExport)))
	// A person's own data: looked up, exported and corrected by the
	// organizer, always by POST so the 证件号码 never appears in a URL.
	handle("GET /person", s.requireRole(s.handlePersonPage))
	handle("POST /person", s.requireRole(s.handlePersonLookup))
	handle("POST /person/export", s.requireRole(s.handlePersonExport))
	handle("POST /person/correct", s.requireRole(s.handlePersonCorrect))
	// An event's personal data purged once its retention period has ended.
	handle("GET /events/{code}/purge", s.requireRole(s.handlePurgePage))
	handle("POST /events/{code}/purge", s.requireRole(s.handlePurge))
	// The organizer's statistics against the yearly targets.
	handle("GET /statistics", s.requireRole(s.handleStats))
	handle("GET /statistics.xlsx", s.requireRole(s.handleStatsXLSX))
	handle("POST /statistics/targets", s.requireRole(s.handleSetTarget))
	// Logins of organizers, chief judges and scorekeepers.
	handle("GET /login", s.handleLoginForm)
	handle("POST /login", s.handleLogin)
	handle("POST /logout", s.handleLogout)
	// Judge tablets: the app, its login, the protocol over websocket and HTTP.
	handle("GET /judge", s.handleTablet)
	handle("POST /api/v1/judge/login", s.handleJudgeLogin)
	handle("GET /api/v1/judge/ws", s.handleJudgeWS)
	handle("POST /api/v1/judge/sync", s.handleJudgeSync)
	handle("GET /api/v1/judge/state", s.handleJudgeState)
	// The organizer's judges: logins, revocation, assignments (回避).
	handle("GET /events/{code}/judges", s.requireRole(s.handleJudgesPage))
	handle("POST /events/{code}/judges/{judge}/login", s.eventRoute(s.handleIssueLogin))
	handle("POST /events/{code}/judges/{judge}/revoke", s.eventRoute(s.handleRevokeJudge))
	handle("POST /events/{code}/assignments", s.eventRoute(s.handleAssign))
	// Judges' own signing keys (issue 16, docs/oversight-signing.md): the
	// tablet sets one; the organizer resets it and requires it per event.
	handle("POST /api/v1/judge/signing-key", s.handleJudgeSigningKey)
	handle("POST /events/{code}/judges/{judge}/signing-key/reset", s.eventRoute(s.handleResetSigningKey))
	handle("POST /events/{code}/judge-signing", s.eventRoute(s.handleJudgeSigningSetting))
	// Event set-up: a new event from a preset, its rules and rubric.
	handle("GET /events/new", s.requireRole(s.handleEventNew))
	handle("POST /events/new", s.requireRole(s.handleEventCreate))
	handle("GET /events/{code}/setup", s.eventRoute(s.handleSetupPage))
	handle("POST /events/{code}/setup", s.eventRoute(s.handleSetupSave))
	handle("POST /events/{code}/setup/details", s.eventRoute(s.handleSetupDetails))
	handle("GET /events/{code}/setup/rubric.xlsx", s.eventRoute(s.handleRubricTemplate))
	handle("POST /events/{code}/setup/rubric", s.eventRoute(s.handleRubricImport))
	// Personal data: the notice (告知书), organizer, retention; the printable 报名表.
	handle("GET /events/{code}/privacy", s.eventRoute(s.handlePrivacyPage))
	handle("POST /events/{code}/privacy/notice", s.eventRoute(s.handlePrivacyNotice))
	handle("POST /events/{code}/privacy/retention", s.eventRoute(s.handlePrivacyRetention))
	handle("POST /events/{code}/privacy/organizer", s.eventRoute(s.handlePrivacyOrganizer))
	handle("GET /events/{code}/registration-form", s.eventRoute(s.handleRegistrationForm))
	// The draw (加密) and decryption (解密).
	handle("GET /events/{code}/draw", s.eventRoute(s.handleDrawPage))
	handle("POST /events/{code}/draw", s.eventRoute(s.handleDraw))
	handle("GET /events/{code}/draw/sheet.pdf", s.eventRoute(s.handleDrawSheet))
	handle("POST /events/{code}/decrypt", s.eventRoute(s.handleDecrypt))
	// The results workflow: publication (公示), appeals (申诉), final results.
	handle("GET /events/{code}/results", s.eventRoute(s.handleResultsPage))
	handle("POST /events/{code}/results/publish", s.eventRoute(s.handlePublishResults))
	handle("POST /events/{code}/results/final", s.eventRoute(s.handleFinalize))
	// The chief judge, 监督 and 仲裁 read the appeals of both kinds (the
	// 仲裁 page links here); filing and deciding 公示 appeals stay the
	// organizer's.
	handle("GET /events/{code}/appeals", s.eventRoute(s.handleAppealsPage, RoleChief))
	handle("POST /events/{code}/appeals", s.eventRoute(s.handleFileAppeal))
	handle("POST /events/{code}/appeals/{appeal}/decide", s.eventRoute(s.handleDecideAppeal))
	handle("GET /events/{code}/appeal", s.handleAppealForm)
	handle("POST /events/{code}/appeal", limitBody(maxAppealForm, s.handleAppealSubmit))
	handle("GET /events/{code}/published", s.handlePublished)
	// 仲裁 (issue 16, docs/oversight-arbitration.md): appeals filed at the
	// venue desk by an organizer or the 仲裁, heard and decided by the 仲裁
	// only (arbiterOnly in the handlers); the chief judge reads them (a
	// re-mark comes to the desk); the decisions print as one PDF.
	handle("GET /events/{code}/arbitration", s.arbitrationRoute(s.handleArbitrationPage, RoleArbiter, RoleChief))
	handle("POST /events/{code}/arbitration", limitBody(maxArbitrationForm, s.arbitrationRoute(s.handleFileArbitration, RoleArbiter)))
	handle("POST /events/{code}/arbitration/window", s.arbitrationRoute(s.handleArbitrationWindow))
	handle("GET /events/{code}/arbitration/decisions.pdf", s.arbitrationRoute(s.handleArbitrationDecisionsPDF, RoleArbiter, RoleChief))
	handle("GET /events/{code}/arbitration/{case}", s.arbitrationRoute(s.handleArbitrationCase, RoleArbiter, RoleChief))
	handle("GET /events/{code}/arbitration/{case}/decision.pdf", s.arbitrationRoute(s.handleArbitrationDecisionPDF, RoleArbiter, RoleChief))
	handle("POST /events/{code}/arbitration/{case}/hearings", limitBody(maxArbitrationForm, s.arbitrationRoute(s.handleArbitrationHearing, RoleArbiter)))
	handle("POST /events/{code}/arbitration/{case}/decide", limitBody(maxArbitrationForm, s.arbitrationRoute(s.handleArbitrationDecide, RoleArbiter)))
	// Assessment batches (issue 15): the body's 报审 page with the 公示 in
	// working days; the supervising office's reviewers list and decide.
	handle("GET /events/{code}/batch/review", s.eventRoute(s.handleBatchReviewPage))
	handle("POST /events/{code}/batch/review/submit", s.eventRoute(s.handleBatchSubmit))
	handle("GET /reviews", s.requireAccess(s.handleReviews, reviewerAnywhere))
	handle("GET /events/{code}/batch/approval", s.eventRoute(s.handleBatchApproval))
	handle("POST /events/{code}/batch/approval/approve", s.reviewRoute(s.handleBatchApprove))
	handle("POST /events/{code}/batch/approval/return", s.reviewRoute(s.handleBatchReturn))
	// Theory scores and judges imports, judge cards.
	handle("GET /events/{code}/imports", s.eventRoute(s.handleImportsPage))
	handle("POST /events/{code}/imports/scores", s.eventRoute(s.handleScoresImport))
	handle("POST /events/{code}/imports/judges", s.eventRoute(s.handleJudgesImport))
	handle("POST /events/{code}/judges/cards", s.eventRoute(s.handleJudgeCards))
	// The chief judge's desk.
	handle("GET /events/{code}/desk", s.eventRoute(s.handleDesk, RoleChief))
	handle("GET /api/v1/events/{code}/desk", s.eventRoute(s.handleDeskAPI, RoleChief))
	handle("POST /events/{code}/sheets/{sheet}/{action}", s.eventRoute(s.handleSheetAction, RoleChief))
	handle("POST /api/v1/events/{code}/sheets/{sheet}/{action}", s.eventRoute(s.handleSheetAction, RoleChief))
	handle("POST /events/{code}/modules/{module}/lock", s.eventRoute(s.handleLockSubmitted, RoleChief))
	handle("POST /events/{code}/modules/{module}/signoff", s.eventRoute(s.handleSignOff, RoleChief))
	handle("GET /events/{code}/audit", s.eventRoute(s.handleAudit, RoleChief))
	// Paper fallback: double entry by two scorekeepers.
	handle("GET /events/{code}/paper", s.eventRoute(s.handlePaper, RoleScorekeeper))
	handle("POST /events/{code}/paper", s.eventRoute(s.handlePaperSubmit, RoleScorekeeper))
	// Sessions (场次) and 检录 (issue 14): the organizer's schedule, the
	// check-in tablet for organizer, chief and scorekeepers, printed sheets.
	handle("GET /events/{code}/sessions", s.sessionsRoute(s.handleSessionsPage))
	handle("POST /events/{code}/sessions/numbers", s.sessionsRoute(s.handleEntryNumbers))
	handle("GET /events/{code}/sessions/template.xlsx", s.sessionsRoute(s.handleSessionsTemplate))
	handle("POST /events/{code}/sessions/import", s.sessionsRoute(s.handleSessionsImport))
	handle("POST /events/{code}/sessions/generate", s.sessionsRoute(s.handleSessionsGenerate))
	handle("GET /events/{code}/sessions/cards.pdf", s.sessionsRoute(s.handleEntryCards))
	handle("GET /events/{code}/sessions/timetable.pdf", s.sessionsRoute(s.handleTimetable, RoleChief, RoleScorekeeper))
	handle("GET /events/{code}/sessions/{session}/checkin.pdf", s.sessionsRoute(s.handleCheckinSheet, RoleChief, RoleScorekeeper))
	handle("GET /events/{code}/checkin", s.sessionsRoute(s.handleCheckinPage, RoleChief, RoleScorekeeper))
	handle("POST /events/{code}/checkin", s.sessionsRoute(s.handleCheckin, RoleChief, RoleScorekeeper))
	handle("POST /events/{code}/checkin/decide", s.sessionsRoute(s.handleCheckinDecide, RoleChief))
	handle("POST /events/{code}/checkin/close", s.sessionsRoute(s.handleCheckinClose, RoleChief))
	handle("GET /events/{code}/checkin/photo/{contestant}", s.sessionsRoute(s.handleCheckinPhoto, RoleChief, RoleScorekeeper))
	// An assessment batch's admission (issue 15): 准考证号, 考生须知, the
	// 准考证 and 签到表 (photos, masked 证件号码: the organizer's only,
	// audited as personal.export), the door lists for the rooms' staff.
	handle("GET /events/{code}/batch/admission", s.admissionRoute(s.handleAdmissionPage, false, RoleChief, RoleScorekeeper))
	handle("POST /events/{code}/batch/admission/numbers", s.admissionRoute(s.handleAdmissionNumbers, false))
	handle("POST /events/{code}/batch/admission/rules", s.admissionRoute(s.handleAdmissionNotice, false))
	handle("GET /events/{code}/batch/admission/tickets.pdf", s.admissionRoute(s.handleAdmissionTickets, true))
	handle("GET /events/{code}/batch/admission/signin.pdf", s.admissionRoute(s.handleSignInSheets, true))
	handle("GET /events/{code}/batch/admission/doors.pdf", s.admissionRoute(s.handleDoorLists, false, RoleChief, RoleScorekeeper))
	// Users and their grants (roles per scope, docs/roles.md): organizers of
	// any scope, each within its own.
	handle("GET /users", s.requireAccess(s.handleUsersPage, userAdminAccess))
	handle("POST /users", s.requireAccess(s.handleUserAdd, userAdminAccess))
	handle("POST /users/grants", s.requireAccess(s.handleUserGrant, userAdminAccess))
	handle("POST /users/grants/{grant}/revoke", s.requireAccess(s.handleUserRevoke, userAdminAccess))
	// issue 14 programme: 大赛 pages. The organizer's (scoped by {programme});
	// the public overview for phones, the big screen and their board.
	handle("GET /programmes", s.requireRole(s.handleProgrammes))
	handle("POST /programmes", s.requireRole(s.handleProgrammeCreate))
	handle("GET /programmes/{programme}/manage", s.requireRole(s.handleProgrammeManage))
	handle("POST /programmes/{programme}/events", s.requireRole(s.handleProgrammeAddEvent))
	handle("POST /programmes/{programme}/delegations", s.requireRole(s.handleProgrammeDelegations))
	handle("POST /programmes/{programme}/rules", s.requireRole(s.handleProgrammeRules))
	handle("GET /programmes/{programme}", s.handleProgrammePhone)
	handle("GET /programmes/{programme}/bigscreen", s.handleProgrammeBigScreen)
	handle("GET /api/v1/programmes/{programme}/board", s.handleProgrammeBoard)
	handle("GET /api/v1/programmes/{programme}/live", s.handleProgrammeSocket)
	// Contestant statuses (缺考, 弃权, 取消资格, 不参与评奖): the status dialog
	// of the roster page and the chief judge's desk; who may set which is
	// checked in the handler.
	handle("POST /api/v1/events/{code}/contestants/{id}/status", s.statusRoute(s.handleContestantStatus))
	// Rounds (预赛 → 决赛): standings per round, confirmed advancement, per-round draw.
	handle("GET /events/{code}/rounds", s.eventRoute(s.handleRoundsPage, RoleChief))
	handle("POST /events/{code}/rounds/{round}/confirm", s.eventRoute(s.handleConfirmRound, RoleChief))
	handle("POST /events/{code}/rounds/{round}/draw", s.eventRoute(s.handleDrawRound, RoleChief))
	// Assessment batches (认定批次, issue 15): the list and the set-up of a
	// new one (site organizers, as a new event), and each batch's pages
	// under /events/{code}/batch… (its overview, details and rooms,
	// candidates' photos, seating). Read-only roles read them (GET).
	handle("GET /batches", s.requireRole(s.handleBatches))
	handle("GET /batches/new", s.requireRole(s.handleBatchNew))
	handle("POST /batches/new", s.requireRole(s.handleBatchCreate))
	handle("GET /events/{code}/batch", s.batchRoute(s.handleBatchPage))
	handle("GET /events/{code}/batch/setup", s.batchRoute(s.handleBatchSetupPage))
	handle("POST /events/{code}/batch/setup", s.batchRoute(s.handleBatchSave))
	handle("POST /events/{code}/batch/rooms", s.batchRoute(s.handleBatchRooms))
	handle("GET /events/{code}/batch/photos", s.batchRoute(s.handleBatchPhotosPage))
	handle("POST /events/{code}/batch/photos", s.batchRoute(s.handleBatchPhotos))
	handle("GET /events/{code}/batch/seats", s.batchRoute(s.handleBatchSeatsPage))
	handle("POST /events/{code}/batch/seats", s.batchRoute(s.handleBatchSeats))
	handle("POST /events/{code}/batch/seats/withdraw", s.batchRoute(s.handleBatchSeatsWithdraw))
	// An assessment batch's certificate data for the provincial/national
	// system and its papers (issue 15, docs/reporting.md): the check for
	// everyone of the batch, the files for its organizers.
	handle("GET /events/{code}/batch/report", s.requireRole(s.handleBatchReport))
	handle("GET /events/{code}/batch/report/{what}", s.requireRole(s.organizerOnly(s.handleBatchReportFile)))
	handle("GET /events/{code}/batch/report/transcripts/{id}", s.requireRole(s.organizerOnly(s.handleBatchTranscript)))
	// 督导 of an assessment batch (issue 15): every room's progress and the
	// 督导记录, read by the chief and the batch's readers; filed only by a
	// 督导员 (supervisorOnly in the handlers).
	handle("GET /events/{code}/batch/supervision", s.supervisionRoute(s.handleSupervision, RoleChief))
	handle("GET /events/{code}/batch/supervision/new", s.supervisionRoute(s.handleSupervisionForm, RoleSupervisor))
	handle("POST /events/{code}/batch/supervision/records", s.supervisionRoute(s.handleSupervisionFile, RoleSupervisor))
	handle("GET /events/{code}/batch/supervision/records", s.supervisionRoute(s.handleSupervisionRecords, RoleChief))
	handle("GET /events/{code}/batch/supervision/records.pdf", s.supervisionRoute(s.handleSupervisionRecordsPDF, RoleChief))
	handle("GET /events/{code}/batch/supervision/records/{record}/pdf", s.supervisionRoute(s.handleSupervisionRecordPDF, RoleChief))
	// 成绩复核 before publication (issue 16, docs/oversight-recheck.md): read
	// by the chief and the event's readers; drawn, checked and signed off
	// only by a 监督 (monitorOnly in the handlers); flagged sheets corrected
	// by the chief judge; the settings the organizer's.
	handle("GET /events/{code}/recheck", s.recheckRoute(s.handleRecheck, RoleChief, RoleMonitor))
	handle("GET /events/{code}/recheck/report.pdf", s.recheckRoute(s.handleRecheckReport, RoleChief, RoleMonitor))
	handle("POST /events/{code}/recheck/settings", s.recheckRoute(s.handleRecheckSettings))
	handle("POST /events/{code}/recheck/start", s.recheckRoute(s.handleRecheckStart, RoleMonitor))
	handle("POST /events/{code}/recheck/items/{item}", s.recheckRoute(s.handleRecheckVerdict, RoleMonitor))
	handle("POST /events/{code}/recheck/items/{item}/correct", s.recheckRoute(s.handleRecheckCorrect, RoleChief))
	handle("POST /events/{code}/recheck/signoff", s.recheckRoute(s.handleRecheckSignOff, RoleMonitor))
	// Assessment batches (issue 15): 核对补考, the parts 补考 candidates carry.
	handle("GET /events/{code}/batch/retakes", s.eventRoute(s.handleRetakesPage))
	handle("POST /events/{code}/batch/retakes", s.eventRoute(s.handleRetakesCheck))
	// 赛场记录 (issue 16, docs/oversight-incidents.md): the chief's page and
	// its PDF, read by the chief, the organizer, 监督 and 仲裁 only (never
	// public); the judge tablet's endpoints by the judge's own login, for
	// the stations the judge scores.
	handle("GET /events/{code}/incidents", s.incidentsRoute(s.handleIncidents))
	handle("POST /events/{code}/incidents", s.incidentsRoute(s.handleIncidentRecord))
	handle("POST /events/{code}/incidents/{incident}/ack", s.incidentsRoute(s.handleIncidentAck))
	handle("GET /events/{code}/incidents.pdf", s.incidentsRoute(s.handleIncidentsPDF))
	handle("GET /api/v1/judge/incidents", s.handleJudgeIncidents)
	handle("POST /api/v1/judge/incidents", s.handleJudgeIncidentRecord)
	handle("POST /api/v1/judge/incidents/{incident}/ack", s.handleJudgeIncidentAck)
	handle("POST /api/v1/judge/incidents/{incident}/evidence", s.handleJudgeIncidentEvidence)
	// Feedback (issue 16, docs/oversight-feedback.md): a contestant's own
	// 成绩单 after publication (证件号码 + 姓名, posted only, rate-limited);
	// judges' self-review reports, on the tablet (their own, by device
	// token) and for the chief judge to read and print.
	handle("GET /events/{code}/transcript", s.handleTranscriptForm)
	handle("POST /events/{code}/transcript", s.handleTranscriptLookup)
	handle("POST /events/{code}/transcript.pdf", s.handleTranscriptPDF)
	handle("GET /judge/report", s.handleTabletReportPage)
	handle("GET /api/v1/judge/report", s.handleTabletReport)
	handle("GET /api/v1/judge/report.pdf", s.handleTabletReportPDF)
	handle("GET /events/{code}/judges/reports", s.eventRoute(s.handleJudgeReports, RoleChief))
	handle("GET /events/{code}/judges/reports.pdf", s.eventRoute(s.handleJudgeReportsPDF, RoleChief))
	// The signed paper trail (issue 16, docs/oversight-papertrail.md): a
	// module's 评分记录表 (blank or filled, all or one judge's/contestant's),
	// one sheet's from the desk, the sessions' 签到表, the 裁判分工表, and
	// the organizer's setting whether the contestant signs too.
	handle("GET /events/{code}/records/{module}/{kind}", s.eventRoute(s.handleRecords, RoleChief, RoleScorekeeper))
	handle("GET /events/{code}/sheets/{sheet}/record.pdf", s.eventRoute(s.handleSheetRecord, RoleChief))
	handle("GET /events/{code}/sessions/{session}/{who}", s.sessionsRoute(s.handleSignIn, RoleChief, RoleScorekeeper))
	handle("GET /events/{code}/duties.pdf", s.eventRoute(s.handleDuties, RoleChief))
	handle("POST /events/{code}/records/settings", s.eventRoute(s.handlePaperSettings))
	// Evidence (issue 16): photos and clips on a sheet or an appeal, for the
	// chief judge, 监督, 仲裁 and organizer only (evidenceAccess); the upload
	// reads its form as a stream, so it checks the login itself; the
	// tablet camera's upload is the judge's own sheet, by its token.
	handle("GET /events/{code}/evidence", s.evidenceRoute(s.handleEvidencePage))
	handle("POST /events/{code}/evidence", s.handleEvidenceUpload)
	handle("GET /events/{code}/evidence/{evidence}", s.evidenceRoute(s.handleEvidenceFile))
	handle("POST /events/{code}/evidence/{evidence}/delete", s.evidenceRoute(s.handleEvidenceDelete))
	handle("POST /api/v1/judge/evidence", s.handleJudgeEvidence)
	handle("GET /api/v1/judge/evidence", s.handleJudgeEvidenceCount)
	// issue 16 archive: the signed archive of an event's records, built in
	// the background with its progress, and the event's deletion once the
	// archive's retention has ended (organizers only: the archive carries
	// personal data).
	handle("GET /events/{code}/archive", s.requireRole(s.organizerOnly(s.handleArchivePage)))
	handle("POST /events/{code}/archive", s.requireRole(s.handleArchiveStart))
	handle("GET /api/v1/events/{code}/archive/jobs/{job}", s.requireRole(s.organizerOnly(s.handleArchiveJobStatus)))
	handle("GET /events/{code}/archive/jobs/{job}/download", s.requireRole(s.organizerOnly(s.handleArchiveDownload)))
	handle("POST /events/{code}/delete", s.requireRole(s.handleEventDelete))
	handle("GET /healthz", s.handleHealthz)
	mux.Handle("GET /metrics", s.instrument("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
	mux.Handle("GET /static/", s.instrument("GET /static/", s.tmpl.StaticHandler()))
	mux.Handle("GET /favicon.ico", s.instrument("GET /favicon.ico", s.tmpl.Favicon()))
	return s.recoverPanics(mux)
}
