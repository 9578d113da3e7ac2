//! Installed and packaged formcheck runs away from the checkout: `scripts/install.sh` into a
//! temporary prefix, `scripts/package.sh`'s tarball unpacked into a temporary folder, each run
//! with a bare environment and the working directory elsewhere, so only the installed data can
//! be found. Also: with no data anywhere, `analyze` fails with the places looked at and the fix
//! and writes nothing, and `doctor` says what is missing.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SAMPLE: &str = "deadlift_sample.mp4";

fn checkout() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A folder outside the checkout, so no ancestor of what is installed there is the checkout.
fn outside_tempdir() -> tempfile::TempDir {
    let t = tempfile::Builder::new()
        .prefix("formcheck-install-")
        .tempdir_in(std::env::temp_dir())
        .expect("tempdir");
    assert!(
        !t.path().starts_with(checkout()),
        "temp dir {} is inside the checkout",
        t.path().display()
    );
    t
}

/// Runs `exe ARGS` in `cwd` with only PATH and HOME set: no FORMCHECK_DATA, FORMCHECK_MODELS
/// or ORT_DYLIB_PATH can point back at the checkout.
fn run_bare(exe: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", cwd)
        .output()
        .expect("run formcheck")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Copies the sample into `dir` and analyses it there with `--no-video`; checks the result.
fn analyse_sample_with(exe: &Path, dir: &Path) {
    std::fs::copy(checkout().join("samples").join(SAMPLE), dir.join(SAMPLE)).expect("copy sample");
    let o = run_bare(exe, dir, &["analyze", SAMPLE, "--out", "out", "--no-video"]);
    assert!(o.status.success(), "{}", text(&o));
    let analysis = dir.join("out/deadlift_sample/analysis.json");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&analysis).expect("analysis.json written"))
            .expect("analysis.json parses");
    assert_eq!(json["schema_version"], 1);
    assert!(
        json["reps"].as_array().is_some_and(|r| !r.is_empty()),
        "no rep found in the sample: {}",
        text(&o)
    );
    assert!(dir.join("out/index.html").is_file());
}

