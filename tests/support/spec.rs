//! Checks JSON against the reference Ampersand OpenAPI documents, so tests can assert that
//! what Switchboard sends and serves has the shape Ampersand's spec gives.
//!
//! The YAML files are read from `../shared/reference/ampersand-openapi/` beside the crate
//! (override with `SWITCHBOARD_OPENAPI_DIR`), parsed with `serde_norway` (a maintained fork of
//! the deprecated `serde_yaml`, same API), and every `components.schemas` entry of every file
//! is turned into JSON Schema 2020-12 under `$defs` as `<file stem>.<Name>` (for example
//! `problem.InputValidationProblem`). `$ref`s are rewritten to point there, including
//! cross-file ones such as `../problem/problem.yaml#/components/schemas/ApiProblem`, which are
//! looked up by file name in the same folder. OpenAPI 3.0 quirks are converted: `nullable`
//! adds `null` to the type, boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers,
//! `example`, `x-*`, `discriminator`, `xml` and `externalDocs` are dropped, siblings of a
//! `$ref` are ignored (as OpenAPI 3.0 says), and only the `date-time` and `email` formats are
//! enforced (Ampersand's own examples break `uri`; `int32` is not a JSON Schema format).
//! Validation uses the `jsonschema` crate.

#![allow(dead_code)] // Each test binary uses only some of these helpers.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Map, Value};

/// Formats that are checked; every other `format` is dropped before validation.
const ENFORCED_FORMATS: &[&str] = &["date-time", "email"];

/// Schema keys that carry no constraint in JSON Schema or mean something else there.
const DROPPED_KEYS: &[&str] = &[
    "example",
    "discriminator",
    "xml",
    "externalDocs",
    "nullable",
];

/// The folder holding the reference OpenAPI YAML files.
pub fn spec_dir() -> PathBuf {
    match std::env::var_os("SWITCHBOARD_OPENAPI_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/ampersand-openapi"),
    }
}

/// Every reference document, by file name (`"management-api.yaml"`), as JSON.
pub fn documents() -> &'static BTreeMap<String, Value> {
    static DOCS: OnceLock<BTreeMap<String, Value>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let dir = spec_dir();
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "cannot read the reference OpenAPI folder {}: {e} \
                 (shared/ must sit beside the repository, or set SWITCHBOARD_OPENAPI_DIR)",
                dir.display()
            )
        });
        let mut docs = BTreeMap::new();
        for entry in entries {
            let path = entry.expect("readable folder entry").path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                let yaml: serde_norway::Value = serde_norway::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
                docs.insert(file_name(&path), yaml_to_json(yaml));
            }
        }
        docs
    })
}

/// One reference document as JSON; panics if there is no such file.
pub fn document(file: &str) -> &'static Value {
    documents().get(file).unwrap_or_else(|| {
        panic!(
            "no reference document {file:?} in {} (have: {:?})",
            spec_dir().display(),
            documents().keys().collect::<Vec<_>>()
        )
    })
}

/// A self-contained JSON Schema for `components.schemas.<schema_name>` of `file`.
pub fn schema(file: &str, schema_name: &str) -> Value {
    let key = def_key(file, schema_name);
    assert!(
        defs().contains_key(&key),
        "{file} has no schema {schema_name:?} under components.schemas"
    );
    root(json!({ "$ref": format!("#/$defs/{key}") }))
}

/// A self-contained JSON Schema for the body of a response, e.g.
/// `response_schema("management-api.yaml", "/projects/{projectIdOrName}/topics", "post", "201")`.
/// `status` is the key in the spec: `"200"`, `"default"`, …
pub fn response_schema(file: &str, path: &str, method: &str, status: &str) -> Value {
    let op = operation(file, path, method);
    let response = op["responses"].get(status).unwrap_or_else(|| {
        let have: Vec<_> = op["responses"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .collect();
        panic!("{method} {path} in {file} has no response {status:?} (have: {have:?})")
    });
    let response = resolve_local(file, response);
    let schema = media_schema(response, &format!("{method} {path} response {status}"));
    root(convert_schema(file, schema))
}

/// A self-contained JSON Schema for the request body of an operation.
pub fn request_schema(file: &str, path: &str, method: &str) -> Value {
    let op = operation(file, path, method);
    let body = op
        .get("requestBody")
        .unwrap_or_else(|| panic!("{method} {path} in {file} has no requestBody"));
    let body = resolve_local(file, body);
    let schema = media_schema(body, &format!("{method} {path} request body"));
    root(convert_schema(file, schema))
}

/// The violations of `instance` against `schema`, one readable line each; empty when valid.
pub fn violations(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = cached(schema.to_string(), || schema.clone());
    violations_with(&validator, instance)
}

/// Panics with every violation when `instance` does not match `schema`.
pub fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    report(what, instance, violations(schema, instance));
}

