//! Who reads C2 data (docs/titles.md): yearly facts and eligibility answers
//! carry ratings, absences, discipline and investigations. The admin and
//! the subject's own unit (its users, its sub-units' users, clients bound
//! to it) read them in full. Any other caller who may read the record
//! itself (a proposal, a decision, an award history) sees the outcome only
//! (`StoredAnswer::redact`); the facts and the eligibility-check routes
//! answer them 403.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use crate::auth::Principal;
use crate::db::{self, Conn};
use crate::domain::titles::{StoredAnswer, SubjectRef};
use crate::error::{AppError, AppResult};

/// The subjects whose C2 data the caller reads.
async fn c2_readable(
    c: &mut Conn,
    caller: &Principal,
    subjects: &[SubjectRef],
) -> AppResult<HashSet<SubjectRef>> {
    if caller.is_admin() {
        return Ok(subjects.iter().copied().collect());
    }
    let Some(mine) = caller.organization_id else {
        return Ok(HashSet::new());
    };
    let people: Vec<Uuid> = subjects.iter().filter_map(|s| s.person()).collect();
    let mut orgs: Vec<Uuid> = subjects.iter().filter_map(|s| s.organization()).collect();
    orgs.push(mine);
    let units: HashMap<Uuid, Uuid> = db::titles::units_of(c, &people, &orgs)
        .await?
        .into_iter()
        .collect();
    let Some(my_unit) = units.get(&mine).copied() else {
        return Ok(HashSet::new());
    };
    Ok(subjects
        .iter()
        .copied()
        .filter(|s| units.get(&s.id()) == Some(&my_unit))
        .collect())
}

/// The facts and eligibility-check routes: 403 unless the caller reads the
/// organisation's C2 data (404 for an organisation that does not exist).
pub(super) async fn require_reader(c: &mut Conn, caller: &Principal, org: Uuid) -> AppResult<()> {
    if caller.is_admin() {
        // The use case finds out soon enough whether the organisation exists.
        return Ok(());
    }
    let subject = SubjectRef::Organization(org);
    if c2_readable(c, caller, &[subject]).await?.contains(&subject) {
        return Ok(());
    }
    if db::organizations::get(c, org.into()).await?.is_none() {
        return Err(AppError::not_found("organization"));
    }
    Err(crate::auth::principal::not_your_organization())
}

/// Apply the reader rule to stored answers before they leave the service:
/// each is given with the subject it is about.
pub(super) async fn redact<'a>(
    c: &mut Conn,
    caller: &Principal,
    answers: impl Iterator<Item = (Option<SubjectRef>, &'a mut StoredAnswer)>,
) -> AppResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    let answers: Vec<_> = answers.collect();
    let subjects: Vec<SubjectRef> = answers.iter().filter_map(|a| a.0).collect();
    if subjects.is_empty() {
        return Ok(());
    }
    let readable = c2_readable(c, caller, &subjects).await?;
    for (subject, answer) in answers {
        if !subject.is_some_and(|s| readable.contains(&s)) {
            answer.redact();
        }
    }
    Ok(())
}
