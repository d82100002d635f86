//! Pure rules: no I/O, no async; plain functions over plain structs, each
//! module unit-tested without a database.

pub mod paging;
