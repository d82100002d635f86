//! Queries on the award catalogue, rule sets, yearly facts, registrations,
//! proposals, decisions and the award history.

mod awards;
mod decisions;
mod facts;
mod proposals;
mod registrations;
mod rule_sets;
mod subjects;

pub use awards::*;
pub use decisions::*;
pub use facts::*;
pub use proposals::*;
pub use registrations::*;
pub use rule_sets::*;
pub use subjects::*;
