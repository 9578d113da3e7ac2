//! Where formcheck finds its data: the ONNX models and the ONNX Runtime library.
//!
//! Owns the search order and the "not found" messages; reads no environment itself (the
//! binary reads it once and fills [`Hints`]). Nothing is compiled in, so a moved or installed
//! binary finds its data the same way wherever it sits:
//!
//! 1. what the user named: `--models-dir DIR` (the `.onnx` files), else `FORMCHECK_DATA=DIR`
//!    (a folder holding `models/` and `lib/`, like `PREFIX/share/formcheck`), else the older
//!    `FORMCHECK_MODELS=DIR` (the `.onnx` files). A named place is the only one looked at, so a
//!    typo is an error, never a silent fallback to other models.
//! 2. next to the executable: `<exe dir>/../share/formcheck/{models,lib}` (`scripts/install.sh`,
//!    the release tarball);
//! 3. the source tree the executable was built in, when it sits under a `target/` folder
//!    (`target/release/formcheck` → `../../models` and `../../.ort`).
//!
//! The ONNX Runtime library: `ORT_DYLIB_PATH` (a file) when set, else `FORMCHECK_DATA/lib`,
//! beside the models found (`../lib`, `../.ort`), then places 2 and 3.

use std::fmt;
use std::path::{Path, PathBuf};

/// File name of the ONNX Runtime shared library formcheck loads.
pub const ORT_LIBRARY: &str = "libonnxruntime.so.1.31.1";

/// A file every models folder holds; its presence marks a models folder.
const MARKER_MODEL: &str = "pose_detection.onnx";

/// What tells the search where to look; the binary fills it from its flags and environment.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// `--models-dir`
    pub models_dir: Option<PathBuf>,
    /// `FORMCHECK_DATA`
    pub data_dir: Option<PathBuf>,
    /// `FORMCHECK_MODELS` (older name; the models folder itself)
    pub models_env: Option<PathBuf>,
    /// `ORT_DYLIB_PATH`
    pub ort_library: Option<PathBuf>,
    /// The running executable (`std::env::current_exe`).
    pub exe: Option<PathBuf>,
}

impl Hints {
    /// Only the executable's own location: what the library falls back to when the binary did
    /// not resolve the paths (tests, examples).
    pub fn from_exe() -> Self {
        Hints {
            exe: std::env::current_exe().ok(),
            ..Hints::default()
        }
    }
}

/// One place looked at, and why it was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: PathBuf,
    pub source: &'static str,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.path.display(), self.source)
    }
}

/// The data a run needs, found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPaths {
    pub models_dir: PathBuf,
    /// Why this models folder was chosen (e.g. "next to the executable").
    pub models_source: &'static str,
    pub ort_library: PathBuf,
}

/// What to run when data is missing; the same words in every message.
pub const FIX: &str = "fix: in a formcheck checkout run `scripts/setup.sh` (fetches ONNX Runtime into .ort/ and builds), \
or `scripts/install.sh [--prefix DIR]` to install bin/formcheck with its share/formcheck/ data; \
or point formcheck at the data with `--models-dir DIR` or FORMCHECK_DATA=DIR (a folder holding models/ and lib/)";

/// A miss: what was looked for, every place looked at, and the fix.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DataError {
    #[error("pose models not found: no {MARKER_MODEL} in {}\n{FIX}", list(.looked))]
    ModelsNotFound { looked: Vec<Place> },
    #[error("{}: missing model files {}\n{FIX}", .dir.display(), .files.join(", "))]
    ModelFilesMissing { dir: PathBuf, files: Vec<String> },
    #[error("ONNX Runtime library {ORT_LIBRARY} not found in {}\n{FIX}", list(.looked))]
    OrtNotFound { looked: Vec<Place> },
}

