//! formcheck: reviews side-view videos of barbell deadlifts.
//!
//! The pipeline, one module per stage with plain data between them:
//! [`video`] (decode) → [`pose`] (BlazePose) → [`kinematics`] (angles, filters, back shape) →
//! [`reps`] → [`faults`] → [`outputs`]. [`analyze::analyze_video`] runs it for one file and
//! reads like the graph; [`batch`] runs many.

pub mod analyze;
pub mod bar;
pub mod batch;
pub mod config;
pub mod data_dir;
pub mod doctor;
pub mod error;
#[cfg(feature = "eval")]
pub mod eval;
pub mod faults;
pub mod kinematics;
pub mod outputs;
pub mod pass;
pub mod pose;
pub mod progress;
pub mod reps;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod video;
pub mod view;

/// The stage order: a module may use only modules of a lower rank (and itself). Each stage
/// owns its config section; `config` puts them together, so it sits above the stages. The
/// test kit is a test tool and stands outside.
#[cfg(test)]
const STAGE_RANK: &[(&str, u32)] = &[
    ("error", 0),
    ("data_dir", 0),
    ("video", 1),
    ("pose", 1),
    ("kinematics", 2),
    ("bar", 3),
    ("reps", 4),
    ("view", 5),
    ("faults", 6),
    ("config", 7),
    ("pass", 8),
    ("analyze", 9),
    ("outputs", 10),
    ("progress", 10),
    ("batch", 11),
    ("eval", 12),
    ("doctor", 12),
];

#[cfg(test)]
mod module_graph {
    use super::STAGE_RANK;

    fn rank(module: &str) -> Option<u32> {
        STAGE_RANK
            .iter()
            .find(|(m, _)| *m == module)
            .map(|(_, r)| *r)
    }

    /// `crate::x` uses in the product code of a file: comments and test-only items left out.
    fn uses(source: &str) -> Vec<String> {
        let product = source.split("#[cfg(test)]\nmod ").next().unwrap_or("");
        let mut out = Vec::new();
        let mut skip_next = false;
        for line in product.lines().map(str::trim) {
            if line.starts_with("//") {
                continue;
            }
            if line.starts_with("#[cfg(test)]") {
                skip_next = true;
                continue;
            }
            if std::mem::take(&mut skip_next) {
                continue;
            }
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        }
        out
    }

    #[test]
    fn every_import_points_down_the_pipeline() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut wrong = Vec::new();
        let mut files = 0;
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.expect("src is readable");
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).expect("under src");
            let module = rel
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .map(|s| s.trim_end_matches(".rs").to_string())
                .unwrap_or_default();
            if ["lib", "main", "bin", "testkit"].contains(&module.as_str()) {
                continue;
            }
            let Some(own) = rank(&module) else {
                wrong.push(format!(
                    "{}: module `{module}` has no stage rank",
                    rel.display()
                ));
                continue;
            };
            files += 1;
            let source = std::fs::read_to_string(path).expect("readable source");
            for used in uses(&source) {
                if used == module {
                    continue;
                }
                match rank(&used) {
                    Some(r) if r < own => {}
                    _ => wrong.push(format!("{} uses crate::{used}", rel.display())),
                }
            }
        }
        assert!(files > 30, "only {files} files read");
        assert!(
            wrong.is_empty(),
            "imports against the pipeline:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn test_code_and_comments_are_not_imports() {
        let s = "use crate::a::B;\n// crate::z\n#[cfg(test)]\nuse crate::y;\n\
                 fn f() { crate::c::d() }\n#[cfg(test)]\nmod tests { use crate::x; }";
        assert_eq!(uses(s), ["a", "c"]);
    }
}