/// Panics with every violation when `instance` does not match `components.schemas.<schema_name>`
/// of `file`, e.g. `assert_matches("management-api.yaml", "Destination", &body)`.
pub fn assert_matches(file: &str, schema_name: &str, instance: &Value) {
    let validator = cached(format!("schema {file} {schema_name}"), || {
        schema(file, schema_name)
    });
    report(
        &format!("{file} {schema_name}"),
        instance,
        violations_with(&validator, instance),
    );
}

/// Panics with every violation when `instance` does not match the response body schema.
pub fn assert_response_matches(
    file: &str,
    path: &str,
    method: &str,
    status: &str,
    instance: &Value,
) {
    let what = format!("{file} {method} {path} {status}");
    let validator = cached(format!("response {what}"), || {
        response_schema(file, path, method, status)
    });
    report(&what, instance, violations_with(&validator, instance));
}

/// Panics with every violation when `instance` does not match the request body schema.
pub fn assert_request_matches(file: &str, path: &str, method: &str, instance: &Value) {
    let what = format!("{file} {method} {path} request");
    let validator = cached(format!("request {what}"), || {
        request_schema(file, path, method)
    });
    report(&what, instance, violations_with(&validator, instance));
}

/// An `example` (or `examples.*.value`) given in a spec, with the schema it illustrates.
#[derive(Clone, Debug)]
pub struct SpecExample {
    /// Where in the document the example sits, as a JSON pointer.
    pub location: String,
    pub schema: Value,
    pub value: Value,
}

/// Every example in `file`: on component schemas and their nested properties, and on the
/// schemas, parameters and media types of its operations.
pub fn examples(file: &str) -> Vec<SpecExample> {
    let doc = document(file);
    let mut found = Vec::new();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, raw) in schemas {
            let base = format!("#/$defs/{}", def_key(file, name));
            let location = format!("/components/schemas/{name}");
            collect_schema_examples(raw, &location, &mut |sub_pointer, at, value| {
                found.push(SpecExample {
                    location: at.to_owned(),
                    schema: root(json!({ "$ref": format!("{base}{sub_pointer}") })),
                    value: value.clone(),
                });
            });
        }
    }
    if let Some(paths) = doc.get("paths") {
        collect_operation_examples(file, paths, "/paths", &mut found);
    }
    found
}

// ---------------------------------------------------------------------------------------------

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("odd file name {}", path.display()))
        .to_owned()
}

fn def_key(file: &str, name: &str) -> String {
    let stem = file
        .strip_suffix(".yaml")
        .or_else(|| file.strip_suffix(".yml"))
        .unwrap_or(file);
    format!("{stem}.{name}")
}

/// YAML keys such as `200:` are numbers; JSON keys are strings.
fn yaml_to_json(value: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        other => panic!("unsupported YAML mapping key {other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// All component schemas of all files, converted, keyed by [`def_key`].
fn defs() -> &'static Map<String, Value> {
    static DEFS: OnceLock<Map<String, Value>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let mut defs = Map::new();
        for (file, doc) in documents() {
            if let Some(schemas) = doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
            {
                for (name, schema) in schemas {
                    defs.insert(def_key(file, name), convert_schema(file, schema));
                }
            }
        }
        defs
    })
}

/// Makes `schema` self-contained: adds `$schema` and the `$defs` it reaches through `$ref`s
/// (only those, which keeps compiling cheap and failure output short).
fn root(mut schema: Value) -> Value {
    let mut reached = Map::new();
    let mut pending = Vec::new();
    collect_refs(&schema, &mut pending);
    while let Some(key) = pending.pop() {
        if reached.contains_key(&key) {
            continue;
        }
        let def = defs()
            .get(&key)
            .unwrap_or_else(|| panic!("dangling $ref to {key:?}"));
        collect_refs(def, &mut pending);
        reached.insert(key, def.clone());
    }
    if let Value::Object(map) = &mut schema {
        map.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        map.insert("$defs".into(), Value::Object(reached));
    }
    schema
}

