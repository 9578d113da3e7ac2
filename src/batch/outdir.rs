//! The output folder's housekeeping: a lock file so two runs never share one `--out`
//! (except the shards of one batch, which share it), removal of temporary files and folders
//! that runs which are gone left behind, short temporary names (`.tmp-<pid>-<n>`, far under
//! the 255-byte limit whatever the video is called) claimed by `mkdir` so that two processes
//! with one pid (two containers' pid 1 on one shared folder) never share one, and committing
//! a finished result folder into place by renames.
//!
//! The lock's modes: a plain run and `formcheck index` hold it exclusively; shard runs hold
//! it shared, so shards run side by side while a plain run, the index step or cleaning
//! waits for (or refuses to start beside) all of them. Shards never touch each other's
//! videos (they are disjoint, see [`super::shard`]) and never remove debris, since a
//! temporary folder of another host's live shard looks exactly like a dead one.

use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The lock file's name in `--out`.
pub const LOCK_FILE: &str = ".formcheck.lock";

/// Held for the whole run; the lock goes with the process (also when it is killed).
pub struct OutLock {
    _file: std::fs::File,
}

/// How a run holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    /// Alone: a plain run, the index step. May clean debris.
    Exclusive,
    /// Beside other shards of the same batch. Never cleans debris.
    Shared,
}

/// Why the lock was not taken.
pub enum LockError {
    /// Another live run holds it; its pid as written in the file.
    Busy(String),
    Io(std::io::Error),
    Interrupted,
}

/// Takes `out_dir`'s lock in `mode`; `who` is written into the lock file for a run that
/// finds it busy (`1234`, or `1234, shard 2/8`). With `wait`, polls until it is free or
/// `cancelled()`, calling `on_wait` with the holder once when it starts waiting.
pub fn lock(
    out_dir: &Path,
    mode: LockMode,
    who: &str,
    wait: bool,
    cancelled: impl Fn() -> bool,
    on_wait: impl FnOnce(&str),
) -> Result<OutLock, LockError> {
    let mut on_wait = Some(on_wait);
    use std::io::{Read, Seek, Write};
    let path = out_dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(LockError::Io)?;
    loop {
        // SAFETY: flock on a file descriptor we own; no memory is shared.
        let op = match mode {
            LockMode::Exclusive => libc::LOCK_EX,
            LockMode::Shared => libc::LOCK_SH,
        };
        let rc = unsafe { libc::flock(file.as_raw_fd(), op | libc::LOCK_NB) };
        if rc == 0 {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(LockError::Io(err));
        }
        let mut holder = String::new();
        let _ = file.seek(std::io::SeekFrom::Start(0));
        let _ = file.read_to_string(&mut holder);
        // shards append a line each; the last one is the latest to start
        let holder = holder.lines().last().unwrap_or("").trim().to_string();
        if !wait {
            return Err(LockError::Busy(holder));
        }
        if let Some(f) = on_wait.take() {
            f(&holder);
        }
        if cancelled() {
            return Err(LockError::Interrupted);
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    match mode {
        LockMode::Exclusive => {
            let _ = file.set_len(0);
            let _ = file.seek(std::io::SeekFrom::Start(0));
        }
        // other shards hold it too: add a line, never cut theirs
        LockMode::Shared => {
            let _ = file.seek(std::io::SeekFrom::End(0));
        }
    }
    let _ = writeln!(file, "{who}");
    Ok(OutLock { _file: file })
}

/// True while a process with this pid exists.
pub fn pid_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// The pid in a temporary name of ours or of older versions, if `name` is one:
/// `.tmp-PID-N`, `.old-PID-N`, `.NAME.partial-PID`, `.NAME.old-PID`, `.NAME.tmp-PID`,
/// `.trends-PID.tmp.png`.
pub fn debris_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') || name == LOCK_FILE {
        return None;
    }
    for prefix in [".tmp-", ".old-", ".trends-"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            return digits.parse().ok();
        }
    }
    for marker in [".partial-", ".old-", ".tmp-"] {
        if let Some(i) = name.rfind(marker) {
            let digits = &name[i + marker.len()..];
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                return digits.parse().ok();
            }
        }
    }
    None
}

/// Removes, anywhere under `out_dir`, what runs that are gone left behind; gives how many.
/// Called with the lock held exclusively: every formcheck writer holds the lock (shards
/// shared), so no other live run is writing there and what is not this process's is debris
/// whatever its pid says. The pid is not asked about: a shard in a container is often pid 1,
/// alive on every host, and another host's pids mean nothing here.
pub fn remove_debris(out_dir: &Path) -> usize {
    let mut removed = 0;
    let me = std::process::id();
    let mut it = walkdir::WalkDir::new(out_dir).max_depth(34).into_iter();
    while let Some(entry) = it.next() {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy();
        let Some(pid) = debris_pid(&name) else {
            continue;
        };
        if pid == me {
            continue;
        }
        let path = entry.path();
        let gone = if entry.file_type().is_dir() {
            it.skip_current_dir();
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        removed += usize::from(gone.is_ok());
    }
    removed
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh short temporary path directly in `out_dir`: `.tmp-<pid>-<n>` (or `.old-...`).
/// Unique within this process only: use [`claim_temp_dir`] for a folder.
pub fn temp_path(out_dir: &Path, kind: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    out_dir.join(format!(".{kind}-{}-{n}", std::process::id()))
}

/// Creates a new empty temporary folder in `out_dir` that no other process has: `mkdir`
/// fails on an existing name (atomically, NFS included), so a name another process with the
/// same pid took first (shards in containers on one shared folder) is skipped.
pub fn claim_temp_dir(out_dir: &Path, kind: &str) -> std::io::Result<PathBuf> {
    // each try takes a new number: only a folder full of our own names could exhaust this
    const MAX_TRIES: usize = 10_000;
    for _ in 0..MAX_TRIES {
        let path = temp_path(out_dir, kind);
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "no free temporary name in {} after {MAX_TRIES} tries",
        out_dir.display()
    )))
}

/// Moves a finished temporary folder to `dest`, replacing an older result only once the new
/// one is complete. `tmp` and `dest` lie on one filesystem (both under `--out`).
pub fn commit_dir(tmp: &Path, dest: &Path, out_dir: &Path) -> std::io::Result<()> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if dest.exists() {
        // renaming a folder onto an empty one replaces it; onto a claimed name it never
        // lands in another process's folder
        let old = claim_temp_dir(out_dir, "old")?;
        std::fs::rename(dest, &old)?;
        if let Err(e) = std::fs::rename(tmp, dest) {
            let _ = std::fs::rename(&old, dest);
            return Err(e);
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(tmp, dest)?;
    }
    Ok(())
}
