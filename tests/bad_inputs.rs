//! Bad inputs never panic and never stop a batch: each gets one line on stderr naming the
//! file and the reason, the good files are still analysed, the exit code says something
//! failed, and nothing half-written is left in the output folder.

use crate::common;

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
        .filter(|n| n.starts_with('.') && n != ".formcheck.lock")
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
    std::fs::write(&cfg, "[faults.bar_drift]\nmax_forward = 3\n").unwrap();
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

/// Row 14: a FIFO and a device are "not a regular file" (a FIFO never blocks the run), a
/// missing file counts as failed in the summary exactly as the exit code says.
#[test]
fn fifos_devices_and_missing_files_are_counted_failures() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.mp4");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo not available");
        return;
    }
    let broken = dir.path().join("broken.mp4");
    std::fs::write(&broken, b"not a video").unwrap();
    let missing = dir.path().join("missing.mp4");
    let out = dir.path().join("out");
    let inputs: Vec<&Path> = vec![&fifo, Path::new("/dev/zero"), &missing, &broken];
    let child = std::process::Command::new(common::bin())
        .arg("analyze")
        .args(&inputs)
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let r = child.wait_with_output().unwrap();
    assert!(started.elapsed().as_secs() < 60);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{err}");
    for line in [
        format!(
            "{}: cannot open as a video (not a regular file)",
            fifo.display()
        ),
        "/dev/zero: cannot open as a video (not a regular file)".to_string(),
        format!("{}: no such file or folder", missing.display()),
    ] {
        assert!(err.contains(&line), "{line} missing in: {err}");
    }
    assert!(!err.contains("file is empty"), "{err}");
    assert!(err.contains("4 of 4 inputs failed"), "{err}");
    assert!(err.contains("0 analysed, 0 up to date, 4 failed"), "{err}");
}

/// Rows 13 and 14: a file cut at half its length gives one line at most, never FFmpeg's
/// own `[h264 @ 0x...]` log lines; when it is analysed, the result warns that frames are
/// missing (decoded vs container frames).
#[test]
fn a_cut_file_gets_no_raw_ffmpeg_lines_and_a_frames_warning() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(sample()).unwrap();
    let cut = dir.path().join("cut.mp4");
    // the moov box of this sample is at the front (faststart), so the index survives the cut
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = dir.path().join("out");
    let (code, err) = common::analyze(&[&cut], &out, &["--no-video"]);
    assert!(!err.contains(" @ 0x"), "raw FFmpeg lines: {err}");
    assert!(!err.contains("[ WARN"), "raw OpenCV lines: {err}");
    let per_file: Vec<_> = err.lines().filter(|l| l.contains("cut.mp4")).collect();
    assert!(per_file.len() <= 2, "{err}");
    if code == Some(0) {
        let a: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("cut/analysis.json")).unwrap())
                .unwrap();
        let warned = a["video"]["warnings"].as_array().is_some_and(|w| {
            w.iter()
                .any(|w| w.as_str().is_some_and(|s| s.contains("frames")))
        }) || err.contains("frames") && err.contains("warning");
        assert!(
            warned,
            "no warning about missing frames: {err} {}",
            a["video"]
        );
    } else {
        assert_eq!(code, Some(1), "{err}");
    }
}

/// Row 14: a full disk (a tiny tmpfs, root only) says so in words, and leaves nothing
/// half-written.
#[test]
fn a_full_disk_is_one_clear_line_and_leaves_nothing_half_written() {
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: mounting a tiny tmpfs needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=96k", "tmpfs"])
        .arg(&out)
        .output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: cannot mount a tmpfs here: {mounted:?}");
        return;
    }
    let (code, err) = common::analyze(&[&sample()], &out, &["--no-video"]);
    let entries: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    let _ = std::process::Command::new("umount").arg(&out).status();
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("no space left on device while writing")
            && err.contains("deadlift_sample.mp4's result"),
        "{err}"
    );
    assert!(!err.contains("Os {"), "a debug error: {err}");
    assert!(!err.contains(".tmp-"), "names the temporary path: {err}");
    assert!(
        !entries
            .iter()
            .any(|e| e.starts_with(".tmp-") || e == "deadlift_sample"),
        "{entries:?}"
    );
}
