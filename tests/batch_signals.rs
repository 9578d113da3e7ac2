//! Signals and debris: SIGTERM stops a batch like Ctrl-C, SIGKILL at any point leaves only
//! complete results, a rerun removes what dead runs left and completes the rest, and two
//! runs never share one output folder. (Issue 15, rows 7 and 8, and the kill test.)

use crate::batchkit::{analyze, bin, finish, leftovers, put_sample, results};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(inputs: &Path, out: &Path, extra: &[&str]) -> Child {
    Command::new(bin())
        .arg("analyze")
        .arg(inputs)
        .arg("--out")
        .arg(out)
        .args(["--no-video", "-j", "1"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: sends a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

/// Reads the child's stderr until a line contains `text` (the child then has its signal
/// handlers installed); the rest of stderr is left to `finish`.
fn wait_for_line(child: &mut Child, text: &str) {
    use std::io::BufRead;
    let stderr = child.stderr.take().unwrap();
    let mut reader = std::io::BufReader::new(stderr);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "no '{text}' line");
        if line.contains(text) {
            break;
        }
    }
    child.stderr = Some(reader.into_inner());
}

/// Waits until the child catches `sig` (its handler is installed, per /proc/PID/status), so a
/// signal sent after that tests the handler and not how fast a loaded machine starts a process.
fn wait_until_caught(child: &Child, sig: i32) {
    let status = format!("/proc/{}/status", child.id());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let caught = std::fs::read_to_string(&status)
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("SigCgt:"))
                    .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
            })
            .is_some_and(|mask| mask & (1u64 << (sig - 1)) != 0);
        if caught {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the child never caught signal {sig}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A pid that no process has now: a child that has exited.
fn dead_pid() -> u32 {
    let mut c = Command::new("true").spawn().unwrap();
    c.wait().unwrap();
    c.id()
}

/// Every visible result folder is complete: report, data, and the input record.
fn assert_complete(out: &Path) {
    for (name, _) in results(out) {
        for file in ["analysis.json", "frames.csv", "input.json", "report.html"] {
            assert!(out.join(&name).join(file).is_file(), "{name} lacks {file}");
        }
    }
}

#[test]
fn sigterm_stops_gracefully_and_a_rerun_cleans_debris_and_completes() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    for n in ["a", "b", "c"] {
        put_sample(&inputs.join(format!("{n}.mp4")));
    }
    let out = dir.path().join("out");
    let child = spawn(&inputs, &out, &[]);
    let deadline = Instant::now() + Duration::from_secs(120);
    while results(&out).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, libc::SIGTERM);
    let (code, err) = finish(child, 30);
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    assert_complete(&out);
    let done = results(&out).len();
    assert!((1..3).contains(&done), "{done}");
    // Debris of runs that are gone, in the names this and older versions used.
    let pid = dead_pid();
    std::fs::create_dir_all(out.join(format!(".tmp-{pid}-0"))).unwrap();
    std::fs::create_dir_all(out.join(format!(".a.partial-{pid}"))).unwrap();
    std::fs::write(out.join(format!(".summary.csv.tmp-{pid}")), b"x").unwrap();
    let (code, err) = analyze(&[&inputs], &out, &["--no-video"], 180);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("removed 3 temporary"), "{err}");
    assert!(err.contains(&format!("{} up to date", done)), "{err}");
    assert_eq!(results(&out).len(), 3);
    assert_complete(&out);
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
}

/// SIGKILL and SIGTERM at varied points, then a rerun: complete and correct, nothing left.
#[test]
fn kills_at_random_points_leave_only_complete_results() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    for n in ["one", "two"] {
        put_sample(&inputs.join(format!("{n}.mp4")));
    }
    let out = dir.path().join("out");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    for trial in 0..4u64 {
        let delay_ms = 200 + (seed.wrapping_mul(2654435761).wrapping_add(trial * 7919) % 7000);
        let sig = if trial % 2 == 0 {
            libc::SIGKILL
        } else {
            libc::SIGTERM
        };
        let child = spawn(&inputs, &out, &["--force"]);
        wait_until_caught(&child, libc::SIGTERM);
        std::thread::sleep(Duration::from_millis(delay_ms));
        signal(&child, sig);
        let (code, err) = finish(child, 30);
        eprintln!("trial {trial}: signal {sig} {delay_ms} ms after start-up -> exit {code:?}");
        if sig == libc::SIGTERM {
            assert!(matches!(code, Some(130) | Some(0)), "{err}");
            assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
        }
        assert_complete(&out);
    }
    let (code, err) = analyze(&[&inputs], &out, &["--no-video"], 180);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(results(&out).len(), 2);
    assert_complete(&out);
    for (name, input) in results(&out) {
        assert!(
            input.ends_with(&format!("{name}.mp4")),
            "{name} holds {input}"
        );
        let a: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join(&name).join("analysis.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(a["video"]["decoded_frames"], 120, "{name}");
    }
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
}

/// Row 8: while another run holds the output folder, a second exits 2 naming it; with
/// `--wait` it waits, and SIGHUP stops the wait like Ctrl-C.
#[test]
fn a_second_run_on_one_output_folder_exits_2_or_waits() {
    use std::os::unix::io::AsRawFd;
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("broken.mp4");
    std::fs::write(&video, b"not a video").unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let lock = std::fs::File::create(out.join(".formcheck.lock")).unwrap();
    // SAFETY: flock on our own open file.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let (code, err) = analyze(&[&video], &out, &[], 30);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("another formcheck run") && err.contains(&*out.to_string_lossy()),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // --wait, interrupted by SIGHUP while waiting
    let mut child = Command::new(bin())
        .arg("analyze")
        .arg(&video)
        .arg("--out")
        .arg(&out)
        .arg("--wait")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_line(&mut child, "waiting: another formcheck run");
    signal(&child, libc::SIGHUP);
    let (code, err) = finish(child, 10);
    assert_eq!(code, Some(130), "{err}");
    // --wait, the holder finishes
    let child = Command::new(bin())
        .arg("analyze")
        .arg(&video)
        .arg("--out")
        .arg(&out)
        .arg("--wait")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    drop(lock);
    let (code, err) = finish(child, 30);
    assert_eq!(code, Some(1), "ran once the lock was free: {err}");
    assert!(err.contains("broken.mp4"), "{err}");
}
