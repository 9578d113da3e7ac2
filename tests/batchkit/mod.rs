//! Helpers for the batch tests: the sample clip, running the binary with a time limit, and
//! looking at what a run left in its output folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4")
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_formcheck"))
}

/// `formcheck ARGS...`, killed after `limit_s`: exit code (None when it was killed) and stderr.
pub fn run(args: &[&std::ffi::OsStr], limit_s: u64) -> (Option<i32>, String) {
    let child = Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run formcheck");
    finish(child, limit_s)
}

/// `formcheck analyze INPUTS --out OUT EXTRA`, with a time limit.
pub fn analyze(
    inputs: &[&Path],
    out: &Path,
    extra: &[&str],
    limit_s: u64,
) -> (Option<i32>, String) {
    let mut args: Vec<&std::ffi::OsStr> = vec!["analyze".as_ref()];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    args.push("--out".as_ref());
    args.push(out.as_os_str());
    args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
    run(&args, limit_s)
}

/// Waits for `child` at most `limit_s`; a child still running then is killed and the test
/// fails (a hang is the bug).
pub fn finish(mut child: Child, limit_s: u64) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(limit_s);
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = stderr.as_mut() {
            let _ = std::io::Read::read_to_string(e, &mut s);
        }
        s
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), reader.join().unwrap());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "still running after {limit_s} s: {}",
                reader.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Hidden entries anywhere under `out` other than the lock file: what a run must not leave.
pub fn leftovers(out: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') && !(dir == out && name == ".formcheck.lock") {
                found.push(e.path());
            } else if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(e.path());
            }
        }
    }
    found
}

/// Result folders under `out` (relative, `/`-separated) with the `input` each analysis.json names.
pub fn results(out: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if !p.is_dir() || e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(p.join("analysis.json")) {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                let rel = p.strip_prefix(out).unwrap().to_string_lossy().to_string();
                found.push((rel, v["input"].as_str().unwrap_or_default().to_string()));
            } else {
                stack.push(p);
            }
        }
    }
    found.sort();
    found
}

/// The sample copied to `path` (folders made).
pub fn put_sample(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::copy(sample(), path).unwrap();
}
