//! The reminders the workers announce (D7, D8): each round claims terms
//! whose deadlines are due a look (`FOR UPDATE SKIP LOCKED`, so instances
//! share them), and for every unit that has not acted records
//! `deadline.reminder` (or, after the due date, `deadline.missed`) on the
//! feed — the webhooks deliver it like any event — once per (unit,
//! deadline, lead time): the notice's unique key decides, whatever the
//! number of instances.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::term_facts;
use crate::auth::Principal;
use crate::db::deadlines::NewNotice;
use crate::db::{self, Conn, Db};
use crate::domain::deadlines::{Deadline, NoticeKind, TermFacts, deadlines, notice_due, today};
use crate::error::AppResult;
use crate::service::{Change, record};

/// Terms looked at per round.
const TERMS_PER_ROUND: usize = 20;

/// One round: up to `TERMS_PER_ROUND` terms, each in its own transaction
/// that holds its claim while it is computed; the next look at a term is
/// `every` later. `mail`: the notices wait for the mail worker. The number
/// of notices announced.
pub async fn scan(db: &Db, every: Duration, mail: bool) -> AppResult<usize> {
    let mut announced = 0;
    for _ in 0..TERMS_PER_ROUND {
        let round = db
            .transaction(async |tx| -> AppResult<_> {
                let every_ms = every.as_millis().min(i64::MAX as u128) as i64;
                let Some(term_id) = db::deadlines::claim_scans(tx, 1, every_ms)
                    .await?
                    .into_iter()
                    .next()
                else {
                    return Ok(None);
                };
                let Some(f) = term_facts(tx, term_id).await? else {
                    return Ok(Some(0));
                };
                Ok(Some(announce(tx, &f, mail).await?))
            })
            .await?;
        match round {
            Some(n) => announced += n,
            None => break,
        }
    }
    Ok(announced)
}

/// The notices one term calls for today, each recorded once.
async fn announce(tx: &mut Conn, f: &TermFacts, mail: bool) -> AppResult<usize> {
    let day = today(Utc::now());
    let mut n = 0;
    for d in deadlines(f, day) {
        let Some((notice, lead)) = notice_due(&d, &f.settings.lead_days, day) else {
            continue;
        };
        let id = Uuid::now_v7();
        let new = NewNotice {
            id,
            term_id: d.term_id,
            organization_id: d.organization_id,
            kind: d.kind,
            period: d.period_code(),
            due_on: d.due_on,
            notice,
            lead_days: lead,
            mail_status: if mail { "pending" } else { "none" }.into(),
        };
        if !db::deadlines::insert_notice(tx, &new).await? {
            continue;
        }
        let action = match notice {
            NoticeKind::Reminder => "deadline.reminder",
            NoticeKind::Missed => "deadline.missed",
        };
        let data = payload(f, &d, notice, lead, day);
        let change = Change {
            action,
            entity: "deadline",
            entity_id: id.to_string(),
            after: Some(data),
            organization_id: Some(d.organization_id),
            ..Default::default()
        };
        record(tx, &Principal::system(), change).await?;
        if let Some(event) = db::events::settle_now(tx, action, &id.to_string()).await? {
            db::deadlines::set_notice_event(tx, id, event).await?;
        }
        n += 1;
    }
    Ok(n)
}

/// The event's data: which deadline, of which unit, how far.
fn payload(
    f: &TermFacts,
    d: &Deadline,
    notice: NoticeKind,
    lead: i32,
    day: chrono::NaiveDate,
) -> serde_json::Value {
    json!({
        "notice": notice,
        "termId": f.term_id,
        "blocId": f.bloc_id,
        "year": f.year,
        "organizationId": d.organization_id,
        "kind": d.kind,
        "period": d.period.map(|p| p.code()),
        "dueOn": d.due_on,
        "leadDays": (notice == NoticeKind::Reminder).then_some(lead),
        "daysLeft": (d.due_on - day).num_days(),
        "state": d.state,
    })
}
