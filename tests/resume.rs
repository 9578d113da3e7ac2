//! Killing a batch mid-way loses nothing: finished videos keep their complete results, the
//! interrupted one leaves no half-written folder, and a rerun completes the rest while
//! skipping what is already done.

mod common;

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
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
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
