//! Which result belongs to which video: result folders mirror the inputs' folders, the same
//! video always lands in the same folder, symlink loops and the output folder inside the
//! input folder are walked safely, unreadable folders are errors, long names work.
//! (Issue 15, rows 1, 3, 4, 5, 6.)

use crate::batchkit;

use crate::batchkit::{analyze, leftovers, put_sample, results};
use std::path::Path;

/// Row 1: same file name in two lifters' folders, ben's analysed on its own later.
#[test]
fn same_file_name_in_two_folders_never_shares_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let anna = dir.path().join("client_anna/2026-03-01_deadlift.mp4");
    let ben = dir.path().join("client_ben/2026-03-01_deadlift.mp4");
    put_sample(&anna);
    put_sample(&ben);
    let out = dir.path().join("out");
    let (code, err) = analyze(&[&anna], &out, &["--no-video"], 120);
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = analyze(&[&ben], &out, &["--no-video"], 120);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !err.contains("up to date, skipped"),
        "ben's video was skipped: {err}"
    );
    assert!(
        err.contains("note:") && err.contains("2026-03-01_deadlift-2"),
        "{err}"
    );
    let r = results(&out);
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(
        r[0].1.contains("client_anna") && r[1].1.contains("client_ben"),
        "{r:?}"
    );
    // The same videos found through their parent folder keep their folders.
    let (code, err) = analyze(&[dir.path()], &out, &["--no-video"], 120);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("0 analysed, 2 up to date, 0 failed"), "{err}");
    // A fresh output folder mirrors the inputs' layout, and the index finds nested results.
    let out2 = dir.path().join("out2");
    let (code, err) = analyze(&[dir.path()], &out2, &["--no-video", "-j", "2"], 180);
    assert_eq!(code, Some(0), "{err}");
    let names: Vec<_> = results(&out2).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "client_anna/2026-03-01_deadlift",
            "client_ben/2026-03-01_deadlift"
        ]
    );
    assert!(err.contains("index of 2 videos"), "{err}");
    let index = std::fs::read_to_string(out2.join("index.html")).unwrap();
    let link = "client_ben&#x2f;2026-03-01_deadlift&#x2f;report.html";
    assert!(
        index.contains(link) || index.contains("client_ben/2026-03-01_deadlift/report.html"),
        "index links the nested folder"
    );
    let report =
        std::fs::read_to_string(out2.join("client_ben/2026-03-01_deadlift/report.html")).unwrap();
    assert!(
        report.contains("href=\"../../index.html\""),
        "the nested report links back to OUT/index.html"
    );
    assert!(leftovers(&out2).is_empty(), "{:?}", leftovers(&out2));
}

/// Row 3: `self -> .` and `parent -> ..` in an input folder, and a second link to the video.
#[test]
fn symlink_loops_are_walked_once_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let lifter = dir.path().join("lifter");
    put_sample(&lifter.join("lift.mp4"));
    std::os::unix::fs::symlink(".", lifter.join("self")).unwrap();
    std::os::unix::fs::symlink("..", lifter.join("parent")).unwrap();
    std::os::unix::fs::symlink("lift.mp4", lifter.join("again.mp4")).unwrap();
    let out = dir.path().join("results");
    let (code, err) = analyze(&[&lifter], &out, &["--no-video"], 120);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("1 analysed, 0 up to date, 0 failed"), "{err}");
    assert_eq!(results(&out).len(), 1);
}

/// Row 4: `analyze D --out D/out`, three times, with annotated videos in the output.
#[test]
fn the_output_folder_inside_the_input_folder_is_never_analysed() {
    let dir = tempfile::tempdir().unwrap();
    put_sample(&dir.path().join("lift.mp4"));
    let out = dir.path().join("out");
    for run in 0..3 {
        let (code, err) = analyze(&[dir.path()], &out, &[], 180);
        assert_eq!(code, Some(0), "run {run}: {err}");
        assert!(err.contains("index of 1 videos"), "run {run}: {err}");
    }
    assert!(out.join("lift/annotated.mp4").is_file());
    assert_eq!(results(&out).len(), 1, "{:?}", results(&out));
}

/// Row 5: a subfolder the user cannot read is an error line, counted as failed, exit 1. Runs
/// as `nobody` when the tests run as root (root reads everything).
#[test]
fn an_unreadable_folder_is_one_error_and_fails_the_run() {
    let dir = tempfile::Builder::new()
        .prefix("fc-unreadable")
        .tempdir()
        .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(inputs.join("ben")).unwrap();
    std::fs::create_dir_all(inputs.join("anna")).unwrap();
    // a damaged clip keeps the run short: the point is the folder
    std::fs::write(inputs.join("ben/lift.mp4"), b"not a video").unwrap();
    std::fs::write(inputs.join("anna/lift.mp4"), b"not a video").unwrap();
    std::fs::set_permissions(inputs.join("anna"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        if std::process::Command::new("setpriv")
            .arg("--help")
            .output()
            .is_err()
        {
            eprintln!("skipped: running as root and no setpriv to drop to nobody");
            return;
        }
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        c.arg(batchkit::bin());
        c
    } else {
        std::process::Command::new(batchkit::bin())
    };
    cmd.arg("analyze")
        .arg(&inputs)
        .arg("--out")
        .arg(&out)
        .arg("--no-video");
    let r = cmd.output().unwrap();
    std::fs::set_permissions(inputs.join("anna"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    if root && err.contains("Permission denied") && !err.contains("anna") {
        eprintln!("skipped: nobody cannot run the binary here: {err}");
        return;
    }
    assert_eq!(r.status.code(), Some(1), "{err}");
    let lines: Vec<_> = err
        .lines()
        .filter(|l| l.starts_with("error:") && l.contains("anna"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("cannot read folder"), "{err}");
    assert!(
        err.contains("2 failed"),
        "ben's damaged clip and anna's folder: {err}"
    );
}

/// Row 6: a legal 250-byte file name analyses and its result folder name stays legal.
#[test]
fn a_250_byte_file_name_is_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("{}.mp4", "d".repeat(246));
    assert_eq!(name.len(), 250);
    let video = dir.path().join(&name);
    put_sample(&video);
    let out = dir.path().join("out");
    let (code, err) = analyze(&[&video], &out, &["--no-video"], 120);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains(".tmp-") && !err.contains("too long"), "{err}");
    let r = results(&out);
    assert_eq!(r.len(), 1);
    assert!(r[0].0.len() <= 200 && r[0].0.starts_with("ddd"), "{r:?}");
    assert!(Path::new(&r[0].1).ends_with(&name));
}
