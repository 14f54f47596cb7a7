//! SCIM PATCH (RFC 7644 §3.5.2): `add`, `replace` and `remove` applied to a resource as SCIM
//! shows it; the result is then saved exactly as a PUT of it would be (same checks, same write
//! path). Paths: `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, each optionally with its
//! schema's URN in front, or an extension's URN alone.

use serde_json::{Map, Value};

use super::filter::{self, Filter};
use super::{ScimError, GROUP, PATCH_OP, USER};

/// The attributes a resource has, as its schema spells them; extensions by URN with theirs.
pub struct Shape {
    pub attributes: &'static [&'static str],
    pub extensions: &'static [(&'static str, &'static [&'static str])],
}

struct Target {
    /// An extension's URN (`None`: the resource's own attributes).
    extension: Option<&'static str>,
    /// `None`: the whole extension.
    attr: Option<&'static str>,
    filter: Option<Filter>,
    sub: Option<String>,
}

fn invalid_path(detail: String) -> ScimError {
    ScimError::new(axum::http::StatusCode::BAD_REQUEST, Some("invalidPath"), detail)
}

fn no_target(detail: String) -> ScimError {
    ScimError::new(axum::http::StatusCode::BAD_REQUEST, Some("noTarget"), detail)
}

fn canonical(known: &'static [&'static str], name: &str) -> Option<&'static str> {
    known.iter().find(|k| k.eq_ignore_ascii_case(name)).copied()
}

fn starts_with_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).and_then(|_| text.get(prefix.len()..))
}

fn target(shape: &Shape, path: &str) -> Result<Target, ScimError> {
    let path = path.trim();
    let mut extension = None;
    let mut rest = path;
    if let Some((urn, known)) = shape.extensions.iter().find(|(u, _)| starts_with_ci(path, u).is_some()) {
        let after = starts_with_ci(path, urn).unwrap_or_default();
        if after.is_empty() {
            return Ok(Target { extension: Some(urn), attr: None, filter: None, sub: None });
        }
        rest = after.strip_prefix(':').ok_or_else(|| invalid_path(format!("`{path}` is not an attribute path")))?;
        extension = Some((*urn, *known));
    } else if let Some(after) = [USER, GROUP].iter().find_map(|u| starts_with_ci(path, u)) {
        rest = after.strip_prefix(':').ok_or_else(|| invalid_path(format!("`{path}` is not an attribute path")))?;
    } else if starts_with_ci(path, "urn:").is_some() {
        return Err(invalid_path(format!("`{path}` names a schema this resource does not have")));
    }
    let end = rest.find(['[', '.']).unwrap_or(rest.len());
    let (name, mut tail) = (rest.get(..end).unwrap_or_default(), rest.get(end..).unwrap_or_default());
    let known = extension.map(|(_, k)| k).unwrap_or(shape.attributes);
    let attr = canonical(known, name).ok_or_else(|| invalid_path(format!("`{name}` is not an attribute of this resource")))?;
    let mut filter = None;
    if let Some(inner) = tail.strip_prefix('[') {
        let close = inner.rfind(']').ok_or_else(|| invalid_path(format!("`{path}` opens a bracket it does not close")))?;
        let f = filter::parse(inner.get(..close).unwrap_or_default()).map_err(|m| ScimError::new(axum::http::StatusCode::BAD_REQUEST, Some("invalidFilter"), m))?;
        filter = Some(f);
        tail = inner.get(close + 1..).unwrap_or_default();
    }
    let sub = match tail.strip_prefix('.') {
        Some(s) if !s.is_empty() => Some(s.to_string()),
        None if tail.is_empty() => None,
        _ => return Err(invalid_path(format!("`{path}` is not an attribute path"))),
    };
    Ok(Target { extension: extension.map(|(u, _)| u), attr: Some(attr), filter, sub })
}

/// The object holding a target's attribute (the extension's object, made when asked).
fn holder<'a>(doc: &'a mut Map<String, Value>, extension: Option<&str>, make: bool) -> Option<&'a mut Map<String, Value>> {
    match extension {
        None => Some(doc),
        Some(urn) => {
            if make && !doc.get(urn).is_some_and(Value::is_object) {
                doc.insert(urn.to_string(), Value::Object(Map::new()));
            }
            doc.get_mut(urn).and_then(Value::as_object_mut)
        }
    }
}

fn key_ci(o: &Map<String, Value>, name: &str) -> String {
    o.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_string())
}

