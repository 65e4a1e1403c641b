use super::*;

/// A manifest in the shape of the read-actions page's examples.
const GOOD: &str = r#"specVersion: 1.0.0
integrations:
  - name: readHubspot
    displayName: HubSpot
    provider: hubspot
    read:
      objects:
        - objectName: contact
          destination: contactWebhook
          schedule: "*/10 * * * *" # every 10 minutes
          requiredFields:
            - fieldName: firstname
            - fieldName: email
            - mapToName: stage
              mapToDisplayName: Stage
              prompt: Which field holds the stage?
          optionalFieldsAuto: all
          backfill:
            defaultPeriod:
              days: 30
        - objectName: lineItem
          destination: lineItemWebhook
          schedule: "0 * * * *"
          delivery:
            mode: onRequest
            pageSize: 100
"#;

fn errors(text: &str) -> Vec<(String, usize, usize, String)> {
    validate_manifest(text)
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| (i.path, i.line, i.column, i.rule))
        .collect()
}

/// `GOOD` with `from` replaced by `to` (which must occur once).
fn with(from: &str, to: &str) -> String {
    assert_eq!(GOOD.matches(from).count(), 1, "{from}");
    GOOD.replace(from, to)
}

#[test]
fn the_documented_shape_deploys_clean() {
    assert_eq!(validate_manifest(GOOD), vec![]);
}

#[test]
fn each_rule_names_its_place() {
    // (replace, with) → (path, line, column, rule): lines and columns of GOOD, 1-based.
    let cases = [
        (
            "specVersion: 1.0.0",
            "specVersion: 2.0.0",
            "specVersion",
            1,
            14,
            "spec-version",
        ),
        (
            r#"schedule: "*/10 * * * *" # every 10 minutes"#,
            r#"schedule: "*/5 * * * *""#,
            "integrations[0].read.objects[0].schedule",
            10,
            21,
            "schedule",
        ),
        (
            "objectName: lineItem",
            "objectName: contact",
            "integrations[0].read.objects[1].objectName",
            21,
            23,
            "duplicate-object",
        ),
        (
            "pageSize: 100",
            "pageSize: 10",
            "integrations[0].read.objects[1].delivery.pageSize",
            26,
            23,
            "delivery",
        ),
        (
            "optionalFieldsAuto: all",
            "optionalFieldsAuto: some",
            "integrations[0].read.objects[0].optionalFieldsAuto",
            17,
            31,
            "optional-fields-auto",
        ),
        (
            "days: 30",
            "days: -1",
            "integrations[0].read.objects[0].backfill.defaultPeriod.days",
            20,
            21,
            "backfill-period",
        ),
        (
            "- fieldName: email",
            "- fieldName: email\n              prompt: Why?",
            "integrations[0].read.objects[0].requiredFields[1].prompt",
            14,
            23,
            "field",
        ),
    ];
    for (from, to, path, line, column, rule) in cases {
        assert_eq!(
            errors(&with(from, to)),
            vec![(path.to_string(), line, column, rule.to_string())],
            "{path}"
        );
    }
}

#[test]
fn missing_parts_are_required() {
    let got = errors("specVersion: 1.0.0\nintegrations: []\n");
    assert_eq!(got[0].0, "integrations");
    let got = errors("specVersion: 1.0.0\nintegrations:\n  - displayName: x\n");
    let paths: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "integrations[0].name",
            "integrations[0].provider",
            "integrations[0]"
        ]
    );
    let got = errors(&with("          destination: lineItemWebhook\n", ""));
    assert_eq!(got[0].0, "integrations[0].read.objects[1].destination");
    assert_eq!(got[0].3, "required");
}

#[test]
fn unknown_keys_and_large_backfills_are_warnings() {
    let text = with("days: 30", "fullHistory: true")
        .replace("provider: hubspot", "provider: hubspot\n    colour: blue");
    let issues = validate_manifest(&text);
    assert!(
        issues.iter().all(|i| i.severity == Severity::Warning),
        "{issues:?}"
    );
    let rules: Vec<&str> = issues.iter().map(|i| i.rule.as_str()).collect();
    assert_eq!(rules, ["unknown-key", "large-backfill"]);
}

#[test]
fn broken_yaml_is_one_positioned_issue() {
    let issues = validate_manifest("specVersion: 1.0.0\nintegrations: [\n");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].rule, "yaml");
    assert!(issues[0].line >= 2, "{issues:?}");
}

/// Found by fuzzing (the `manifest` target): YAML ends a line at a
/// lone `\r` too, and so do positions: an issue's line is counted as the editor counts it.
#[test]
fn lone_carriage_returns_end_lines_in_positions() {
    let text = "specVersion: 1.0.0\r\rintegrations:\r  - name: x\r    provider: y\r    read:\r      objects: nope: [\r";
    let issues = validate_manifest(text);
    let lines = text.split('\r').count();
    assert!(!issues.is_empty());
    for i in &issues {
        assert!(i.line >= 1 && i.line <= lines, "{i:?}");
    }
    assert!(issues.iter().any(|i| i.line > 1), "{issues:?}");
}
