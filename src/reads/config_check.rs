//! An installation's config checked against its integration's latest revision: every read
//! object is one the manifest reads, selected fields exist among the object's fields (or
//! `optionalFieldsAuto: all` allows any), required fields are not deselected, mappings
//! target the manifest's `mapToName`s, and a schedule given here is valid. One issue per
//! problem, named by its path in the request (`config.content.read.objects.contact.…`).

use serde_json::Value;

use super::schedule::check_schedule;
use crate::model::installation::ConfigContent;
use crate::model::integration::ManifestIntegration;
use crate::problem::Issue;

/// Checks `content` (the request's `config.content`); `prefix` is its path in the request.
pub fn check_config(manifest: &ManifestIntegration, content: &Value, prefix: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut add = |path: String, value: Option<&Value>, detail: String| {
        issues.push(Issue::body(format!("{prefix}.{path}"), value, detail));
    };
    let typed: ConfigContent = match serde_json::from_value(content.clone()) {
        Ok(typed) => typed,
        Err(e) => {
            add(
                "read".into(),
                content.get("read"),
                format!("is not a read config: {e}"),
            );
            return issues;
        }
    };
    if let Some(provider) = &typed.provider {
        if provider != &manifest.provider {
            add(
                "provider".into(),
                content.get("provider"),
                format!(
                    "must be '{}', the integration's provider",
                    manifest.provider
                ),
            );
        }
    }
    let declared = manifest.read.clone().unwrap_or_default().objects;
    let raw_objects = content.pointer("/read/objects");
    for (key, object) in typed.read.unwrap_or_default().objects {
        let at = format!("read.objects.{key}");
        let raw = raw_objects.and_then(|o| o.get(&key));
        let name = if object.object_name.is_empty() {
            key.clone()
        } else {
            object.object_name.clone()
        };
        let Some(spec) = declared.iter().find(|o| o.object_name == name) else {
            add(
                format!("{at}.objectName"),
                raw.and_then(|r| r.get("objectName")),
                format!("'{name}' is not an object this integration reads"),
            );
            continue;
        };
        let auto = spec.optional_fields_auto.as_deref() == Some("all");
        let fields: Vec<(&str, bool)> = spec.declared_fields().collect();
        for (field, on) in &object.selected_fields {
            let known = fields.iter().find(|(f, _)| f == field);
            match known {
                None if !auto => add(
                    format!("{at}.selectedFields.{field}"),
                    Some(&Value::Bool(*on)),
                    format!("'{field}' is not a field of '{name}' in the manifest"),
                ),
                Some((_, true)) if !on => add(
                    format!("{at}.selectedFields.{field}"),
                    Some(&Value::Bool(*on)),
                    format!("'{field}' is a required field of '{name}' and is always read"),
                ),
                _ => {}
            }
        }
        if object
            .selected_fields_auto
            .as_deref()
            .is_some_and(|a| a != "all")
        {
            add(
                format!("{at}.selectedFieldsAuto"),
                raw.and_then(|r| r.get("selectedFieldsAuto")),
                "may only be 'all'".into(),
            );
        } else if object.selected_fields_auto.is_some() && !auto {
            add(
                format!("{at}.selectedFieldsAuto"),
                raw.and_then(|r| r.get("selectedFieldsAuto")),
                format!("'{name}' does not allow every field: its manifest has no optionalFieldsAuto: all"),
            );
        }
        let mappings: Vec<_> = spec.declared_mappings().collect();
        for (to, from) in &object.selected_field_mappings {
            if !mappings
                .iter()
                .any(|(m, _)| m.map_to_name.as_deref() == Some(to))
            {
                add(
                    format!("{at}.selectedFieldMappings.{to}"),
                    Some(&Value::String(from.clone())),
                    format!("'{to}' is not a mapToName of '{name}' in the manifest"),
                );
            } else if from.trim().is_empty() {
                add(
                    format!("{at}.selectedFieldMappings.{to}"),
                    Some(&Value::String(from.clone())),
                    "must name the provider field to map".into(),
                );
            }
        }
        for (m, required) in &mappings {
            let to = m.map_to_name.as_deref().unwrap_or_default();
            let has_default = m.default.as_ref().is_some_and(Value::is_string);
            if *required && !object.selected_field_mappings.contains_key(to) && !has_default {
                add(
                    format!("{at}.selectedFieldMappings"),
                    raw.and_then(|r| r.get("selectedFieldMappings")),
                    format!("the required mapping '{to}' of '{name}' needs a provider field"),
                );
            }
        }
        if let Some(schedule) = &object.schedule {
            if let Err(why) = check_schedule(schedule) {
                add(
                    format!("{at}.schedule"),
                    Some(&Value::String(schedule.clone())),
                    why,
                );
            }
        }
    }
    issues
}

/// Fills what the manifest decides when the config does not: each object's `objectName`,
/// and mappings left to their `default`.
pub fn complete_config(manifest: &ManifestIntegration, content: &mut Value) {
    let declared = manifest.read.clone().unwrap_or_default().objects;
    let Some(objects) = content
        .pointer_mut("/read/objects")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (key, object) in objects.iter_mut() {
        let Some(object) = object.as_object_mut() else {
            continue;
        };
        let name = object
            .get("objectName")
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string();
        object.insert("objectName".into(), Value::String(name.clone()));
        let Some(spec) = declared.iter().find(|o| o.object_name == name) else {
            continue;
        };
        let mappings = object
            .entry("selectedFieldMappings")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(mappings) = mappings.as_object_mut() {
            for (m, _) in spec.declared_mappings() {
                if let (Some(to), Some(Value::String(from))) = (&m.map_to_name, &m.default) {
                    mappings
                        .entry(to.clone())
                        .or_insert_with(|| Value::String(from.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest() -> ManifestIntegration {
        serde_json::from_value(json!({
            "name": "readContacts", "provider": "salesforce",
            "read": {"objects": [{
                "objectName": "contact", "destination": "hook", "schedule": "*/30 * * * *",
                "requiredFields": [{"fieldName": "id"}, {"mapToName": "pronoun", "default": "pronoun__c"}],
                "optionalFields": [{"fieldName": "phone"}, {"mapToName": "notes"}]
            }]}
        }))
        .unwrap()
    }

    #[test]
    fn a_good_config_passes_and_is_completed() {
        let mut content =
            json!({"read": {"objects": {"contact": {"selectedFields": {"phone": true}}}}});
        assert!(check_config(&manifest(), &content, "config.content").is_empty());
        complete_config(&manifest(), &mut content);
        assert_eq!(
            content["read"]["objects"]["contact"]["objectName"],
            "contact"
        );
        assert_eq!(
            content["read"]["objects"]["contact"]["selectedFieldMappings"]["pronoun"],
            "pronoun__c"
        );
    }

    #[test]
    fn each_mistake_is_named_by_its_path() {
        let content = json!({"provider": "hubspot", "read": {"objects": {
            "contact": {"selectedFields": {"fax": true, "id": false},
                        "selectedFieldMappings": {"nickname": "nick"}, "schedule": "* * * * *"},
            "lead": {"objectName": "lead"}
        }}});
        let names: Vec<String> = check_config(&manifest(), &content, "config.content")
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(
            names,
            [
                "config.content.provider",
                "config.content.read.objects.contact.selectedFields.fax",
                "config.content.read.objects.contact.selectedFields.id",
                "config.content.read.objects.contact.selectedFieldMappings.nickname",
                "config.content.read.objects.contact.schedule",
                "config.content.read.objects.lead.objectName",
            ]
        );
    }
}
