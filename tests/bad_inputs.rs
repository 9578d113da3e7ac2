//! Bad inputs never panic and never stop a batch: each gets one line on stderr naming the
//! file and the reason, the good files are still analysed, the exit code says something
//! failed, and nothing half-written is left in the output folder.

mod common;

use std::path::Path;

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4")
}

#[test]
fn a_batch_with_broken_files_analyses_the_good_ones_and_names_the_bad() {
    let inputs = tempfile::tempdir().unwrap();
    let dir = inputs.path();
    std::fs::write(dir.join("empty.mp4"), b"").unwrap();
    std::fs::write(dir.join("notes.mp4"), b"this is a text file, not a video\n").unwrap();
    let random: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(dir.join("random.mov"), &random).unwrap();
    let bytes = std::fs::read(sample()).unwrap();
    std::fs::write(dir.join("truncated.mp4"), &bytes[..bytes.len() / 3]).unwrap();
    std::fs::copy(sample(), dir.join("good.mp4")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = common::analyze(&[dir], out.path(), &["-j", "2"]);
    eprintln!("{stderr}");
    assert_eq!(code, Some(1), "some inputs failed -> exit 1");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for bad in ["empty.mp4", "notes.mp4", "random.mov", "truncated.mp4"] {
        let line = stderr
            .lines()
            .find(|l| l.contains(bad) && !l.contains("frame "))
            .unwrap_or_else(|| panic!("no line names {bad}"));
        assert!(line.len() < 300, "one short line: {line}");
        assert!(
            !out.path()
                .join(bad.rsplit_once('.').unwrap().0)
                .join("analysis.json")
                .exists()
                || bad == "truncated.mp4"
        );
    }
    assert!(
        out.path().join("good/analysis.json").is_file(),
        "the good video is analysed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn usage_errors_exit_2() {
    let out = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let (code, err) = common::analyze(&[empty.path()], out.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no video files"));
    let (code, err) = common::analyze(&[Path::new("/nonexistent/x.mp4")], out.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("/nonexistent/x.mp4: no such file"));
    let cfg = out.path().join("bad.toml");
    std::fs::write(&cfg, "[bar_drift]\nmax_forward = 3\n").unwrap();
    let (code, err) = common::analyze(
        &[&sample()],
        out.path(),
        &["--config", cfg.to_str().unwrap()],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("bad.toml") && err.contains("max_forward"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

#[test]
fn an_unwritable_output_folder_is_a_clear_error() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let (code, err) = common::analyze(&[&sample()], &file, &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("not-a-folder") && err.contains("cannot create output folder"),
        "{err}"
    );
}

#[test]
fn rerun_skips_complete_results_and_force_redoes_them() {
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let (code, stderr) = common::analyze(&[&sample()], out.path(), extra);
        assert_eq!(code, Some(0));
        stderr
    };
    run(&[]);
    assert!(run(&[]).contains("up to date, skipped"));
    assert!(!run(&["--force"]).contains("up to date, skipped"));
    assert!(out.path().join("deadlift_sample/analysis.json").is_file());
}