/// The `$defs` keys that `value` refers to.
fn collect_refs(value: &Value, keys: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => {
                        if let Some(rest) = r.strip_prefix("#/$defs/") {
                            keys.push(rest.split('/').next().unwrap_or(rest).to_owned());
                        }
                    }
                    _ => collect_refs(v, keys),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, keys)),
        _ => {}
    }
}

/// Turns one OpenAPI 3.0 schema of `file` into JSON Schema 2020-12 (see the module doc).
fn convert_schema(file: &str, schema: &Value) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
        // A document the reference set does not ship (api.yaml points into the catalog):
        // nothing is known of that schema, so it accepts anything.
        if refers_to_unshipped(reference) {
            return json!({});
        }
        return json!({ "$ref": rewrite_ref(file, reference) });
    }
    let mut out = Map::new();
    for (key, value) in obj {
        if DROPPED_KEYS.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = match key.as_str() {
            "properties" | "patternProperties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, sub)| (name.clone(), convert_schema(file, sub)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => convert_schema(file, value),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|sub| convert_schema(file, sub))
                    .collect(),
            ),
            "format"
                if !value
                    .as_str()
                    .is_some_and(|f| ENFORCED_FORMATS.contains(&f)) =>
            {
                continue
            }
            "exclusiveMaximum" | "exclusiveMinimum" if value.is_boolean() => continue,
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    for (flag, bound) in [
        ("exclusiveMaximum", "maximum"),
        ("exclusiveMinimum", "minimum"),
    ] {
        if obj.get(flag) == Some(&Value::Bool(true)) {
            if let Some(limit) = out.remove(bound) {
                out.insert(flag.into(), limit);
            }
        }
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(t)) = out.get("type").cloned() {
            out.insert("type".into(), json!([t, "null"]));
        }
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
        }
    }
    Value::Object(out)
}

/// True when `reference` points into another file that is not among the documents.
fn refers_to_unshipped(reference: &str) -> bool {
    let target = reference.split_once('#').map_or(reference, |(t, _)| t);
    !target.is_empty() && !documents().contains_key(&file_name(Path::new(target)))
}

/// `#/components/schemas/X` of `file`, or `../dir/other.yaml#/components/schemas/X`, becomes
/// `#/$defs/<stem>.X`; a deeper pointer into the schema is kept after it.
fn rewrite_ref(file: &str, reference: &str) -> String {
    let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
    let target_file = if target.is_empty() {
        file.to_owned()
    } else {
        let name = file_name(Path::new(target));
        assert!(
            documents().contains_key(&name),
            "{file} refers to {reference:?}, but there is no {name} in {}",
            spec_dir().display()
        );
        name
    };
    let rest = pointer
        .strip_prefix("/components/schemas/")
        .unwrap_or_else(|| {
            panic!("{file}: unsupported $ref {reference:?} (only components/schemas)")
        });
    let (name, deeper) = rest.split_once('/').map_or((rest, ""), |(n, d)| (n, d));
    let deeper = if deeper.is_empty() {
        String::new()
    } else {
        format!("/{deeper}")
    };
    format!("#/$defs/{}{deeper}", def_key(&target_file, name))
}

fn operation(file: &str, path: &str, method: &str) -> &'static Value {
    let paths = &document(file)["paths"];
    let item = paths.get(path).unwrap_or_else(|| {
        let have: Vec<_> = paths
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .collect();
        panic!("{file} has no path {path:?} (have: {have:#?})")
    });
    let method = method.to_ascii_lowercase();
    item.get(&method)
        .unwrap_or_else(|| panic!("{file} has no {method} operation on {path}"))
}

/// Follows a `$ref` to `#/components/...` of the same document (responses, request bodies).
fn resolve_local<'a>(file: &str, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{file}: unsupported non-local $ref {reference:?}"));
            document(file)
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{file}: dangling $ref {reference:?}"))
        }
        None => value,
    }
}

