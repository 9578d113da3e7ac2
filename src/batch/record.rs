//! What a result was made from: `input.json` in each result folder records the video's
//! canonical path, size and content fingerprint, and a hash of the effective settings. A
//! result is up to date only when all of them match, never by modification times (a file
//! copied with `cp -p` keeps an older mtime).

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The record's file name inside a result folder.
pub const FILE: &str = "input.json";

/// The identity of one input at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// Canonical path of the video.
    pub path: PathBuf,
    pub size_bytes: u64,
    /// XXH3-128 of the whole file, hex. XXH3 rather than a cryptographic hash: it runs at
    /// memory speed (the fingerprint is taken twice per video, before and after the
    /// analysis), and what it guards against is an accidental replacement or a copy still
    /// being written, not an adversary forging a collision.
    pub xxh3_128: String,
    /// XXH3-128 of the effective settings (`settings.toml`'s text).
    pub settings_xxh3_128: String,
}

impl InputRecord {
    /// Reads and fingerprints `canonical` (a regular file) with `settings`.
    pub fn take(canonical: &Path, settings: &str) -> std::io::Result<Self> {
        let mut file = std::fs::File::open(canonical)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size_bytes = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            size_bytes += n as u64;
            hasher.update(&buf[..n]);
        }
        Ok(InputRecord {
            path: canonical.to_path_buf(),
            size_bytes,
            xxh3_128: format!("{:032x}", hasher.digest128()),
            settings_xxh3_128: format!("{:032x}", xxhash_rust::xxh3::xxh3_128(settings.as_bytes())),
        })
    }

    /// The record in a result folder, if it has a readable one.
    pub fn read(dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The same video's content (path, size, bytes) whatever the settings.
    pub fn same_content(&self, other: &Self) -> bool {
        self.path == other.path
            && self.size_bytes == other.size_bytes
            && self.xxh3_128 == other.xxh3_128
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}
