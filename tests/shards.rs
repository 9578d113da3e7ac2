//! A batch split over shards into one output folder, then `formcheck index OUT`, gives exactly
//! the result folders and batch index of one plain run: run one after the other, and side by
//! side (the second shard must not find the folder busy). Compared byte for byte, except
//! `analysis.json`'s `timing` (milliseconds per stage, different every run) and the lock
//! file (it holds the last holder's pid).

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Four short videos in two lifters' folders, cut from the bundled sample (different frames,
/// so different results).
fn inputs(dir: &Path) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    for (name, start_s) in [
        ("anna/2026-03-01.mp4", 0),
        ("anna/2026-03-08.mp4", 1),
        ("ben/2026-03-01.mp4", 2),
        ("ben/clip.mp4", 3),
    ] {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let ok = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-ss", &start_s.to_string(), "-i"])
            .arg(&sample)
            .args(["-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-an"])
            .arg(&path)
            .status()
            .expect("ffmpeg (scripts/setup.sh installs it)");
        assert!(ok.success(), "ffmpeg cut {name}");
    }
}

/// Every file under `out` by relative path, with `analysis.json`'s timing taken out.
fn contents(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() || entry.file_name() == ".formcheck.lock" {
            continue;
        }
        let rel = entry.path().strip_prefix(out).unwrap().to_path_buf();
        let mut bytes = std::fs::read(entry.path()).unwrap();
        if entry.file_name() == "analysis.json" {
            let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let timing = v.as_object_mut().unwrap().remove("timing");
            assert!(timing.is_some(), "{rel:?} has no timing");
            bytes = serde_json::to_vec_pretty(&v).unwrap();
        }
        files.insert(rel, bytes);
    }
    files
}

fn assert_same(single: &Path, sharded: &Path) {
    let (a, b) = (contents(single), contents(sharded));
    let names = |m: &BTreeMap<PathBuf, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the same files");
    assert!(a.contains_key(Path::new("index.html")));
    assert!(a.contains_key(Path::new("summary.csv")));
    assert_eq!(
        a.keys().filter(|p| p.ends_with("analysis.json")).count(),
        4,
        "{:?}",
        names(&a)
    );
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path:?} differs");
    }
}

fn shard_cmd(input: &Path, out: &Path, shard: &str) -> Command {
    let mut c = Command::new(common::bin());
    c.arg("analyze").arg(input).arg("--out").arg(out).args([
        "-j",
        "1",
        "--no-video",
        "--shard",
        shard,
    ]);
    c
}

/// How many videos a shard said it takes (`shard 1/2: 3 of 4 videos`).
fn taken(stderr: &str) -> usize {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("shard ") && l.ends_with(" videos"))
        .unwrap_or_else(|| panic!("no shard line in: {stderr}"));
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

fn index(out: &Path) -> (Option<i32>, String) {
    let r = Command::new(common::bin())
        .arg("index")
        .arg(out)
        .output()
        .unwrap();
    (r.status.code(), String::from_utf8_lossy(&r.stderr).into())
}

#[test]
fn two_shards_then_index_equal_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    inputs(&input);
    let single = tmp.path().join("single");
    let (code, err) = common::analyze(&[&input], &single, &["-j", "1", "--no-video", "-q"]);
    assert_eq!(code, Some(0), "{err}");

    // one after the other
    let seq = tmp.path().join("seq");
    let mut counts = Vec::new();
    for shard in ["1/2", "2/2"] {
        let r = shard_cmd(&input, &seq, shard).output().unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(0), "{shard}: {err}");
        assert!(err.contains("batch index not written"), "{err}");
        counts.push(taken(&err));
    }
    assert!(
        counts.iter().all(|&n| n > 0),
        "both shards work: {counts:?}"
    );
    assert_eq!(counts.iter().sum::<usize>(), 4, "{counts:?}");
    assert!(!seq.join("index.html").exists(), "shards write no index");
    let (code, err) = index(&seq);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("index of 4 videos"), "{err}");
    assert_same(&single, &seq);

    // side by side: neither may find the folder busy
    let conc = tmp.path().join("conc");
    let children: Vec<_> = ["1/2", "2/2"]
        .iter()
        .map(|shard| {
            shard_cmd(&input, &conc, shard)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let r = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(0), "{err}");
    }
    let (code, err) = index(&conc);
    assert_eq!(code, Some(0), "{err}");
    assert_same(&single, &conc);
}

/// While a shard holds the folder (shared lock), another shard runs, but a plain run and the
/// index step do not start beside it.
#[test]
fn a_running_shard_keeps_plain_runs_and_the_index_out() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(".formcheck.lock"))
        .unwrap();
    // SAFETY: flock on our own open file.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_SH) }, 0);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let (code, err) = index(&out);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("another formcheck run"), "{err}");
    let (code, err) = common::analyze(&[&sample], &out, &["--no-video"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("another formcheck run"), "{err}");
    // the sample's shard of 1 is the whole batch: it runs beside the held lock
    let r = shard_cmd(&sample, &out, "1/1").output().unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(out.join("deadlift_sample/analysis.json").is_file());
    drop(lock);
    let (code, err) = index(&out);
    assert_eq!(code, Some(0), "{err}");
}
