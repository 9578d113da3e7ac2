//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared` beside the checkout (CI has it). Tests that need it print that they skip.
pub fn shared_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared");
    if p.join("models").is_dir() {
        Some(p)
    } else {
        None
    }
}

/// Returns the shared folder or prints a clear skip line (the caller returns).
pub fn shared_or_skip(test: &str) -> Option<PathBuf> {
    let s = shared_dir();
    if s.is_none() {
        // CI always has ../shared: there a missing one is a failure, never a silent skip
        assert!(
            std::env::var_os("FORMCHECK_REQUIRE_SHARED").is_none_or(|v| v != "1"),
            "{test}: ../shared is required (FORMCHECK_REQUIRE_SHARED=1) but not present"
        );
        eprintln!("SKIPPED {test}: ../shared is not present (it holds the real clips, renders and golden files)");
    }
    s
}

pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_formcheck"))
}

/// Runs `formcheck analyze INPUTS... --out OUT EXTRA...`; gives the exit code and stderr.
pub fn analyze(inputs: &[&Path], out: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let r = std::process::Command::new(bin())
        .arg("analyze")
        .args(inputs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run formcheck");
    assert_results_match_the_schema(out);
    (
        r.status.code(),
        String::from_utf8_lossy(&r.stderr).to_string(),
    )
}

/// Every `analysis.json` under `out` follows the schema derived from the types.
pub fn assert_results_match_the_schema(out: &Path) {
    let validator =
        jsonschema::validator_for(&formcheck::outputs::json::schema()).expect("a valid schema");
    for entry in walkdir::WalkDir::new(out).into_iter().flatten() {
        if entry.file_name() != "analysis.json" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("readable analysis.json");
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", entry.path().display());
    }
}
