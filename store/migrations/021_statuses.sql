-- Contestant statuses (issue 14): 缺考 absent, 弃权 withdrew, 取消资格
-- disqualified, 不参与评奖 ineligible; '' is competing. Who set it, when and
-- why are kept beside it (and in the audit trail) because the status shows
-- in the published results with its reason.
ALTER TABLE contestants ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE contestants ADD COLUMN status_reason VARCHAR(500) NOT NULL DEFAULT '';
ALTER TABLE contestants ADD COLUMN status_by VARCHAR(100) NOT NULL DEFAULT '';
ALTER TABLE contestants ADD COLUMN status_at BIGINT;

-- A theory-score file may say 缺考 for a contestant instead of a score: the
-- module is recorded as absent (value 0, absent = 1), not as a real 0.
ALTER TABLE imported_scores ADD COLUMN absent INTEGER NOT NULL DEFAULT 0;