fn list(places: &[Place]) -> String {
    if places.is_empty() {
        return "no place (the executable's location is unknown)".into();
    }
    places
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `<exe dir>/../share/formcheck`, the installed layout.
fn installed_share(exe: &Path) -> Option<PathBuf> {
    let bin = exe.parent()?;
    Some(bin.parent()?.join("share").join("formcheck"))
}

/// The source tree an executable under `<tree>/target/...` was built in (`target/release/x`,
/// `target/release/deps/x`, `target/release/examples/x`).
fn source_tree(exe: &Path) -> Option<PathBuf> {
    exe.ancestors()
        .skip(1)
        .take(4)
        .find(|d| d.file_name().is_some_and(|n| n == "target"))
        .and_then(|t| t.parent())
        .map(Path::to_path_buf)
}

/// The models folders to try, in order. A place the user named is the only one.
pub fn model_candidates(h: &Hints) -> Vec<Place> {
    if let Some(d) = &h.models_dir {
        return vec![Place {
            path: d.clone(),
            source: "--models-dir",
        }];
    }
    if let Some(d) = &h.data_dir {
        return vec![Place {
            path: d.join("models"),
            source: "FORMCHECK_DATA",
        }];
    }
    if let Some(d) = &h.models_env {
        return vec![Place {
            path: d.clone(),
            source: "FORMCHECK_MODELS",
        }];
    }
    let mut out = Vec::new();
    if let Some(exe) = &h.exe {
        if let Some(share) = installed_share(exe) {
            out.push(Place {
                path: share.join("models"),
                source: "next to the executable",
            });
        }
        if let Some(tree) = source_tree(exe) {
            out.push(Place {
                path: tree.join("models"),
                source: "the source tree of the executable",
            });
        }
    }
    out
}

/// The ONNX Runtime library files to try, in order; `models_dir` is the folder found.
pub fn ort_candidates(h: &Hints, models_dir: Option<&Path>) -> Vec<Place> {
    if let Some(p) = &h.ort_library {
        return vec![Place {
            path: p.clone(),
            source: "ORT_DYLIB_PATH",
        }];
    }
    let mut out = Vec::new();
    let mut push = |path: PathBuf, source: &'static str| {
        if !out.iter().any(|p: &Place| p.path == path) {
            out.push(Place { path, source });
        }
    };
    if let Some(d) = &h.data_dir {
        push(d.join("lib").join(ORT_LIBRARY), "FORMCHECK_DATA");
    }
    if let Some(parent) = models_dir.and_then(Path::parent) {
        push(parent.join("lib").join(ORT_LIBRARY), "beside the models");
        push(parent.join(".ort").join(ORT_LIBRARY), "beside the models");
    }
    if let Some(exe) = &h.exe {
        if let Some(share) = installed_share(exe) {
            push(
                share.join("lib").join(ORT_LIBRARY),
                "next to the executable",
            );
        }
        if let Some(tree) = source_tree(exe) {
            push(
                tree.join(".ort").join(ORT_LIBRARY),
                "the source tree of the executable",
            );
        }
    }
    out
}

/// The first models folder that holds the detector.
pub fn find_models(h: &Hints) -> Result<Place, DataError> {
    let looked = model_candidates(h);
    looked
        .iter()
        .find(|p| p.path.join(MARKER_MODEL).is_file())
        .cloned()
        .ok_or(DataError::ModelsNotFound { looked })
}

/// The first ONNX Runtime library file that exists.
pub fn find_ort_library(h: &Hints, models_dir: Option<&Path>) -> Result<PathBuf, DataError> {
    let looked = ort_candidates(h, models_dir);
    looked
        .iter()
        .find(|p| p.path.is_file())
        .map(|p| p.path.clone())
        .ok_or(DataError::OrtNotFound { looked })
}

