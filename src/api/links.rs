//! OpenAPI `links` (OAS 3.1 §4.8.20): from each answer that creates a
//! resource to every operation on that resource, with the new id taken from
//! the answer (`$response.body#/id`) and the rest from the request's own
//! path. Generators, Swagger UI and Schemathesis's stateful phase follow
//! them to reach an operation's logic with an id that exists. Derived from
//! the paths, so a new sub-resource gains its link without a hand edit.

use std::collections::{BTreeMap, BTreeSet};

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi as Doc, RefOr};

/// Creations whose resource lives under another collection than the path
/// that creates it: (method, creating path, the created resource's path,
/// whose `{id}` is the answer's `id`).
const ELSEWHERE: &[(&str, &str, &str)] = &[
    (
        "post",
        "/api/v1/blocs/{id}/terms/{year}/ballots",
        "/api/v1/ballots/{id}",
    ),
    (
        "put",
        "/api/v1/blocs/{id}/terms/{year}/score-sheets/{subjectId}",
        "/api/v1/score-sheets/{id}",
    ),
];

fn params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

fn operations(item: &utoipa::openapi::PathItem) -> Vec<(&'static str, &Operation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("patch", &item.patch),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    .collect()
}

fn pointer_escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

/// The created resource's path for an operation that creates one, and the
/// parameter of that path the answer's `id` fills (`None`: all come from the
/// request, as for a `PUT` that creates at its own path).
fn created(method: &str, path: &str, op: &Operation) -> Option<(String, Option<&'static str>)> {
    if let Some((_, _, to)) = ELSEWHERE
        .iter()
        .find(|(m, from, _)| *m == method && *from == path)
    {
        return Some((to.to_string(), Some("id")));
    }
    if !op.responses.responses.contains_key("201") {
        return None;
    }
    match method {
        "post" if params(path).is_empty() => Some((format!("{path}/{{id}}"), Some("id"))),
        "put" => Some((path.to_string(), None)),
        _ => None,
    }
}

pub fn add_links(doc: &mut Doc) {
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut all = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in operations(item) {
            if let Some(id) = &op.operation_id {
                *ids.entry(id.clone()).or_default() += 1;
            }
            all.push((path.clone(), method, op.operation_id.clone()));
        }
    }
    let mut planned = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in operations(item) {
            let Some((resource, new_id)) = created(method, path, op) else {
                continue;
            };
            let status = if op.responses.responses.contains_key("201") {
                "201"
            } else {
                "200"
            };
            let from_request: BTreeSet<&str> = params(path).into_iter().collect();
            let mut links = BTreeMap::new();
            for (t_path, t_method, t_id) in &all {
                let under = t_path == &resource || t_path.starts_with(&format!("{resource}/"));
                if !under || (t_path == path && *t_method == method) {
                    continue;
                }
                let mut link = match t_id {
                    Some(id) if ids[id] == 1 => LinkBuilder::new().operation_id(id.clone()),
                    _ => LinkBuilder::new()
                        .operation_ref(format!("#/paths/{}/{t_method}", pointer_escape(t_path))),
                };
                for p in params(t_path) {
                    if Some(p) == new_id && params(&resource).contains(&p) {
                        link = link.parameter(p, "$response.body#/id");
                    } else if from_request.contains(p) && params(&resource).contains(&p) {
                        link = link.parameter(p, format!("$request.path.{p}"));
                    }
                }
                let name = match t_id {
                    Some(id) if ids[id] == 1 => id.clone(),
                    _ => format!("{t_method}{}", t_path.replace(['/', '{', '}', '-'], "_")),
                };
                links.insert(
                    name,
                    link.description(format!(
                        "`{} {t_path}` on what this answer {}",
                        t_method.to_uppercase(),
                        if status == "201" { "created" } else { "saved" }
                    ))
                    .build(),
                );
            }
            if !links.is_empty() {
                planned.push((path.clone(), method, status, links));
            }
        }
    }
    for (path, method, status, links) in planned {
        let item = doc
            .paths
            .paths
            .get_mut(&path)
            .expect("planned from the paths");
        let op = match method {
            "post" => item.post.as_mut(),
            "put" => item.put.as_mut(),
            _ => None,
        }
        .expect("planned from the operations");
        if let Some(RefOr::T(response)) = op.responses.responses.get_mut(status) {
            for (name, link) in links {
                response.links.insert(name, RefOr::T(link));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// The (path, method) a link leads to, by operationId or operationRef.
    fn target(json: &Value, link: &Value) -> (String, String) {
        if let Some(id) = link["operationId"].as_str() {
            for (path, item) in json["paths"].as_object().unwrap() {
                for (method, op) in item.as_object().unwrap() {
                    if op["operationId"] == id {
                        return (path.clone(), method.clone());
                    }
                }
            }
            panic!("no operation {id}");
        }
        let p = link["operationRef"].as_str().unwrap();
        let (path, method) = p
            .strip_prefix("#/paths/")
            .unwrap()
            .rsplit_once('/')
            .unwrap();
        let path = path.replace("~1", "/").replace("~0", "~");
        assert!(json["paths"][&path][method].is_object(), "{p}");
        (path, method.to_string())
    }

    #[test]
    fn a_creation_links_to_every_operation_on_what_it_created() {
        let json = serde_json::to_value(crate::api::openapi::document()).unwrap();
        let links = |path: &str, method: &str, status: &str| -> Vec<Value> {
            json["paths"][path][method]["responses"][status]["links"]
                .as_object()
                .map(|l| l.values().cloned().collect())
                .unwrap_or_default()
        };
        let leads_to = |from: &[Value], path: &str, method: &str| -> Value {
            from.iter()
                .find(|l| target(&json, l) == (path.to_string(), method.to_string()))
                .cloned()
                .unwrap_or_else(|| panic!("no link to {method} {path}"))
        };
        let pledge = links("/api/v1/pledges", "post", "201");
        let sign = leads_to(&pledge, "/api/v1/pledges/{id}/signatures", "post");
        assert_eq!(sign["parameters"]["id"], "$response.body#/id");
        let ballot = links("/api/v1/blocs/{id}/terms/{year}/ballots", "post", "201");
        let vote = leads_to(&ballot, "/api/v1/ballots/{id}/votes", "post");
        assert_eq!(vote["parameters"]["id"], "$response.body#/id");
        let term = links("/api/v1/blocs/{id}/terms/{year}", "put", "201");
        let ranking = leads_to(&term, "/api/v1/blocs/{id}/terms/{year}/ranking", "get");
        assert_eq!(ranking["parameters"]["id"], "$request.path.id");
        assert_eq!(ranking["parameters"]["year"], "$request.path.year");
        // Every link, everywhere, leads to an operation that exists.
        let mut count = 0;
        for item in json["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                for r in op["responses"]
                    .as_object()
                    .into_iter()
                    .flat_map(|r| r.values())
                {
                    for l in r["links"].as_object().into_iter().flat_map(|l| l.values()) {
                        target(&json, l);
                        count += 1;
                    }
                }
            }
        }
        assert!(count > 40, "{count} links");
    }
}