/// The schema of a response or request body: JSON, else problem+json, else the only one.
fn media_schema<'a>(holder: &'a Value, what: &str) -> &'a Value {
    let content = holder
        .get("content")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{what} has no content"));
    let media = ["application/json", "application/problem+json"]
        .iter()
        .find_map(|t| content.get(*t))
        .or_else(|| {
            (content.len() == 1)
                .then(|| content.values().next())
                .flatten()
        })
        .unwrap_or_else(|| {
            panic!(
                "{what}: pick one of {:?}",
                content.keys().collect::<Vec<_>>()
            )
        });
    media
        .get("schema")
        .unwrap_or_else(|| panic!("{what} has no schema"))
}

type Validator = jsonschema::Validator;

fn compile(schema: &Value) -> Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("the converted schema does not compile: {e}"))
}

/// Validators are compiled once per test binary and schema; compiling all `$defs` costs
/// more than validating.
fn cached(id: String, make: impl FnOnce() -> Value) -> Arc<Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return v.clone();
    }
    let validator = Arc::new(compile(&make()));
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, validator.clone());
    validator
}

fn violations_with(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() {
                "(root)".to_owned()
            } else {
                at
            };
            format!("{at}: {e}")
        })
        .collect()
}

fn report(what: &str, instance: &Value, violations: Vec<String>) {
    if violations.is_empty() {
        return;
    }
    let instance = serde_json::to_string_pretty(instance).unwrap_or_default();
    panic!(
        "JSON does not match {what}:\n  - {}\nJSON:\n{instance}",
        violations.join("\n  - ")
    );
}

/// Walks a raw schema, calling `found(pointer within the schema, document location, example)`.
fn collect_schema_examples(
    schema: &Value,
    location: &str,
    found: &mut dyn FnMut(&str, &str, &Value),
) {
    fn walk(schema: &Value, sub: &str, location: &str, found: &mut dyn FnMut(&str, &str, &Value)) {
        let Some(obj) = schema.as_object() else {
            return;
        };
        if obj.contains_key("$ref") {
            return; // Siblings of `$ref` are ignored in OpenAPI 3.0.
        }
        if let Some(example) = obj.get("example") {
            found(sub, &format!("{location}{sub}"), example);
        }
        for key in ["properties", "patternProperties"] {
            for (name, child) in obj
                .get(key)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                walk(
                    child,
                    &format!("{sub}/{key}/{}", escape(name)),
                    location,
                    found,
                );
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = obj.get(key) {
                walk(child, &format!("{sub}/{key}"), location, found);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for (i, child) in obj
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                walk(child, &format!("{sub}/{key}/{i}"), location, found);
            }
        }
    }
    walk(schema, "", location, found);
}

/// Finds every object under `paths` that has a `schema` and collects the examples in that
/// schema and beside it (`example`, `examples.*.value` of parameters and media types).
fn collect_operation_examples(
    file: &str,
    value: &Value,
    location: &str,
    found: &mut Vec<SpecExample>,
) {
    match value {
        Value::Object(obj) => {
            if let Some(raw) = obj.get("schema") {
                let schema = root(convert_schema(file, raw));
                let schema_location = format!("{location}/schema");
                collect_schema_examples(raw, &schema_location, &mut |sub, at, example| {
                    let mut s = schema.clone();
                    if !sub.is_empty() {
                        s = root(s.pointer(sub).cloned().unwrap_or(Value::Bool(true)));
                    }
                    found.push(SpecExample {
                        location: at.to_owned(),
                        schema: s,
                        value: example.clone(),
                    });
                });
                if let Some(example) = obj.get("example") {
                    found.push(SpecExample {
                        location: format!("{location}/example"),
                        schema: schema.clone(),
                        value: example.clone(),
                    });
                }
                for (name, ex) in obj
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if let Some(v) = ex.get("value") {
                        found.push(SpecExample {
                            location: format!("{location}/examples/{}", escape(name)),
                            schema: schema.clone(),
                            value: v.clone(),
                        });
                    }
                }
            }
            for (key, child) in obj {
                if key != "schema" {
                    collect_operation_examples(
                        file,
                        child,
                        &format!("{location}/{}", escape(key)),
                        found,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_operation_examples(file, child, &format!("{location}/{i}"), found);
            }
        }
        _ => {}
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