/// `add` of `value` to attribute `key`: appended to a list (what is there already stays once),
/// set otherwise.
fn add_value(o: &mut Map<String, Value>, key: &str, value: Value) {
    match (o.get_mut(key), value) {
        (Some(Value::Array(have)), Value::Array(more)) => {
            for v in more {
                if !have.contains(&v) {
                    have.push(v);
                }
            }
        }
        (Some(Value::Array(have)), v) => {
            if !have.contains(&v) {
                have.push(v);
            }
        }
        (_, v) => {
            o.insert(key.to_string(), v);
        }
    }
}

/// Drops empty lists and objects left behind.
fn tidy(o: &mut Map<String, Value>) {
    for v in o.values_mut() {
        if let Value::Object(inner) = v {
            tidy(inner);
        }
    }
    o.retain(|_, v| match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Null => false,
        _ => true,
    });
}

/// Applies one operation.
fn apply_one(shape: &Shape, doc: &mut Map<String, Value>, op: &str, path: Option<&str>, value: Option<Value>) -> Result<(), ScimError> {
    let Some(path) = path.filter(|p| !p.trim().is_empty()) else {
        // No path: the value is an object of attributes (extensions by their URN).
        if op == "remove" {
            return Err(no_target("remove needs a path".into()));
        }
        let Some(Value::Object(fields)) = value else {
            return Err(super::ScimError::invalid("without a path, the value must be an object of attributes"));
        };
        for (k, v) in fields {
            let t = target(shape, &k)?;
            match (t.attr, v) {
                (None, Value::Object(inner)) => {
                    for (ik, iv) in inner {
                        let path = format!("{}:{ik}", t.extension.unwrap_or_default());
                        apply_one(shape, doc, op, Some(&path), Some(iv))?;
                    }
                }
                (None, _) => return Err(super::ScimError::invalid(format!("{k} must be an object"))),
                (Some(_), v) => apply_one(shape, doc, op, Some(&k), Some(v))?,
            }
        }
        return Ok(());
    };
    let t = target(shape, path)?;
    let Some(attr) = t.attr else {
        // The whole extension.
        let urn = t.extension.unwrap_or_default();
        match op {
            "remove" => {
                doc.remove(urn);
            }
            _ => {
                let Some(Value::Object(fields)) = value else {
                    return Err(super::ScimError::invalid(format!("{urn} must be an object")));
                };
                let o = holder(doc, Some(urn), true).ok_or_else(|| no_target(format!("{urn} cannot be changed")))?;
                if op == "replace" {
                    o.clear();
                }
                for (k, v) in fields {
                    o.insert(k, v);
                }
            }
        }
        return Ok(());
    };
    let o = holder(doc, t.extension, op != "remove");
    let Some(o) = o else { return Ok(()) };
    let key = key_ci(o, attr);
    match (&t.filter, op) {
        (Some(f), _) => {
            let Some(Value::Array(items)) = o.get_mut(&key) else {
                return if op == "remove" { Ok(()) } else { Err(no_target(format!("no value of {attr} matches {path}"))) };
            };
            let mut hit = false;
            if op == "remove" && t.sub.is_none() {
                items.retain(|i| !f.matches(i));
                return Ok(());
            }
            for item in items.iter_mut().filter(|i| f.matches(i)) {
                hit = true;
                let Some(io) = item.as_object_mut() else { continue };
                match (&t.sub, op) {
                    (Some(s), "remove") => {
                        let k = key_ci(io, s);
                        io.remove(&k);
                    }
                    (Some(s), _) => {
                        let k = key_ci(io, s);
                        io.insert(k, value.clone().unwrap_or(Value::Null));
                    }
                    (None, _) => match value.clone() {
                        Some(Value::Object(fields)) => {
                            if op == "replace" {
                                io.clear();
                            }
                            io.extend(fields);
                        }
                        _ => return Err(super::ScimError::invalid(format!("the value for {path} must be an object"))),
                    },
                }
            }
            if !hit && op != "remove" {
                return Err(no_target(format!("no value of {attr} matches {path}")));
            }
        }
        (None, "remove") => match (&t.sub, value) {
            (Some(s), _) => {
                if let Some(inner) = o.get_mut(&key).and_then(Value::as_object_mut) {
                    let k = key_ci(inner, s);
                    inner.remove(&k);
                }
            }
            // Remove these values from a list (`members` with `[{"value": id}]`).
            (None, Some(Value::Array(gone))) if o.get(&key).is_some_and(Value::is_array) => {
                let ids: Vec<&Value> = gone.iter().filter_map(|g| filter::get_ci(g, "value")).collect();
                if let Some(Value::Array(items)) = o.get_mut(&key) {
                    items.retain(|i| !filter::get_ci(i, "value").is_some_and(|v| ids.contains(&v)));
                }
            }
            (None, _) => {
                o.remove(&key);
            }
        },
        (None, _) => {
            let value = value.ok_or_else(|| super::ScimError::invalid(format!("{op} of {path} needs a value")))?;
            match &t.sub {
                Some(s) => {
                    if !o.get(&key).is_some_and(Value::is_object) {
                        o.insert(key.clone(), Value::Object(Map::new()));
                    }
                    if let Some(inner) = o.get_mut(&key).and_then(Value::as_object_mut) {
                        let k = key_ci(inner, s);
                        inner.insert(k, value);
                    }
                }
                None if op == "add" => add_value(o, &key, value),
                None => {
                    o.insert(key, value);
                }
            }
        }
    }
    Ok(())
}

