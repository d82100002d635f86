//! The caller of a service function and the authorisation helpers every
//! write goes through.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::domain::identity::{Role, Scope};
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    User,
    Client,
}

/// Who is calling, as established from a validated token and a live check
/// that the account is still active.
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub id: Uuid,
    /// Username or client id, for the audit trail.
    pub name: String,
    pub organization_id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub scopes: Vec<Scope>,
}

impl Principal {
    /// The actor of changes made by the command line (seeding, bootstrap).
    pub fn system() -> Principal {
        Principal {
            kind: PrincipalKind::User,
            id: Uuid::nil(),
            name: "system".into(),
            organization_id: None,
            roles: vec![Role::Admin],
            scopes: vec![],
        }
    }

    pub fn is_system(&self) -> bool {
        self.id.is_nil()
    }

    pub fn has_role(&self, r: Role) -> bool {
        self.kind == PrincipalKind::User && self.roles.contains(&r)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    /// May this caller write at all? Viewers and `read` clients may not.
    pub fn can_write(&self) -> bool {
        match self.kind {
            PrincipalKind::User => self.roles.iter().any(|r| *r != Role::Viewer),
            PrincipalKind::Client => self.scopes.contains(&Scope::Write),
        }
    }

    /// Only the provincial board (a person with the `admin` role).
    pub fn require_admin(&self) -> AppResult<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::AdminRequired))
        }
    }

    pub fn require_write(&self) -> AppResult<()> {
        if self.can_write() {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::ReadOnly))
        }
    }

    /// The caller writes for organisation `org`: the admin for anyone; a
    /// leader or officer only for its own organisation; a `write` client
    /// only when bound to `org` (an unbound client acts for no unit).
    pub fn require_acting_for(&self, org: Uuid) -> AppResult<()> {
        self.require_write()?;
        let allowed = match self.kind {
            PrincipalKind::User => {
                self.is_admin()
                    || (self.organization_id == Some(org)
                        && (self.has_role(Role::Leader) || self.has_role(Role::Officer)))
            }
            PrincipalKind::Client => self.organization_id == Some(org),
        };
        if allowed {
            Ok(())
        } else {
            Err(not_your_organization())
        }
    }

    /// The leader of `org` (or the admin on its behalf): signing, voting.
    pub fn require_leader_of(&self, org: Uuid) -> AppResult<()> {
        if self.is_admin() || (self.has_role(Role::Leader) && self.organization_id == Some(org)) {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::NotMemberLeader))
        }
    }

    pub fn role_names(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.as_str().to_string()).collect()
    }

    pub fn scope_names(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.as_str().to_string()).collect()
    }
}

pub fn not_your_organization() -> AppError {
    AppError::new(ErrorCode::NotYourOrganization)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role], org: Option<Uuid>) -> Principal {
        Principal {
            kind: PrincipalKind::User,
            id: Uuid::now_v7(),
            name: "u".into(),
            organization_id: org,
            roles: roles.to_vec(),
            scopes: vec![],
        }
    }

    #[test]
    fn officer_acts_only_for_own_organisation() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let officer = user(&[Role::Officer], Some(a));
        assert!(officer.require_acting_for(a).is_ok());
        assert_eq!(
            officer.require_acting_for(b).unwrap_err().code(),
            "not_your_organization"
        );
        assert_eq!(
            officer.require_admin().unwrap_err().code(),
            "admin_required"
        );
    }

    #[test]
    fn viewer_and_read_client_cannot_write() {
        let a = Uuid::now_v7();
        assert_eq!(
            user(&[Role::Viewer], Some(a))
                .require_acting_for(a)
                .unwrap_err()
                .code(),
            "read_only"
        );
        let client = Principal {
            kind: PrincipalKind::Client,
            id: Uuid::now_v7(),
            name: "c".into(),
            organization_id: Some(a),
            roles: vec![],
            scopes: vec![Scope::Read],
        };
        assert_eq!(
            client.require_acting_for(a).unwrap_err().code(),
            "read_only"
        );
    }

    #[test]
    fn admin_acts_for_anyone_and_leader_only_signs_for_own() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(user(&[Role::Admin], None).require_acting_for(a).is_ok());
        let leader = user(&[Role::Leader], Some(a));
        assert!(leader.require_leader_of(a).is_ok());
        assert!(leader.require_leader_of(b).is_err());
        assert!(
            user(&[Role::Officer], Some(a))
                .require_leader_of(a)
                .is_err()
        );
    }
}
