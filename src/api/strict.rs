//! Rules of the bodies the derives cannot write, stated in the document so
//! that it is as strict as the validators (issue 14, item 9): which award
//! types each field takes (a collective's titles, a person's), and "exactly
//! one of `personId` / `organizationId`" as a `oneOf` that also ties the
//! award type to the kind of subject. Applied to the rendered document, so
//! the published schema, the body checker (`body_schema`) and the
//! generated clients all read the same rules.

use serde_json::{Value, json};

use crate::domain::titles::AwardType;

/// The award types of one kind of subject, as a component.
fn kind(collective: bool) -> Value {
    let codes: Vec<&str> = AwardType::ALL
        .iter()
        .filter(|a| a.collective() == collective)
        .map(|a| a.code())
        .collect();
    let who = if collective { "a collective (tập thể)" } else { "a person" };
    json!({"type": "string", "enum": codes, "description": format!("An award type for {who}.")})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Exactly one subject, and an award type of its kind.
fn one_subject() -> Value {
    let uuid = json!({"type": "string", "format": "uuid"});
    json!([
        {
            "title": "a person",
            "required": ["personId"],
            "properties": {
                "personId": uuid,
                "organizationId": {"type": "null"},
                "awardType": reference("PersonAwardType"),
            }
        },
        {
            "title": "a collective",
            "required": ["organizationId"],
            "properties": {
                "organizationId": uuid,
                "personId": {"type": "null"},
                "awardType": reference("CollectiveAwardType"),
            }
        }
    ])
}

pub fn tighten(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    schemas.insert("CollectiveAwardType".into(), kind(true));
    schemas.insert("PersonAwardType".into(), kind(false));
    // A registration: the unit's and its sub-units' own titles are a
    // collective's, listed once; the staff's are a person's.
    for (schema, field) in [
        ("CreateRegistrationBody", "titles"),
        ("UpdateRegistrationBody", "titles"),
        ("SubUnitBody", "titles"),
    ] {
        if let Some(p) = schemas
            .get_mut(schema)
            .and_then(|s| s.pointer_mut(&format!("/properties/{field}")))
        {
            p["items"] = reference("CollectiveAwardType");
            p["uniqueItems"] = json!(true);
        }
    }
    if let Some(p) = schemas
        .get_mut("StaffTargetBody")
        .and_then(|s| s.pointer_mut("/properties/awardType"))
    {
        *p = reference("PersonAwardType");
    }
    for schema in ["CheckBody", "AwardItemBody"] {
        if let Some(s) = schemas.get_mut(schema) {
            s["oneOf"] = one_subject();
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
        assert!(ok(json!({"awardType": "ldtt", "year": 2021, "personId": id})));
        assert!(ok(json!({"awardType": "ttldtt", "year": 2021, "organizationId": id, "personId": null})));
        // Neither, both, or a collective's title for a person.
        assert!(!ok(json!({"awardType": "ldtt", "year": 2021})));
        assert!(!ok(json!({"awardType": "ldtt", "year": 2021, "personId": id, "organizationId": id})));
        assert!(!ok(json!({"awardType": "ttldtt", "year": 2021, "personId": id})));
        assert!(!ok(json!({"awardType": "ldtt", "year": 2021, "organizationId": id})));
    }

    #[test]
    fn a_registration_takes_collective_titles_once_and_person_titles_for_staff() {
        let v = validator("CreateRegistrationBody");
        let id = "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d";
        let body = |titles: Value, staff: Value| {
            json!({"organizationId": id, "year": 2021, "titles": titles, "staff": staff})
        };
        assert!(v.is_valid(&body(json!(["ttldxs"]), json!([{"awardType": "ldtt", "count": 3}]))));
        assert!(!v.is_valid(&body(json!(["ldtt"]), json!([]))));
        assert!(!v.is_valid(&body(json!(["ttldxs", "ttldxs"]), json!([]))));
        assert!(!v.is_valid(&body(json!([]), json!([{"awardType": "ttldtt", "count": 3}]))));
    }
}
