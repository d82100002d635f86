//! The facts the deadline rules read of one term (`domain::deadlines`),
//! gathered from the term, its pledge, registrations, scoring and ballot.

use std::collections::{BTreeMap, HashSet};

use uuid::Uuid;

use crate::db::{self, Conn};
use crate::domain::deadlines::{
    BallotFacts, PledgeFacts, ScoringFacts, Settings, TermFacts, today,
};
use crate::domain::pledge::Period;

/// A term's settings as the rules read them (defaults where none are set).
pub fn settings_of(row: Option<db::deadlines::SettingsRow>, year: i32) -> Settings {
    let Some(row) = row else {
        return Settings::default();
    };
    let due_dates: BTreeMap<String, chrono::NaiveDate> =
        serde_json::from_value(row.due_dates).unwrap_or_default();
    Settings {
        reporting_periods: row
            .reporting_periods
            .iter()
            .filter_map(|p| Period::parse(p, year).ok())
            .collect(),
        due_dates,
        lead_days: row
            .lead_days
            .iter()
            .filter_map(|d| u16::try_from(*d).ok())
            .collect(),
    }
}

/// Everything the rules need of one term; `None` when it is gone.
pub async fn term_facts(c: &mut Conn, term_id: Uuid) -> db::Result<Option<TermFacts>> {
    let Some(term) = db::blocs::term_by_id(c, term_id).await? else {
        return Ok(None);
    };
    let members: Vec<Uuid> = db::blocs::members(c, &[term_id])
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let settings = settings_of(db::deadlines::settings(c, term_id).await?, term.year);
    let pledge = match db::pledges::of_term(c, term_id).await? {
        Some(p) => Some(pledge_facts(c, p).await?),
        None => None,
    };
    let registered: HashSet<Uuid> = db::deadlines::registered(c, term.year, &members)
        .await?
        .into_iter()
        .collect();
    let scoring = match db::evaluation::scheme_of(c, term_id).await? {
        Some(s) => Some(ScoringFacts {
            assignments: db::evaluation::assignments(c, term_id).await?,
            finished: db::deadlines::finished_sheets(c, s.id)
                .await?
                .into_iter()
                .collect(),
        }),
        None => None,
    };
    let ballot = db::evaluation::ballots_of(c, term_id)
        .await?
        .into_iter()
        .max_by_key(|b| b.opened_at)
        .map(|b| BallotFacts {
            opened_on: today(b.opened_at),
            members: b.members,
            voters: b.voters.into_iter().collect(),
        });
    Ok(Some(TermFacts {
        term_id,
        bloc_id: term.bloc_id,
        year: term.year,
        reporting_cutoff: term.reporting_cutoff,
        registration_deadline: term.registration_deadline,
        members,
        settings,
        pledge,
        registered,
        scoring,
        ballot,
    }))
}

async fn pledge_facts(c: &mut Conn, p: db::pledges::PledgeRow) -> db::Result<PledgeFacts> {
    let id = p.id.uuid();
    Ok(PledgeFacts {
        status: Some(p.status),
        opened_on: p.opened_at.map(today),
        signed: db::deadlines::signers(c, id).await?.into_iter().collect(),
        reportable_targets: db::deadlines::reportable_targets(c, id).await? as usize,
        reported: db::deadlines::reported(c, id)
            .await?
            .into_iter()
            .map(|r| ((r.organization_id, r.period), r.targets as usize))
            .collect(),
    })
}
