//! Registry use cases, one file per resource, read models in and out:
//! organisations (`Organization`), people (`Person`), blocs (`Bloc`), a
//! bloc's yearly terms (`Term`, B1–B5) and its conferences (`Conference`).

mod blocs;
mod conferences;
mod employments;
mod organizations;
mod people;
mod terms;

pub use blocs::{
    Bloc, BlocFilter, CreateBloc, UpdateBloc, create_bloc, find_bloc, get_bloc, list_blocs,
    update_bloc,
};
pub use conferences::{
    AdoptedDocument, Conference, ConferenceFilter, ConferenceRecord, Representative,
    conference_exists, conference_in, create_conference, get_conference, list_conferences,
    replace_conference,
};
pub use employments::{Employment, Transfer, list_employments, person_leaves, transfer_person};
pub use organizations::{
    CreateOrg, OrgFilter, Organization, RetireOrg, UpdateOrg, create_org, get_org, list_orgs,
    retire_org, update_org,
};
pub use people::{
    CreatePerson, Person, PersonFilter, UpdatePerson, create_person, get_person, list_people,
    require_staff_writer, update_person,
};
pub use terms::{
    HeadSuggestion, PutTerm, Term, TermMember, default_cutoff, find_term, get_term,
    head_suggestion, move_cutoff, put_term, term_history,
};

use chrono::{NaiveDate, Utc};

use crate::error::{AppError, ErrorCode};
use crate::i18n::nfc;

/// Trimmed, NFC, and `None` when nothing is left.
fn opt_nfc(s: Option<String>) -> Option<String> {
    s.map(|v| nfc(&v)).filter(|v| !v.is_empty())
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// 409 `code_taken` for the code of `what` ("đơn vị / organisation").
fn code_taken(what: &'static str) -> impl FnOnce() -> AppError {
    move || AppError::new(ErrorCode::CodeTaken).arg("what", what)
}
