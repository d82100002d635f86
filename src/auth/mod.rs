//! Who is calling: passwords, tokens and the principal every service call gets.

pub mod cache;
pub mod jwt;
pub mod password;
pub mod principal;

pub use principal::{Principal, PrincipalKind, Role, Scope};
