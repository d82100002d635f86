//! Rules of the bodies the derives cannot write, stated in the document so
//! that it is as strict as the validators (issue 14, item 9): which award
//! types each field takes (a collective's titles, a person's), and "exactly
//! one of `personId` / `organizationId`" as a `oneOf` that also ties the
//! award type to the kind of subject. Applied to the rendered document, so
//! the published schema, the body checker (`body_schema`) and the
//! generated clients all read the same rules.

use utoipa::openapi::schema::{
    AllOfBuilder, ArrayItems, KnownFormat, ObjectBuilder, OneOfBuilder, Ref, Schema, SchemaFormat,
    Type,
};
use utoipa::openapi::{OpenApi as Doc, RefOr};

use crate::domain::titles::AwardType;

/// The award types of one kind of subject, as a component.
fn kind(collective: bool) -> Schema {
    let codes: Vec<&str> = AwardType::ALL
        .iter()
        .filter(|a| a.collective() == collective)
        .map(|a| a.code())
        .collect();
    let who = if collective {
        "a collective (tập thể)"
    } else {
        "a person"
    };
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .description(Some(format!("An award type for {who}.")))
        .build()
        .into()
}

/// Exactly one subject, and an award type of its kind.
fn one_subject() -> Schema {
    let branch = |title: &str, id: &str, other: &str, award: &str| {
        ObjectBuilder::new()
            .title(Some(title))
            .required(id)
            .required("awardType")
            .property(
                id,
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
            )
            .property(other, ObjectBuilder::new().schema_type(Type::Null))
            .property("awardType", Ref::from_schema_name(award))
    };
    OneOfBuilder::new()
        .item(branch(
            "a person",
            "personId",
            "organizationId",
            "PersonAwardType",
        ))
        .item(branch(
            "a collective",
            "organizationId",
            "personId",
            "CollectiveAwardType",
        ))
        .build()
        .into()
}

fn object<'a>(
    schemas: &'a mut std::collections::BTreeMap<String, RefOr<Schema>>,
    name: &str,
) -> Option<&'a mut utoipa::openapi::schema::Object> {
    match schemas.get_mut(name) {
        Some(RefOr::T(Schema::Object(o))) => Some(o),
        _ => None,
    }
}

pub fn tighten(doc: &mut Doc) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let schemas = &mut components.schemas;
    schemas.insert("CollectiveAwardType".into(), RefOr::T(kind(true)));
    schemas.insert("PersonAwardType".into(), RefOr::T(kind(false)));
    // A registration: the unit's and its sub-units' own titles are a
    // collective's, listed once; the staff's are a person's.
    for schema in [
        "CreateRegistrationBody",
        "UpdateRegistrationBody",
        "SubUnitBody",
    ] {
        if let Some(o) = object(schemas, schema)
            && let Some(RefOr::T(Schema::Array(titles))) = o.properties.get_mut("titles")
        {
            titles.items = ArrayItems::RefOrSchema(Box::new(
                Ref::from_schema_name("CollectiveAwardType").into(),
            ));
            titles.unique_items = true;
        }
    }
    if let Some(o) = object(schemas, "StaffTargetBody") {
        o.properties.insert(
            "awardType".into(),
            Ref::from_schema_name("PersonAwardType").into(),
        );
    }
    // The body's own object, and exactly one subject of the award's kind.
    for schema in ["CheckBody", "AwardItemBody"] {
        if let Some(RefOr::T(own)) = schemas.remove(schema) {
            let both = AllOfBuilder::new().item(own).item(one_subject()).build();
            schemas.insert(schema.into(), RefOr::T(Schema::AllOf(both)));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    fn validator(name: &str) -> jsonschema::Validator {
        let doc = serde_json::to_value(crate::api::openapi::document()).unwrap();
        let root = json!({
            "$ref": format!("#/components/schemas/{name}"),
            "components": doc["components"],
        });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap()
    }

    #[test]
    fn exactly_one_subject_with_an_award_type_of_its_kind() {
        let v = validator("CheckBody");
        let id = "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d";
        let ok = |b: Value| v.is_valid(&b);
        assert!(ok(
            json!({"awardType": "ldtt", "year": 2021, "personId": id})
        ));
        assert!(ok(
            json!({"awardType": "ttldtt", "year": 2021, "organizationId": id, "personId": null})
        ));
        // Neither, both, or a collective's title for a person.
        assert!(!ok(json!({"awardType": "ldtt", "year": 2021})));
        assert!(!ok(
            json!({"awardType": "ldtt", "year": 2021, "personId": id, "organizationId": id})
        ));
        assert!(!ok(
            json!({"awardType": "ttldtt", "year": 2021, "personId": id})
        ));
        assert!(!ok(
            json!({"awardType": "ldtt", "year": 2021, "organizationId": id})
        ));
    }

    #[test]
    fn a_registration_takes_collective_titles_once_and_person_titles_for_staff() {
        let v = validator("CreateRegistrationBody");
        let id = "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d";
        let body = |titles: Value, staff: Value| json!({"organizationId": id, "year": 2021, "titles": titles, "staff": staff});
        assert!(v.is_valid(&body(
            json!(["ttldxs"]),
            json!([{"awardType": "ldtt", "count": 3}])
        )));
        assert!(!v.is_valid(&body(json!(["ldtt"]), json!([]))));
        assert!(!v.is_valid(&body(json!(["ttldxs", "ttldxs"]), json!([]))));
        assert!(!v.is_valid(&body(
            json!([]),
            json!([{"awardType": "ttldtt", "count": 3}])
        )));
    }
}