/// `doctor` of an installed tree: everything found, under `root`, nothing from the checkout.
fn doctor_finds_only(exe: &Path, cwd: &Path, root: &Path) {
    let o = run_bare(exe, cwd, &["doctor"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    let share = root.join("share/formcheck");
    assert!(
        out.contains(&share.join("models").display().to_string()),
        "{out}"
    );
    assert!(
        out.contains(&share.join("lib").display().to_string()),
        "{out}"
    );
    assert!(
        !out.contains(&checkout().display().to_string()),
        "doctor found the checkout: {out}"
    );
    // every model matched its sha256 from models/README.md
    assert_eq!(out.matches("  ok\n").count(), 4, "{out}");
}

#[test]
fn installed_formcheck_runs_without_the_checkout() {
    let t = outside_tempdir();
    let prefix = t.path().join("prefix");
    let o = Command::new("bash")
        .arg(checkout().join("scripts/install.sh"))
        .arg("--prefix")
        .arg(&prefix)
        .arg("--bin")
        .arg(common::bin())
        .output()
        .expect("run install.sh");
    assert!(o.status.success(), "{}", text(&o));
    let exe = prefix.join("bin/formcheck");
    for f in [
        "share/formcheck/models/pose_detection.onnx",
        "share/formcheck/models/LICENSE",
        "share/formcheck/lib/libonnxruntime.so.1.31.1",
        "share/formcheck/formcheck.toml",
        "share/man/man1/formcheck.1",
        "share/man/man1/formcheck-analyze.1",
        "share/bash-completion/completions/formcheck",
        "share/zsh/site-functions/_formcheck",
        "share/fish/vendor_completions.d/formcheck.fish",
    ] {
        assert!(prefix.join(f).is_file(), "{f} not installed");
    }
    let work = t.path().join("work");
    std::fs::create_dir(&work).expect("mkdir");
    doctor_finds_only(&exe, &work, &prefix);
    analyse_sample_with(&exe, &work);
}

#[test]
fn without_data_analyze_fails_first_and_writes_nothing() {
    let t = outside_tempdir();
    let bin = t.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let exe = bin.join("formcheck");
    std::fs::copy(common::bin(), &exe).expect("copy binary");
    std::fs::copy(
        checkout().join("samples").join(SAMPLE),
        t.path().join(SAMPLE),
    )
    .expect("copy sample");

    let o = run_bare(&exe, t.path(), &["analyze", SAMPLE, "--out", "out"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("pose models not found"), "{out}");
    let looked = t.path().join("share/formcheck/models");
    assert!(out.contains(&looked.display().to_string()), "{out}");
    assert!(
        out.contains("scripts/install.sh") && out.contains("scripts/setup.sh"),
        "{out}"
    );
    assert!(!t.path().join("out").exists(), "output written: {out}");

    // a named folder without the models is a miss too, naming it
    let o = run_bare(
        &exe,
        t.path(),
        &["analyze", SAMPLE, "--out", "out", "--models-dir", "nowhere"],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("nowhere (--models-dir)"), "{out}");
    assert!(!t.path().join("out/index.html").exists(), "{out}");

    let o = run_bare(&exe, t.path(), &["doctor"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("models: PROBLEM"), "{out}");
    assert!(out.contains("ONNX Runtime: PROBLEM"), "{out}");
    assert!(out.contains("fix: "), "{out}");
}

#[test]
fn doctor_in_the_checkout_finds_everything() {
    let o = Command::new(common::bin())
        .arg("doctor")
        .output()
        .expect("run doctor");
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("sha256 666adabb3818125e618abb9dd158730fb3f766b3e6a04af5fd730ab979ec23c7  ok"),
        "{out}"
    );
    assert!(out.contains("ONNX Runtime: ok"), "{out}");
    assert!(out.contains("version 1.31.1"), "{out}");
    assert!(
        out.contains("video backends: ") && out.contains("FFMPEG"),
        "{out}"
    );
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn release_tarball_runs_unpacked_anywhere() {
    if !(have("strip") && have("tar") && have("readelf")) {
        eprintln!("SKIPPED release_tarball_runs_unpacked_anywhere: strip, readelf or tar not installed (Debian: binutils, tar)");
        return;
    }
    let t = outside_tempdir();
    let dist = t.path().join("dist");
    let o = Command::new("bash")
        .arg(checkout().join("scripts/package.sh"))
        .arg("--bin")
        .arg(common::bin())
        .arg("--out")
        .arg(&dist)
        .output()
        .expect("run package.sh");
    assert!(o.status.success(), "{}", text(&o));
    let name = format!("formcheck-{}-x86_64-linux", env!("CARGO_PKG_VERSION"));
    let tarball = dist.join(format!("{name}.tar.gz"));
    assert!(tarball.is_file(), "{}", text(&o));

    let unpacked = t.path().join("unpacked");
    std::fs::create_dir(&unpacked).expect("mkdir");
    let o = Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&unpacked)
        .output()
        .expect("run tar");
    assert!(o.status.success(), "{}", text(&o));
    let root: PathBuf = unpacked.join(&name);
    for f in [
        "LICENSE",
        "NOTICE",
        "README.md",
        "share/man/man1/formcheck.1",
    ] {
        assert!(root.join(f).is_file(), "{f} not in the tarball");
    }
    let exe = root.join("bin/formcheck");
    // stripped: no DWARF sections left (readelf is in binutils, with strip)
    let o = Command::new("readelf")
        .arg("-S")
        .arg(&exe)
        .output()
        .expect("run readelf");
    let sections = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && sections.contains(".text"),
        "{sections}"
    );
    assert!(
        !sections.contains(".debug_info") && !sections.contains(".symtab"),
        "the packaged binary is not stripped: {sections}"
    );
    doctor_finds_only(&exe, t.path(), &root);
    let work = t.path().join("work");
    std::fs::create_dir(&work).expect("mkdir");
    analyse_sample_with(&exe, &work);
}
