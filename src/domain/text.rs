//! Text enums: one Rust type per concept that is stored as `text` and sent
//! as a JSON string (a status, a kind, a role). `text_enum!` gives the type
//! serde (the listed strings), a utoipa schema (an enum of those strings),
//! and diesel `ToSql`/`FromSql` over `Text`, where a database value that is
//! not a variant is an error, never a default. Rows, rules and DTOs all use
//! the one type; nothing compares its text.
//!
//! ```ignore
//! text_enum! {
//!     /// Giới tính.
//!     pub enum Gender { Male = "male", Female = "female" }
//! }
//! ```

/// A text that names no variant of a text enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {type_name}")]
pub struct UnknownText {
    pub type_name: &'static str,
    pub value: String,
}

macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)?
        }
    ) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored and sent.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::text::UnknownText;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::text::UnknownText {
                        type_name: stringify!($name),
                        value: s.to_owned(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(value.as_bytes())?;
                Ok(text.parse::<$name>()?)
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {

    text_enum! {
        /// A test enum.
        pub enum Colour { Red = "red", DeepBlue = "deep_blue" }
    }

    #[test]
    fn a_text_enum_reads_back_only_its_own_strings() {
        assert_eq!("deep_blue".parse::<Colour>(), Ok(Colour::DeepBlue));
        let unknown = "green".parse::<Colour>().unwrap_err();
        assert_eq!(unknown.to_string(), "\"green\" is not a Colour");
        assert_eq!(Colour::ALL, &[Colour::Red, Colour::DeepBlue]);
    }

    #[test]
    fn a_text_enum_is_its_string_in_json() {
        assert_eq!(
            serde_json::to_string(&Colour::DeepBlue).unwrap(),
            "\"deep_blue\""
        );
        assert_eq!(
            serde_json::from_str::<Colour>("\"red\"").unwrap(),
            Colour::Red
        );
        assert!(serde_json::from_str::<Colour>("\"Red\"").is_err());
    }
}
