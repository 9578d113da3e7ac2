//! `analysis.json` follows `schema/analysis.schema.json`, checked with a small validator for
//! the part of JSON Schema the file uses (type, required, properties, items, enum, minimum,
//! maximum, local $ref).

use std::path::Path;

use formcheck::config::Config;
use formcheck::outputs;
use serde_json::Value;

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        _ => false,
    }
}

fn validate(schema: &Value, root: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(|r| r.as_str()) {
        let target = root
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("bad $ref {r}"));
        return validate(target, root, v, at, errors);
    }
    if let Some(t) = schema.get("type") {
        let ok = match t {
            Value::String(s) => type_ok(s, v),
            Value::Array(a) => a.iter().filter_map(|x| x.as_str()).any(|s| type_ok(s, v)),
            _ => true,
        };
        if !ok {
            errors.push(format!("{at}: {v} is not {t}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(|e| e.as_array()) {
        if !e.contains(v) {
            errors.push(format!("{at}: {v} not in {e:?}"));
        }
    }
    if let Some(x) = v.as_f64() {
        if let Some(m) = schema.get("minimum").and_then(|m| m.as_f64()) {
            if x < m {
                errors.push(format!("{at}: {x} < {m}"));
            }
        }
        if let Some(m) = schema.get("maximum").and_then(|m| m.as_f64()) {
            if x > m {
                errors.push(format!("{at}: {x} > {m}"));
            }
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            let key = r.as_str().unwrap();
            if !obj.contains_key(key) {
                errors.push(format!("{at}: missing {key}"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
            for (k, s) in props {
                if let Some(x) = obj.get(k) {
                    validate(s, root, x, &format!("{at}/{k}"), errors);
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(items, root, x, &format!("{at}/{i}"), errors);
        }
    }
}

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/analysis.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn written_analysis(clip: &formcheck::analyze::ClipAnalysis) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    outputs::write_data_files(clip, &Config::default(), tmp.path()).unwrap();
    serde_json::from_str(&std::fs::read_to_string(tmp.path().join("analysis.json")).unwrap())
        .unwrap()
}

#[test]
fn analysis_json_matches_its_schema() {
    let schema = schema();
    let mut clip = formcheck::testkit::fixture::demo_clip(Path::new("x.mp4"), 640, 360, 30.0, 120);
    let mut errors = Vec::new();
    validate(&schema, &schema, &written_analysis(&clip), "", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
    // and the shape main produces today: no reps, no faults, no plate, no mid-foot
    clip.analysis.reps.clear();
    clip.analysis.faults.clear();
    clip.analysis.bar.plate = None;
    clip.analysis.bar.midfoot_x_px = None;
    clip.analysis.pose.message = Some("no person found in any frame".into());
    let mut errors = Vec::new();
    validate(&schema, &schema, &written_analysis(&clip), "", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_validator_catches_a_wrong_file() {
    let schema = schema();
    let clip = formcheck::testkit::fixture::demo_clip(Path::new("x.mp4"), 640, 360, 30.0, 120);
    let mut v = written_analysis(&clip);
    v["faults"][0]["confidence"] = Value::from(1.5);
    v["video"]["rotation"] = Value::from(45);
    v.as_object_mut().unwrap().remove("view");
    let mut errors = Vec::new();
    validate(&schema, &schema, &v, "", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}
