//! Who may call: the roles of people and the scopes of service clients.

use super::text::text_enum;

text_enum! {
    /// Roles of people. `admin` is the provincial emulation board (Ban TĐKT).
    pub enum Role {
        Admin = "admin",
        Leader = "leader",
        Officer = "officer",
        Viewer = "viewer",
    }
}

text_enum! {
    /// Scopes of service clients.
    pub enum Scope {
        Read = "read",
        Write = "write",
    }
}

text_enum! {
    /// Who made a change, as the audit trail names them: `user`, `client` or `system`.
    pub enum ActorKind {
        User = "user",
        Client = "client",
        System = "system",
    }
}
