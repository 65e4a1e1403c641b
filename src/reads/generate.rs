//! Sample records for a read object: plausible values for the manifest's field names
//! (emails for `email`, names for `firstname`, dates for `…date`/`…At`, …), padded to about
//! the size asked for, each with an `id` and an `updatedAt`.

use serde_json::{Map, Value};

use crate::model::integration::ReadObjectSpec;
use crate::time::to_rfc3339;

const FIRST: &[&str] = &[
    "Sally", "Taylor", "Ana", "Kenji", "Priya", "Omar", "Lena", "Marco",
];
const LAST: &[&str] = &[
    "Jones", "Lao", "Silva", "Tanaka", "Patel", "Haddad", "Berg", "Rossi",
];
const COMPANIES: &[&str] = &["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"];

/// Every provider field the manifest names for `spec` (fields and mapping defaults).
pub fn field_names(spec: &ReadObjectSpec) -> Vec<String> {
    let mut names: Vec<String> = spec.declared_fields().map(|(n, _)| n.to_string()).collect();
    for (m, _) in spec.declared_mappings() {
        if let Some(Value::String(d)) = &m.default {
            if !names.contains(d) {
                names.push(d.clone());
            }
        }
    }
    names
}

/// The `i`th sample record: `(id, updateTime ms, JSON)`.
pub fn sample_record(fields: &[String], i: u64, bytes: usize, now: i64) -> (String, i64, String) {
    let id = format!("rec-{i:08}");
    // Spread over the last 30 days, newest last.
    let update_time = now - ((1_000_000 - (i % 1_000_000)) as i64 * 2_592);
    let mut record = Map::new();
    record.insert("id".into(), Value::String(id.clone()));
    record.insert("updatedAt".into(), Value::String(to_rfc3339(update_time)));
    for f in fields {
        if f == "id" {
            continue;
        }
        record.insert(f.clone(), value_for(f, i, update_time));
    }
    let mut json = Value::Object(record.clone()).to_string();
    if json.len() + 20 < bytes {
        record.insert(
            "description".into(),
            Value::String(filler(bytes - json.len() - 20, i)),
        );
        json = Value::Object(record).to_string();
    }
    (id, update_time, json)
}

fn value_for(field: &str, i: u64, time: i64) -> Value {
    let f = field.to_ascii_lowercase();
    let first = FIRST[(i % FIRST.len() as u64) as usize];
    let last = LAST[((i / 8) % LAST.len() as u64) as usize];
    let company = COMPANIES[(i % COMPANIES.len() as u64) as usize];
    let text = if f.contains("email") {
        format!(
            "{}.{}{i}@{}.example",
            first.to_lowercase(),
            last.to_lowercase(),
            company.to_lowercase()
        )
    } else if f.contains("first") {
        first.to_string()
    } else if f.contains("last") {
        last.to_string()
    } else if f.contains("phone") || f.contains("fax") {
        format!("+1-555-{:04}", i % 10_000)
    } else if f.contains("company") || f.contains("account") {
        company.to_string()
    } else if f.contains("date") || f.ends_with("at") || f.contains("time") {
        to_rfc3339(time)
    } else if f.contains("amount") || f.contains("count") || f.contains("number") {
        return Value::from((i * 37) % 100_000);
    } else if f.contains("name") {
        format!("{first} {last}")
    } else {
        format!("{field}-{i}")
    };
    Value::String(text)
}

fn filler(len: usize, i: u64) -> String {
    const WORDS: &str =
        "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";
    let start = (i as usize * 7) % WORDS.len();
    WORDS.chars().cycle().skip(start).take(len).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_have_the_fields_and_about_the_size() {
        let fields = vec![
            "id".to_string(),
            "email".into(),
            "firstname".into(),
            "amount".into(),
        ];
        let (id, _, json) = sample_record(&fields, 42, 1000, 1_800_000_000_000);
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["id"], id);
        assert!(v["email"].as_str().unwrap().contains('@'));
        assert!(v["amount"].is_number());
        assert!((980..=1000).contains(&json.len()), "{}", json.len());
    }
}
