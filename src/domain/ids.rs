//! Ids as their own types where mixing them up is a real risk: an
//! organisation's id is not a person's, nor a pledge's. Each is a UUID on
//! the wire (`serde(transparent)`) and in the database (diesel `Uuid`).
//!
//! An id type has no schema of its own on purpose: a DTO field names it,
//! `#[schema(value_type = Uuid)]` (or `Option<Uuid>`), so the document keeps
//! `format: uuid` inline, and a field that forgets does not compile.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        $(#[$meta])*
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new id (UUID v7: ordered by creation).
            pub fn generate() -> $name {
                $name(uuid::Uuid::now_v7())
            }

            pub fn uuid(self) -> uuid::Uuid {
                self.0
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                $name(id)
            }
        }

        impl From<$name> for uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <uuid::Uuid as diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::to_sql(
                    &self.0,
                    &mut out.reborrow(),
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <uuid::Uuid as diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::from_sql(value)
                    .map($name)
            }
        }
    };
}

id_type! {
    /// A unit's or sub-unit's id (`organizations.id`).
    OrganizationId
}

id_type! {
    /// A member of staff's id (`people.id`).
    PersonId
}

id_type! {
    /// A pledge's id (`pledges.id`).
    PledgeId
}

id_type! {
    /// A webhook subscription's id (`webhook_subscriptions.id`).
    WebhookId
}

id_type! {
    /// One delivery attempt's id (`webhook_deliveries.id`).
    DeliveryId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_bare_uuid_in_json() {
        let id = OrganizationId::generate();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{}\"", id.uuid()));
        assert_eq!(serde_json::from_str::<OrganizationId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<PersonId>("\"not-a-uuid\"").is_err());
    }
}