/// The models folder and the ONNX Runtime library, with `required` model files checked.
pub fn resolve(h: &Hints, required: &[&str]) -> Result<DataPaths, DataError> {
    let models = find_models(h)?;
    let missing: Vec<String> = required
        .iter()
        .filter(|f| !models.path.join(f).is_file())
        .map(|f| f.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(DataError::ModelFilesMissing {
            dir: models.path,
            files: missing,
        });
    }
    let ort_library = find_ort_library(h, Some(&models.path))?;
    Ok(DataPaths {
        models_dir: models.path,
        models_source: models.source,
        ort_library,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path) {
        std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(p, b"x").expect("write");
    }

    #[test]
    fn installed_layout_is_found_next_to_the_executable() {
        let t = tempfile::tempdir().expect("tempdir");
        let prefix = t.path().join("prefix");
        touch(&prefix.join("share/formcheck/models").join(MARKER_MODEL));
        touch(&prefix.join("share/formcheck/lib").join(ORT_LIBRARY));
        let h = Hints {
            exe: Some(prefix.join("bin/formcheck")),
            ..Hints::default()
        };
        let d = resolve(&h, &[MARKER_MODEL]).expect("found");
        assert_eq!(d.models_dir, prefix.join("share/formcheck/models"));
        assert_eq!(d.models_source, "next to the executable");
        assert_eq!(
            d.ort_library,
            prefix.join("share/formcheck/lib").join(ORT_LIBRARY)
        );
    }

    #[test]
    fn a_build_finds_its_source_tree_and_an_installed_binary_does_not() {
        let t = tempfile::tempdir().expect("tempdir");
        let tree = t.path().join("checkout");
        touch(&tree.join("models").join(MARKER_MODEL));
        touch(&tree.join(".ort").join(ORT_LIBRARY));
        for exe in [
            "target/release/formcheck",
            "target/release/deps/golden-1234",
        ] {
            let h = Hints {
                exe: Some(tree.join(exe)),
                ..Hints::default()
            };
            let d = resolve(&h, &[]).expect("found");
            assert_eq!(d.models_dir, tree.join("models"), "{exe}");
            assert_eq!(d.ort_library, tree.join(".ort").join(ORT_LIBRARY), "{exe}");
        }
        // bin/ inside the checkout is not a build: the checkout is not its data
        let h = Hints {
            exe: Some(tree.join("bin/formcheck")),
            ..Hints::default()
        };
        assert!(matches!(
            find_models(&h),
            Err(DataError::ModelsNotFound { .. })
        ));
    }

    #[test]
    fn a_named_place_is_the_only_one_looked_at() {
        let t = tempfile::tempdir().expect("tempdir");
        let prefix = t.path().join("prefix");
        touch(&prefix.join("share/formcheck/models").join(MARKER_MODEL));
        let wrong = t.path().join("typo");
        let h = Hints {
            models_dir: Some(wrong.clone()),
            exe: Some(prefix.join("bin/formcheck")),
            ..Hints::default()
        };
        let e = find_models(&h).expect_err("the named folder has no models");
        let msg = e.to_string();
        assert!(msg.contains(&wrong.display().to_string()), "{msg}");
        assert!(msg.contains("--models-dir"), "{msg}");
        assert!(!msg.contains(&prefix.display().to_string()), "{msg}");
        assert!(msg.contains("scripts/install.sh"), "{msg}");
    }

    #[test]
    fn formcheck_data_holds_models_and_lib() {
        let t = tempfile::tempdir().expect("tempdir");
        let data = t.path().join("data");
        touch(&data.join("models").join(MARKER_MODEL));
        touch(&data.join("lib").join(ORT_LIBRARY));
        let h = Hints {
            data_dir: Some(data.clone()),
            ..Hints::default()
        };
        let d = resolve(&h, &[]).expect("found");
        assert_eq!(d.models_dir, data.join("models"));
        assert_eq!(d.ort_library, data.join("lib").join(ORT_LIBRARY));
        // the older name still works, and --models-dir wins over both
        let h = Hints {
            models_env: Some(data.join("models")),
            ..Hints::default()
        };
        assert_eq!(find_models(&h).expect("found").source, "FORMCHECK_MODELS");
    }

    #[test]
    fn every_miss_names_every_place_and_the_fix() {
        let t = tempfile::tempdir().expect("tempdir");
        let h = Hints {
            exe: Some(t.path().join("checkout/target/release/formcheck")),
            ..Hints::default()
        };
        let msg = find_models(&h).expect_err("nothing there").to_string();
        assert!(msg.contains("share/formcheck/models"), "{msg}");
        assert!(msg.contains("checkout/models"), "{msg}");
        assert!(msg.contains("scripts/setup.sh"), "{msg}");
        let msg = find_ort_library(&h, None)
            .expect_err("nothing there")
            .to_string();
        assert!(msg.contains("share/formcheck/lib"), "{msg}");
        assert!(msg.contains("checkout/.ort"), "{msg}");
        assert!(msg.contains(ORT_LIBRARY), "{msg}");
    }

    #[test]
    fn a_models_folder_without_the_chosen_model_is_a_miss() {
        let t = tempfile::tempdir().expect("tempdir");
        let models = t.path().join("models");
        touch(&models.join(MARKER_MODEL));
        let h = Hints {
            models_dir: Some(models),
            ..Hints::default()
        };
        let msg = resolve(&h, &[MARKER_MODEL, "pose_landmark_lite.onnx"])
            .expect_err("lite missing")
            .to_string();
        assert!(msg.contains("pose_landmark_lite.onnx"), "{msg}");
        assert!(!msg.contains(MARKER_MODEL), "{msg}");
    }
}
