//! `formcheck index OUT`: rebuilds `index.html`, `summary.csv`, `summary.json` and the trends
//! plot from every result folder under OUT, holding OUT's lock exclusively, so it runs after
//! every shard of a batch (shards write no index) and never beside a run. It also cleans
//! what dead runs left, as a plain run does. It owns only this sequence: the files are
//! written by [`crate::outputs::index::write_batch`], as at the end of a plain run.

use std::path::{Path, PathBuf};

use super::outdir::{self, LockError, LockMode};

/// Why the index was not rebuilt; each names the output folder.
#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    #[error("{0}: no such output folder")]
    Missing(PathBuf),
    #[error("{0}: not a folder")]
    NotAFolder(PathBuf),
    #[error("{path}: another formcheck run (pid {holder}) is writing to this output folder; wait for it to finish or add --wait")]
    Busy { path: PathBuf, holder: String },
    #[error("{path}: cannot lock the output folder: {reason}")]
    Lock { path: PathBuf, reason: String },
    #[error("{0}: interrupted while waiting for the output folder")]
    Interrupted(PathBuf),
    #[error("batch index not written: {0}")]
    Write(#[from] crate::error::Error),
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reindexed {
    /// Result folders listed in the index.
    pub videos: usize,
    /// Temporary files and folders of dead runs removed.
    pub debris_removed: usize,
}

/// Rebuilds the batch files of `out_dir`. With `wait`, waits for running shards or runs
/// (calling `on_wait` with the holder once) until `cancelled()`.
pub fn rebuild(
    out_dir: &Path,
    wait: bool,
    cancelled: impl Fn() -> bool,
    on_wait: impl FnOnce(&str),
) -> Result<Reindexed, ReindexError> {
    match std::fs::metadata(out_dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(ReindexError::NotAFolder(out_dir.to_path_buf())),
        Err(_) => return Err(ReindexError::Missing(out_dir.to_path_buf())),
    }
    let who = std::process::id().to_string();
    let _lock = outdir::lock(out_dir, LockMode::Exclusive, &who, wait, cancelled, on_wait)
        .map_err(|e| match e {
            LockError::Busy(holder) => ReindexError::Busy {
                path: out_dir.to_path_buf(),
                holder,
            },
            LockError::Io(e) => ReindexError::Lock {
                path: out_dir.to_path_buf(),
                reason: super::walk::io_reason(&e),
            },
            LockError::Interrupted => ReindexError::Interrupted(out_dir.to_path_buf()),
        })?;
    let debris_removed = outdir::remove_debris(out_dir);
    let videos = crate::outputs::index::write_batch(out_dir)?;
    Ok(Reindexed {
        videos,
        debris_removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_busy_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let e = rebuild(&missing, false, || false, |_| {}).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: no such output folder", missing.display())
        );
        let held = outdir::lock(
            dir.path(),
            LockMode::Shared,
            "42, shard 1/2",
            false,
            || false,
            |_| {},
        );
        assert!(held.is_ok());
        let e = rebuild(dir.path(), false, || false, |_| {}).unwrap_err();
        assert!(
            e.to_string().contains("(pid 42, shard 1/2) is writing"),
            "{e}"
        );
        drop(held);
        let done = rebuild(dir.path(), false, || false, |_| {}).unwrap();
        assert_eq!(done.videos, 0);
        assert!(dir.path().join(crate::outputs::index::INDEX_FILE).is_file());
    }
}
