//! Identity use cases, one file per resource: users and service clients
//! (read models `User`, `Client`), and tokens (the login limits and the
//! live check behind every authenticated request).

mod clients;
mod tokens;
mod users;

pub use clients::{
    Client, CreateClient, create_client, disable_client, get_client, list_clients,
    rotate_client_secret,
};
pub use tokens::{
    FAILURE_WINDOW_SECS, Grant, IssuedToken, LoginGuard, MAX_FAILURES_PER_SOURCE, MAX_PACING_WAIT,
    PACE_AFTER_ACCOUNT_FAILURES, issue_token, principal_from_claims, purge_login_failures,
    start_account_cache,
};
pub use users::{
    CreateUser, UpdateUser, User, UserFilter, admin_exists, bootstrap_user, create_user,
    disable_user, get_user, list_users, reset_password, update_user,
};
