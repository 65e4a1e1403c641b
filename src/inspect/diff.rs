//! Structural differences between two JSON values, by JSON pointer: what was added,
//! removed or changed. Arrays are compared index by index (a payload's arrays are lists of
//! records or field names, where position is what a reader compares).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// How deep the comparison goes; below it a differing subtree is one change.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One difference: at `path` (a JSON pointer), `before` became `after`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub after: Option<Value>,
}

/// Every difference from `before` to `after`, in document order; empty when equal.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    walk(before, after, &mut String::new(), 0, &mut changes);
    changes
}

/// `segment` escaped for a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn walk(before: &Value, after: &Value, path: &mut String, depth: usize, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(a), Value::Object(b)) if depth < MAX_DEPTH => {
            for (key, av) in a {
                let len = path.len();
                path.push('/');
                path.push_str(&escape(key));
                match b.get(key) {
                    Some(bv) => walk(av, bv, path, depth + 1, out),
                    None => out.push(change(path, ChangeKind::Removed, Some(av), None)),
                }
                path.truncate(len);
            }
            for (key, bv) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                let len = path.len();
                path.push('/');
                path.push_str(&escape(key));
                out.push(change(path, ChangeKind::Added, None, Some(bv)));
                path.truncate(len);
            }
        }
        (Value::Array(a), Value::Array(b)) if depth < MAX_DEPTH => {
            for i in 0..a.len().max(b.len()) {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                match (a.get(i), b.get(i)) {
                    (Some(av), Some(bv)) => walk(av, bv, path, depth + 1, out),
                    (Some(av), None) => out.push(change(path, ChangeKind::Removed, Some(av), None)),
                    (None, Some(bv)) => out.push(change(path, ChangeKind::Added, None, Some(bv))),
                    (None, None) => {}
                }
                path.truncate(len);
            }
        }
        _ => out.push(change(path, ChangeKind::Changed, Some(before), Some(after))),
    }
}

fn change(path: &str, kind: ChangeKind, before: Option<&Value>, after: Option<&Value>) -> Change {
    Change {
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        kind,
        before: before.cloned(),
        after: after.cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_each_difference_by_pointer() {
        let a = json!({"a": 1, "b": {"c": [1, 2], "d/e": "x"}, "gone": true});
        let b = json!({"a": 2, "b": {"c": [1], "d/e": "x"}, "new": null});
        let got: Vec<(String, ChangeKind)> =
            diff(&a, &b).into_iter().map(|c| (c.path, c.kind)).collect();
        assert_eq!(
            got,
            [
                ("/a".into(), ChangeKind::Changed),
                ("/b/c/1".into(), ChangeKind::Removed),
                ("/gone".into(), ChangeKind::Removed),
                ("/new".into(), ChangeKind::Added),
            ]
        );
        assert!(diff(&a, &a).is_empty());
        assert_eq!(diff(&json!(1), &json!("1"))[0].path, "/");
    }
}
