//! Finding the videos: expands the command line's files and folders into jobs. Folders are
//! walked with `walkdir` following symlinks (its loop detection stops `self -> .`), every
//! real file is taken once (by canonical path), the output folder and result folders are
//! never entered, and each unreadable folder is one error line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::video::has_video_extension;

/// A video found and the result folder name it mirrors (before collisions are resolved).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub input: PathBuf,
    /// Canonical path: the video's identity.
    pub canonical: PathBuf,
    /// `/`-separated result path under `--out`: the path relative to the folder it was
    /// found in, without extension; a file named on its own gives its stem.
    pub mirrored: String,
}

/// What the inputs expand to.
#[derive(Debug, Default)]
pub struct Collected {
    pub found: Vec<Found>,
    /// One line per input that cannot be analysed (missing, unreadable folder, FIFO, ...):
    /// each counts as a failed input.
    pub failures: Vec<String>,
    /// Harmless remarks (a symlink loop skipped, a video given twice).
    pub notes: Vec<String>,
}

/// Longest file-name component we produce (filesystems allow 255 bytes).
pub const MAX_COMPONENT_BYTES: usize = 200;

/// Walks `inputs`; `out_dir` (canonical, when it exists) is never entered.
pub fn collect(inputs: &[PathBuf], out_dir: Option<&Path>) -> Collected {
    let mut c = Collected::default();
    let mut seen = HashSet::new();
    for input in inputs {
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                c.failures
                    .push(format!("{}: no such file or folder", input.display()));
                continue;
            }
            Err(e) => {
                c.failures.push(format!(
                    "{}: cannot read ({})",
                    input.display(),
                    io_reason(&e)
                ));
                continue;
            }
        };
        if meta.is_dir() {
            let (found_before, failed_before) = (c.found.len(), c.failures.len());
            walk_folder(input, out_dir, &mut seen, &mut c);
            if c.found.len() == found_before && c.failures.len() == failed_before {
                c.failures.push(format!(
                    "{}: folder contains no video files (mp4, mov, m4v, avi, mkv, webm)",
                    input.display()
                ));
            }
        } else if !meta.is_file() {
            c.failures.push(format!(
                "{}: cannot open as a video (not a regular file)",
                input.display()
            ));
        } else {
            let canonical = std::fs::canonicalize(input).unwrap_or_else(|_| input.clone());
            if !seen.insert(canonical.clone()) {
                c.notes.push(format!(
                    "{}: given more than once; analysed once",
                    input.display()
                ));
                continue;
            }
            let stem = input
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            c.found.push(Found {
                input: input.clone(),
                canonical,
                mirrored: sanitize(&stem),
            });
        }
    }
    c
}

fn walk_folder(
    root: &Path,
    out_dir: Option<&Path>,
    seen: &mut HashSet<PathBuf>,
    c: &mut Collected,
) {
    let mut found = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !e.file_type().is_dir() || enterable(e.path(), out_dir));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if let Some(ancestor) = e.loop_ancestor() {
                    c.notes.push(format!(
                        "{}: symlink loop back to {}, not followed",
                        e.path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                        ancestor.display()
                    ));
                } else {
                    let path = e
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    let reason = e.io_error().map(io_reason).unwrap_or_else(|| e.to_string());
                    c.failures.push(format!(
                        "{path}: cannot read folder ({reason}); its videos are not analysed"
                    ));
                }
                continue;
            }
        };
        if !entry.file_type().is_file() || !has_video_extension(entry.path()) {
            continue;
        }
        let Ok(canonical) = std::fs::canonicalize(entry.path()) else {
            continue;
        };
        if !seen.insert(canonical.clone()) {
            continue; // the same real file through another link
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        found.push(Found {
            input: entry.path().to_path_buf(),
            canonical,
            mirrored: mirrored_name(rel),
        });
    }
    c.found.extend(found);
}

/// Not the output folder, nor a result folder (one holding `analysis.json`), nor hidden.
fn enterable(dir: &Path, out_dir: Option<&Path>) -> bool {
    if dir.join(super::COMPLETE_MARKER).is_file() {
        return false;
    }
    match (out_dir, std::fs::canonicalize(dir)) {
        (Some(out), Ok(c)) => c != out,
        _ => true,
    }
}

/// `client_anna/2026-03-01_deadlift.mp4` -> `client_anna/2026-03-01_deadlift`.
pub fn mirrored_name(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().to_string()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.last_mut() {
        if let Some(stem) = Path::new(last.as_str()).file_stem() {
            *last = stem.to_string_lossy().to_string();
        }
    }
    let parts: Vec<String> = parts.iter().map(|p| sanitize(p)).collect();
    if parts.is_empty() {
        "video".into()
    } else {
        parts.join("/")
    }
}

/// A folder name safe on every filesystem: path separators and control characters replaced,
/// no leading dot (those are temporary), at most [`MAX_COMPONENT_BYTES`] bytes.
pub fn sanitize(stem: &str) -> String {
    let s: String = stem
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() || c == ':' {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut s = s.trim_start_matches('.').to_string();
    if s.len() > MAX_COMPONENT_BYTES {
        let mut end = MAX_COMPONENT_BYTES;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    if s.is_empty() {
        "video".into()
    } else {
        s
    }
}

/// An I/O error's reason without the "(os error N)" tail.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
