//! `analysis.json` follows its JSON Schema, derived from the types (`schemars`) and shipped as
//! `schema/analysis.schema.json`; every written file is validated with `jsonschema`.

use std::path::Path;

use formcheck::config::Config;
use formcheck::outputs;
use serde_json::Value;

fn written_analysis(clip: &formcheck::analyze::ClipAnalysis) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    outputs::write_data_files(clip, &Config::default(), tmp.path()).unwrap();
    serde_json::from_str(&std::fs::read_to_string(tmp.path().join("analysis.json")).unwrap())
        .unwrap()
}

fn errors(v: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(&outputs::json::schema()).expect("a valid schema");
    validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn the_shipped_schema_is_the_one_derived_from_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/analysis.schema.json");
    let shipped: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        shipped,
        outputs::json::schema(),
        "schema/analysis.schema.json is stale: cargo run --release --example write_schema"
    );
}

#[test]
fn analysis_json_matches_its_schema() {
    let mut clip = formcheck::testkit::fixture::demo_clip(Path::new("x.mp4"), 640, 360, 30.0, 120);
    let e = errors(&written_analysis(&clip));
    assert!(e.is_empty(), "{e:#?}");
    // and the shape of a clip without a lifter: no reps, no faults, no plate, no mid-foot
    clip.analysis.reps.clear();
    clip.analysis.faults.clear();
    clip.analysis.bar.plate = None;
    clip.analysis.bar.midfoot_x_px = None;
    clip.analysis.pose.message = Some("no person found in any frame".into());
    let e = errors(&written_analysis(&clip));
    assert!(e.is_empty(), "{e:#?}");
}

#[test]
fn the_validator_catches_a_wrong_file() {
    let clip = formcheck::testkit::fixture::demo_clip(Path::new("x.mp4"), 640, 360, 30.0, 120);
    let mut v = written_analysis(&clip);
    v["faults"][0]["confidence"] = Value::from(1.5);
    v["reps"][0]["index"] = Value::from("one");
    v.as_object_mut().unwrap().remove("view");
    let e = errors(&v);
    assert_eq!(e.len(), 3, "{e:#?}");
}