/// The resource after a PatchOp request's operations, in order; all or nothing.
pub fn apply(shape: &Shape, resource: Value, request: &Value) -> Result<Value, ScimError> {
    if let Some(schemas) = request.get("schemas").and_then(Value::as_array) {
        if !schemas.iter().any(|s| s.as_str() == Some(PATCH_OP)) {
            return Err(ScimError::syntax(format!("a PATCH body's schemas must hold {PATCH_OP}")));
        }
    }
    let ops = filter::get_ci(request, "Operations").and_then(Value::as_array).filter(|o| !o.is_empty());
    let Some(ops) = ops else {
        return Err(ScimError::syntax("a PATCH body needs Operations: a list of add, replace or remove"));
    };
    let Value::Object(mut doc) = resource else { return Err(ScimError::syntax("nothing to change")) };
    for op in ops {
        let name = filter::get_ci(op, "op").and_then(Value::as_str).map(str::to_ascii_lowercase).unwrap_or_default();
        if !matches!(name.as_str(), "add" | "replace" | "remove") {
            return Err(ScimError::syntax(format!("`{name}` is not an operation: use add, replace or remove")));
        }
        let path = filter::get_ci(op, "path").and_then(Value::as_str);
        let value = filter::get_ci(op, "value").cloned();
        apply_one(shape, &mut doc, &name, path, value)?;
    }
    tidy(&mut doc);
    Ok(Value::Object(doc))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SHAPE: Shape = Shape {
        attributes: &["userName", "name", "displayName", "active", "emails", "externalId", "members"],
        extensions: &[("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", &["department", "manager"])],
    };

    fn ops(list: Value) -> Value {
        json!({ "schemas": [PATCH_OP], "Operations": list })
    }

    #[test]
    fn add_replace_and_remove_change_what_their_paths_name() {
        let r = json!({ "userName": "a", "emails": [{ "value": "a@x.test", "type": "work", "primary": true }], "members": [{ "value": "u1" }, { "value": "u2" }] });
        let out = apply(
            &SHAPE,
            r,
            &ops(json!([
                { "op": "Add", "path": "name.givenName", "value": "Ann" },
                { "op": "add", "path": "emails", "value": [{ "value": "b@x.test", "type": "home" }] },
                { "op": "replace", "path": "emails[type eq \"work\"].value", "value": "c@x.test" },
                { "op": "remove", "path": "members[value eq \"u1\"]" },
                { "op": "replace", "value": { "displayName": "Ann X", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Sales" } } },
                { "op": "replace", "path": "active", "value": false },
            ])),
        )
        .unwrap();
        assert_eq!(out["name"], json!({ "givenName": "Ann" }));
        assert_eq!(out["emails"], json!([{ "value": "c@x.test", "type": "work", "primary": true }, { "value": "b@x.test", "type": "home" }]));
        assert_eq!(out["members"], json!([{ "value": "u2" }]));
        assert_eq!(out["displayName"], json!("Ann X"));
        assert_eq!(out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], json!({ "department": "Sales" }));
        assert_eq!(out["active"], json!(false));
        let gone = apply(&SHAPE, out, &ops(json!([{ "op": "remove", "path": "members" }, { "op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" }]))).unwrap();
        assert!(gone.get("members").is_none());
        assert!(gone.get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").is_none(), "an emptied extension is dropped");
    }

    #[test]
    fn a_patch_that_cannot_apply_is_refused_whole() {
        let r = json!({ "userName": "a" });
        for bad in [
            json!([{ "op": "remove" }]),
            json!([{ "op": "move", "path": "userName" }]),
            json!([{ "op": "add", "path": "nickName", "value": "x" }]),
            json!([{ "op": "replace", "path": "emails[type eq \"work\"].value", "value": "x" }]),
            json!([]),
        ] {
            assert!(apply(&SHAPE, r.clone(), &ops(bad.clone())).is_err(), "{bad} should be refused");
        }
    }
}
