//! Year-end evaluation: scoring schemes, review assignments, score sheets,
//! ranking, secret ballots and their minutes. One file per action or small
//! group, each with its DTOs (`results`: the result and the minutes;
//! `standings`: the ranking and the leading units).

mod assignments;
mod ballots;
mod results;
mod scheme;
mod sheets;
mod standings;

pub use assignments::*;
pub use ballots::*;
pub use results::*;
pub use scheme::*;
pub use sheets::*;
pub use standings::*;
