//! `formcheck doctor`: checks what a run needs (the models and their sha256, ONNX Runtime,
//! ffmpeg, OpenCV's video backends), says what it found, and gives the fix for what is
//! missing. It only reads; it writes nothing. The binary prints the [`Check`]s.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::data_dir::{self, Hints};

/// The model table with the sha256 of every shipped model; the binary checks the files it
/// finds against the models it was built for.
const MODELS_README: &str = include_str!("../models/README.md");

/// One thing checked: what was found (`lines`) and, when it is not usable, the fix.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub lines: Vec<String>,
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(&self) -> bool {
        self.fix.is_none()
    }
}

/// Where the checks look; the binary fills it from its flags and environment.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub hints: Hints,
    /// The ffmpeg program formcheck runs (`FORMCHECK_FFMPEG` or `ffmpeg`).
    pub ffmpeg: OsString,
    /// `PATH`, to say which ffmpeg that is.
    pub path_var: Option<OsString>,
}

/// `(file name, sha256)` of every model listed in `models/README.md`.
pub fn expected_models() -> Vec<(&'static str, &'static str)> {
    MODELS_README
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let file = cells.get(1)?;
            let hash = cells.iter().rev().find(|c| !c.is_empty())?;
            let is_hash = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
            (file.ends_with(".onnx") && is_hash).then_some((*file, *hash))
        })
        .collect()
}

/// Lower-case hex sha256 of a file, read in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn check_models(hints: &Hints) -> (Check, Option<PathBuf>) {
    let found = match data_dir::find_models(hints) {
        Ok(p) => p,
        Err(e) => {
            return (
                Check {
                    name: "models",
                    lines: vec![e.to_string().lines().next().unwrap_or_default().into()],
                    fix: Some(data_dir::FIX.trim_start_matches("fix: ").into()),
                },
                None,
            )
        }
    };
    let mut lines = vec![format!("{} ({})", found.path.display(), found.source)];
    let mut bad = Vec::new();
    for (file, expected) in expected_models() {
        let path = found.path.join(file);
        match sha256_file(&path) {
            Ok(h) if h == expected => lines.push(format!("{file}  sha256 {h}  ok")),
            Ok(h) => {
                lines.push(format!(
                    "{file}  sha256 {h}  DIFFERS from the shipped model ({expected})"
                ));
                bad.push(file);
            }
            Err(e) => {
                lines.push(format!("{file}  missing ({e})"));
                bad.push(file);
            }
        }
    }
    let fix = (!bad.is_empty()).then(|| {
        format!(
            "{} are missing or not the models this formcheck was built for: reinstall them (`scripts/install.sh`, or `git checkout models/` in the source tree)",
            bad.join(", ")
        )
    });
    (
        Check {
            name: "models",
            lines,
            fix,
        },
        Some(found.path),
    )
}

/// "1.31.1 (build: git-commit-id=…)": the version from the library's file name (ort refuses
/// on load a library older than the API it was built for) and the build the library reports.
fn ort_version(lib: &Path, info: &str) -> String {
    let name = lib
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let version = name.split_once(".so.").map_or("unknown", |(_, v)| v);
    let build = info.trim().trim_start_matches("ORT Build Info:").trim();
    format!("{version} (build: {build})")
}

fn check_ort(hints: &Hints, models_dir: Option<&Path>) -> Check {
    let result = data_dir::find_ort_library(hints, models_dir)
        .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())
        .and_then(|lib| crate::pose::engine::init_runtime(&lib))
        .and_then(|lib| Ok((lib, crate::pose::engine::runtime_info()?)));
    match result {
        Ok((lib, info)) => Check {
            name: "ONNX Runtime",
            lines: vec![format!("{}, version {}", lib.display(), ort_version(&lib, &info))],
            fix: None,
        },
        Err(e) => Check {
            name: "ONNX Runtime",
            lines: vec![e],
            fix: Some(format!(
                "scripts/setup.sh (fetches {} into .ort/) or scripts/install.sh; or set ORT_DYLIB_PATH=FILE",
                data_dir::ORT_LIBRARY
            )),
        },
    }
}

