//! Year-end evaluation: scoring schemes (E1), review assignments, score
//! sheets (E2), ranking (E3), the secret ballot and leading units (E4).
//! One file per action or small group; the shared read models live here.

mod assignments;
mod ballots;
mod minutes;
mod ranking;
mod scheme;
mod sheets;

pub use assignments::{Assignment, assignments, set_assignments};
pub use ballots::{Ballot, OpenBallot, ballots_of, close_ballot, get_ballot, open_ballot, vote};
pub use minutes::{BallotResult, result, result_in};
pub use ranking::{LeadingUnit, RankedUnit, leading_units, ranking};
pub use scheme::{
    CriterionInput, Scheme, SchemeCriterion, SchemeSection, SectionInput, TemplateSource,
    get_scheme, put_scheme, scheme_template,
};
pub use sheets::{Entry, EntryInput, Sheet, SheetAction, put_sheet, sheet, sheet_action, sheets};

pub use super::pledges::Unit;

use uuid::Uuid;

use crate::db::blocs::TermRow;
use crate::db::{self, Conn};
use crate::error::{AppError, AppResult};

async fn term(c: &mut Conn, bloc_id: Uuid, year: i32) -> AppResult<TermRow> {
    db::blocs::term(c, bloc_id, year)
        .await?
        .ok_or(AppError::not_found("term"))
}

/// The term's member ids.
async fn member_ids(c: &mut Conn, term: &TermRow) -> AppResult<Vec<Uuid>> {
    Ok(db::blocs::members(c, &[term.id])
        .await?
        .iter()
        .map(|m| m.id)
        .collect())
}
