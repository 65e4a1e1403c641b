//! Reading request bodies field by field, collecting one issue per bad field.
//!
//! Handlers parse the body to a `serde_json::Value` first (syntax errors are a 400), then
//! walk it with `Fields` so that every missing, mistyped or invalid field is reported at
//! once with its dotted path, instead of stopping at serde's first complaint.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::problem::Issue;

/// Collects issues while fields are read.
#[derive(Debug, Default)]
pub struct Issues(pub Vec<Issue>);

impl Issues {
    pub fn add(
        &mut self,
        name: impl Into<String>,
        value: Option<&Value>,
        detail: impl Into<String>,
    ) {
        self.0.push(Issue::body(name, value, detail));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when no issue was found, else a 422 carrying all of them.
    pub fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Invalid { issues: self.0 })
        }
    }
}

/// Requires the body to be a JSON object (a 400 otherwise: nothing can be read from it).
pub fn body_object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.as_object().ok_or_else(|| ApiError::Malformed {
        detail: format!(
            "the request body must be a JSON object, not {}",
            kind_of(body)
        ),
        issues: vec![],
    })
}

/// A view on one JSON object at a dotted path (`""` for the body itself).
pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>) -> Self {
        Fields {
            obj,
            prefix: String::new(),
        }
    }

    pub fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{}", self.prefix, key)
        }
    }

    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.raw(key).is_some()
    }

    /// Flags every key not in `allowed`.
    pub fn reject_unknown(&self, allowed: &[&str], issues: &mut Issues, what: &str) {
        for (key, value) in self.obj {
            if !allowed.contains(&key.as_str()) {
                issues.add(
                    self.path(key),
                    Some(value),
                    format!("is not a field of {what}"),
                );
            }
        }
    }

    pub fn string(&self, key: &str, required: bool, issues: &mut Issues) -> Option<String> {
        match self.raw(key) {
            None => {
                if required {
                    issues.add(self.path(key), None, "is required");
                }
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                issues.add(
                    self.path(key),
                    Some(other),
                    format!("must be a string, not {}", kind_of(other)),
                );
                None
            }
        }
    }

    /// An optional boolean.
    pub fn bool(&self, key: &str, issues: &mut Issues) -> Option<bool> {
        match self.raw(key) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                issues.add(
                    self.path(key),
                    Some(other),
                    format!("must be true or false, not {}", kind_of(other)),
                );
                None
            }
        }
    }

    pub fn object(&self, key: &str, required: bool, issues: &mut Issues) -> Option<Fields<'a>> {
        match self.raw(key) {
            None => {
                if required {
                    issues.add(self.path(key), None, "is required");
                }
                None
            }
            Some(Value::Object(obj)) => Some(Fields {
                obj,
                prefix: self.path(key),
            }),
            Some(other) => {
                issues.add(
                    self.path(key),
                    Some(other),
                    format!("must be an object, not {}", kind_of(other)),
                );
                None
            }
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.obj.iter()
    }
}

/// A whole number however JSON spells it: `7` and `7.0` are the same number (JSON Schema's
/// `integer` admits both), `7.5` and non-numbers are not.
pub fn whole_number(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// A JSON type name for error messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