/// The file `program` runs as: itself when it names a path, else the first match on PATH.
fn which(program: &OsString, path_var: Option<&OsString>) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::split_paths(path_var?)
        .map(|d| d.join(p))
        .find(|c| c.is_file())
}

fn check_ffmpeg(inputs: &Inputs) -> Check {
    let fix = Some(
        "install ffmpeg (Debian: `sudo apt-get install ffmpeg`), or set FORMCHECK_FFMPEG=PROGRAM"
            .to_string(),
    );
    let Some(path) = which(&inputs.ffmpeg, inputs.path_var.as_ref()) else {
        return Check {
            name: "ffmpeg",
            lines: vec![format!(
                "{} not found (it encodes the annotated video)",
                inputs.ffmpeg.to_string_lossy()
            )],
            fix,
        };
    };
    match Command::new(&path).arg("-version").output() {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            Check {
                name: "ffmpeg",
                lines: vec![format!(
                    "{}, {}",
                    path.display(),
                    out.lines().next().unwrap_or("no version line")
                )],
                fix: None,
            }
        }
        Ok(o) => Check {
            name: "ffmpeg",
            lines: vec![format!(
                "{}: -version exited with {}",
                path.display(),
                o.status
            )],
            fix,
        },
        Err(e) => Check {
            name: "ffmpeg",
            lines: vec![format!("{}: cannot run it ({e})", path.display())],
            fix,
        },
    }
}

fn check_opencv() -> Check {
    let version = opencv::core::get_version_string().unwrap_or_else(|e| e.message);
    let backends: Vec<String> = opencv::videoio::get_backends()
        .map(|list| {
            list.iter()
                .map(|api| opencv::videoio::get_backend_name(api).unwrap_or_else(|e| e.message))
                .collect()
        })
        .unwrap_or_default();
    let has_ffmpeg = backends.iter().any(|b| b == "FFMPEG");
    Check {
        name: "OpenCV",
        lines: vec![format!(
            "version {version}, video backends: {}",
            if backends.is_empty() {
                "none".to_string()
            } else {
                backends.join(", ")
            }
        )],
        fix: (!has_ffmpeg).then(|| {
            "OpenCV has no FFMPEG video backend, so it cannot read videos: install Debian's `libopencv-videoio406` (it brings the FFmpeg backend)".to_string()
        }),
    }
}

/// Runs every check, in the order they are printed.
pub fn run(inputs: &Inputs) -> Vec<Check> {
    let (models, models_dir) = check_models(&inputs.hints);
    let ort = check_ort(&inputs.hints, models_dir.as_deref());
    vec![models, ort, check_ffmpeg(inputs), check_opencv()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_models_readme_lists_every_shipped_model_with_its_hash() {
        let names: Vec<&str> = expected_models().iter().map(|(f, _)| *f).collect();
        for f in [
            crate::pose::tracker::DETECTOR_FILE,
            "pose_landmark_full.onnx",
            "pose_landmark_lite.onnx",
            "pose_landmark_full_nomask.onnx",
        ] {
            assert!(names.contains(&f), "{f} not in models/README.md: {names:?}");
        }
        assert_eq!(names.len(), 4, "{names:?}");
    }

    #[test]
    fn sha256_of_a_known_input() {
        let t = tempfile::tempdir().expect("tempdir");
        let p = t.path().join("abc");
        std::fs::write(&p, b"abc").expect("write");
        assert_eq!(
            sha256_file(&p).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ort_version_comes_from_the_file_name_and_the_build_string() {
        assert_eq!(
            ort_version(
                Path::new("/x/libonnxruntime.so.1.31.1"),
                "ORT Build Info: git-branch=HEAD, git-commit-id=6af1a93"
            ),
            "1.31.1 (build: git-branch=HEAD, git-commit-id=6af1a93)"
        );
    }

    #[test]
    fn a_missing_ffmpeg_is_a_problem_with_its_fix() {
        let c = check_ffmpeg(&Inputs {
            ffmpeg: "surely-not-an-ffmpeg-here".into(),
            path_var: Some("/nonexistent".into()),
            ..Inputs::default()
        });
        assert!(!c.ok());
        assert!(c
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("apt-get install ffmpeg")));
    }
}
