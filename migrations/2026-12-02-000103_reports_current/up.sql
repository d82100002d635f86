-- Issue 15, item 3: R2 (the compliance matrix) reads a pledge's current
-- reports (`db::pledges::effective_reports`, `superseded_at IS NULL`).
-- Through `progress_reports_pledge_idx` that read visited every report the
-- pledge ever had, superseded ones included, and filtered them out at the
-- heap: it grew with the history. This index holds current reports only,
-- so the read is proportional to the cells reported, however long the
-- history (the unique `progress_reports_current` leads with target_id and
-- cannot serve a per-pledge read).
CREATE INDEX progress_reports_pledge_current_idx
    ON progress_reports (pledge_id, organization_id, target_id, period)
    WHERE superseded_at IS NULL;
