//! Killing a batch mid-way loses nothing: finished videos keep their complete results, the
//! interrupted one leaves no half-written folder, and a rerun completes the rest while
//! skipping what is already done.

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_killed_batch_resumes_without_losing_or_corrupting_results() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let inputs = tempfile::tempdir().unwrap();
    for name in ["one", "two", "three", "four"] {
        std::fs::copy(&sample, inputs.path().join(format!("{name}.mp4"))).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(common::bin())
        .args([
            "analyze",
            inputs.path().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "-j",
            "1",
            "-q",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill (SIGKILL, no chance to clean up) as soon as the first result is complete.
    let deadline = Instant::now() + Duration::from_secs(300);
    let complete = |dir: &Path| -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| {
                !e.file_name().to_string_lossy().starts_with('.')
                    && e.path().join("analysis.json").is_file()
            })
            .count()
    };
    while complete(out.path()) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done_before = complete(out.path());
    assert!(
        (1..4).contains(&done_before),
        "killed mid-batch: {done_before} complete"
    );
    // Every visible result folder is complete.
    for e in std::fs::read_dir(out.path()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.starts_with('.') {
            assert!(
                e.path().join("analysis.json").is_file() && e.path().join("frames.csv").is_file(),
                "{name} is incomplete"
            );
        }
    }
    let (code, stderr) = common::analyze(&[inputs.path()], out.path(), &["-j", "2"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("up to date, skipped").count(),
        done_before,
        "{stderr}"
    );
    for name in ["one", "two", "three", "four"] {
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join(name).join("analysis.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(json["video"]["decoded_frames"], 120, "{name}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            // the lock file stays by design (removing a lock file races with a waiting run)
            name.starts_with('.') && name != ".formcheck.lock"
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left after the rerun"
    );
}

/// A result made with other settings is not "up to date": `--no-video` writes no video and
/// says so in the report; the same clip run again without it is redone, with its video; run
/// a third time the same way, it is skipped.
#[test]
fn changed_settings_redo_a_result_and_no_video_skips_the_video() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let out = tempfile::tempdir().unwrap();
    let clip = out.path().join("deadlift_sample");
    let (code, stderr) = common::analyze(&[&sample], out.path(), &["--no-video", "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!clip.join("annotated.mp4").exists());
    let report = std::fs::read_to_string(clip.join("report.html")).unwrap();
    assert!(
        report.contains("switched off"),
        "report says why there is no video"
    );
    let settings = std::fs::read_to_string(clip.join("settings.toml")).unwrap();
    assert!(settings.contains("annotated_video = false"), "{settings}");

    let (code, stderr) = common::analyze(&[&sample], out.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("up to date, skipped"), "{stderr}");
    assert!(clip.join("annotated.mp4").is_file());

    let (code, stderr) = common::analyze(&[&sample], out.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("up to date, skipped"), "{stderr}");
}

/// Resume by content, not by time: each row changes one thing about a done result and says
/// whether the rerun must redo it.
#[test]
fn resume_matrix_redoes_exactly_what_changed() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("lift.mp4");
    std::fs::copy(&sample, &video).unwrap();
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["--no-video"];
        args.extend_from_slice(extra);
        let (code, stderr) = common::analyze(&[&video], &out, &args);
        assert_eq!(code, Some(0), "{stderr}");
        stderr.contains("up to date, skipped")
    };
    let record = || std::fs::read_to_string(out.join("lift/input.json")).unwrap();
    assert!(!run(&[]), "first run analyses");
    assert!(run(&[]), "unchanged: skipped");
    let first = record();
    assert!(
        first.contains("xxh3_128") && first.contains("size_bytes"),
        "{first}"
    );
    // Replaced by other content with an older mtime (as `cp -p` of an older file does).
    let mut other = std::fs::read(&sample).unwrap();
    other.extend_from_slice(&[0u8; 64]); // trailing bytes: the same clip, other content
    let replacement = dir.path().join("older.mp4");
    std::fs::write(&replacement, &other).unwrap();
    let touched = std::process::Command::new("touch")
        .args(["-d", "2001-01-01"])
        .arg(&replacement)
        .status()
        .unwrap();
    assert!(touched.success());
    let copied = std::process::Command::new("cp")
        .arg("-p")
        .arg(&replacement)
        .arg(&video)
        .status()
        .unwrap();
    assert!(copied.success());
    assert!(!run(&[]), "replaced by older-dated content: redone");
    assert_ne!(record(), first, "the record follows the new content");
    assert!(run(&[]), "then up to date");
    // Settings changed through a config file.
    let cfg = dir.path().join("strict.toml");
    std::fs::write(&cfg, "[faults.bar_drift]\nmax_forward_cm = 4.0\n").unwrap();
    assert!(
        !run(&["--config", cfg.to_str().unwrap()]),
        "other settings: redone"
    );
    assert!(
        run(&["--config", cfg.to_str().unwrap()]),
        "same settings: skipped"
    );
    assert!(
        !run(&["--force", "--config", cfg.to_str().unwrap()]),
        "--force: redone"
    );
    // The same file name in another folder is another video, not this result.
    let twin = dir.path().join("other_lifter/lift.mp4");
    std::fs::create_dir_all(twin.parent().unwrap()).unwrap();
    std::fs::copy(&sample, &twin).unwrap();
    let (code, stderr) = common::analyze(&[&twin], &out, &["--no-video"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        !stderr.contains("up to date, skipped") && stderr.contains("lift-2"),
        "{stderr}"
    );
}

/// A video overwritten while it is analysed is not committed: one line, counted as failed.
#[test]
fn a_video_changed_during_its_analysis_is_not_committed() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("lift.mp4");
    std::fs::copy(&sample, &video).unwrap();
    let out = dir.path().join("out");
    let child = Command::new(common::bin())
        .arg("analyze")
        .arg(&video)
        .arg("--out")
        .arg(&out)
        .arg("--no-video")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let mut other = std::fs::read(&sample).unwrap();
    other.extend_from_slice(&[0u8; 64]);
    let tmp = dir.path().join("new.mp4");
    std::fs::write(&tmp, &other).unwrap();
    std::fs::rename(&tmp, &video).unwrap(); // replaced as an editor or a sync tool does
    let r = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("lift.mp4: changed while it was analysed"),
        "{stderr}"
    );
    assert!(stderr.contains("1 failed"), "{stderr}");
    assert!(
        !out.join("lift/analysis.json").exists(),
        "nothing committed"
    );
}
