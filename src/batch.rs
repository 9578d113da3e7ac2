//! Batch runs: finds the videos, gives each a unique output folder, analyses them in
//! parallel, writes every result atomically (a temporary folder renamed into place), and
//! collects one-line errors so one bad file never stops the others.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::analyze::{analyze_video, RunOptions};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::progress::{Progress, ProgressMode};
use crate::video::has_video_extension;

/// One video to analyse and where its results go.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub input: PathBuf,
    /// Folder name under the output folder (the file stem, made unique).
    pub name: String,
}

/// How one job ended.
#[derive(Debug)]
pub enum Outcome {
    Done { job: Job },
    Skipped { job: Job },
    Failed { job: Job, error: String },
}

/// Expands files and folders into jobs. Folders contribute their video files (recursively,
/// sorted); a named file is always tried. A folder without videos is an error.
pub fn collect_jobs(
    inputs: &[PathBuf],
    notes: &mut Vec<String>,
) -> std::result::Result<Vec<Job>, Vec<String>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk_videos(input, &mut found);
            found.sort();
            if found.is_empty() {
                errors.push(format!(
                    "{}: folder contains no video files (mp4, mov, m4v, avi, mkv, webm)",
                    input.display()
                ));
            }
            files.extend(found);
        } else if input.exists() {
            files.push(input.clone());
        } else {
            errors.push(format!("{}: no such file or folder", input.display()));
        }
    }
    if files.is_empty() {
        return Err(errors);
    }
    notes.extend(errors);
    let mut used = HashSet::new();
    let jobs = files
        .into_iter()
        .map(|input| {
            let stem = input
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "video".into());
            let stem = sanitize(&stem);
            let mut name = stem.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{stem}-{n}");
                n += 1;
            }
            if name != stem {
                notes.push(format!(
                    "{}: another input is also called '{stem}'; results go to '{name}/'",
                    input.display()
                ));
            }
            Job { input, name }
        })
        .collect();
    Ok(jobs)
}

fn walk_videos(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk_videos(&path, out);
        } else if has_video_extension(&path) {
            out.push(path);
        }
    }
}

/// A folder name safe on every filesystem: path separators and control characters replaced.
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
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        "video".into()
    } else {
        s
    }
}

/// True when `dir` holds a complete result newer than the input and the config file, made
/// with the same effective settings (its `settings.toml` reads `settings`: a changed
/// command-line override such as `--model` or `--no-video` redoes the clip).
pub fn is_up_to_date(dir: &Path, input: &Path, config_path: Option<&Path>, settings: &str) -> bool {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(done) = mtime(&dir.join(COMPLETE_MARKER)) else {
        return false;
    };
    let newer_than = |p: &Path| mtime(p).map(|t| done >= t).unwrap_or(false);
    let same_settings = std::fs::read_to_string(dir.join(crate::outputs::settings::FILE))
        .is_ok_and(|s| s == settings);
    same_settings && newer_than(input) && config_path.map(newer_than).unwrap_or(true)
}

/// Written last into a result folder: its presence means the folder is complete.
pub const COMPLETE_MARKER: &str = "analysis.json";

/// Moves a finished temporary folder into place, replacing an older result only once the
/// new one is complete.
pub fn commit_dir(tmp: &Path, dest: &Path) -> Result<()> {
    let io = |e: std::io::Error| Error::Output {
        path: dest.to_path_buf(),
        reason: e.to_string(),
    };
    if dest.exists() {
        let old = dest.with_file_name(format!(
            ".{}.old-{}",
            dest.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        std::fs::rename(dest, &old).map_err(io)?;
        std::fs::rename(tmp, dest).map_err(io)?;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(tmp, dest).map_err(io)?;
    }
    Ok(())
}

/// Options for a batch.
pub struct BatchOptions {
    pub out_dir: PathBuf,
    pub jobs: usize,
    pub force: bool,
    pub config_path: Option<PathBuf>,
    pub models_dir: PathBuf,
    pub progress: ProgressMode,
}

/// Analyses every job; never stops on a failed one. `cancel` (Ctrl-C) stops the running
/// videos at their next frame without writing them, and starts no new ones.
pub fn run_batch(
    jobs: &[Job],
    config: &Config,
    opts: &BatchOptions,
    cancel: &Arc<AtomicBool>,
) -> Vec<Outcome> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let workers = opts.jobs.clamp(1, jobs.len().max(1));
    // Do not oversubscribe: the model's threads share the cores with the other jobs.
    let threads = if config.pose.threads > 0 {
        config.pose.threads
    } else {
        (cores / workers).max(1)
    };
    let progress = Progress::new(opts.progress, jobs.len());
    // Longest first (file size stands in for length), each worker taking the next when it is
    // free: a long video left for last would run alone on one core while the other idles.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| {
        std::cmp::Reverse(
            std::fs::metadata(&jobs[i].input)
                .map(|m| m.len())
                .unwrap_or(0),
        )
    });
    let settings = crate::outputs::settings::settings_text(config);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<Outcome>>> =
        std::sync::Mutex::new((0..jobs.len()).map(|_| None).collect());
    let run_one = |job: &Job| -> Outcome {
        if cancel.load(Ordering::SeqCst) {
            return Outcome::Failed {
                job: job.clone(),
                error: format!("{}: not started (interrupted)", job.input.display()),
            };
        }
        let dest = opts.out_dir.join(&job.name);
        let config_path = opts.config_path.as_deref();
        if !opts.force && is_up_to_date(&dest, &job.input, config_path, &settings) {
            progress.line(format!(
                "{}: up to date, skipped (use --force to redo)",
                job.input.display()
            ));
            return Outcome::Skipped { job: job.clone() };
        }
        match analyze_one(job, config, opts, threads, &progress, cancel) {
            Ok(()) => Outcome::Done { job: job.clone() },
            Err(e) => {
                let error = e.to_string();
                progress.error(&job.input.display().to_string(), &error);
                Outcome::Failed {
                    job: job.clone(),
                    error,
                }
            }
        }
    };
    let work = || loop {
        let n = next.fetch_add(1, Ordering::SeqCst);
        let Some(&i) = order.get(n) else { break };
        let outcome = run_one(&jobs[i]);
        if let Ok(mut r) = results.lock() {
            r[i] = Some(outcome);
        }
    };
    match rayon::ThreadPoolBuilder::new().num_threads(workers).build() {
        Ok(pool) => pool.scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|_| work());
            }
        }),
        Err(_) => work(),
    }
    let outcomes: Vec<Outcome> = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .zip(jobs)
        .map(|(o, job)| {
            o.unwrap_or_else(|| Outcome::Failed {
                job: job.clone(),
                error: format!("{}: worker stopped", job.input.display()),
            })
        })
        .collect();
    progress.finish();
    outcomes
}

/// Removes temporary folders an interrupted earlier run left for this job.
fn remove_stale_partials(out_dir: &Path, name: &str) {
    let prefix = format!(".{name}.partial-");
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

fn analyze_one(
    job: &Job,
    config: &Config,
    opts: &BatchOptions,
    threads: usize,
    progress: &Progress,
    cancel: &Arc<AtomicBool>,
) -> Result<()> {
    let options = RunOptions {
        models_dir: opts.models_dir.clone(),
        threads,
        cancel: Some(cancel.clone()),
    };
    let started = std::time::Instant::now();
    remove_stale_partials(&opts.out_dir, &job.name);
    let mut bar = progress.start(&job.input.display().to_string(), 0);
    let mut on_frame = |done: usize, total: usize| bar.frame(done, total);
    let clip = analyze_video(&job.input, config, &options, &mut on_frame)?;
    drop(bar);
    if cancel.load(Ordering::SeqCst) {
        return Err(Error::Other(format!(
            "{}: interrupted, nothing written",
            job.input.display()
        )));
    }
    let tmp = opts
        .out_dir
        .join(format!(".{}.partial-{}", job.name, std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| Error::Output {
        path: tmp.clone(),
        reason: e.to_string(),
    })?;
    let written = crate::outputs::write_all(&clip, config, &tmp)
        .and_then(|_| commit_dir(&tmp, &opts.out_dir.join(&job.name)));
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    written?;
    let a = &clip.analysis;
    let mut line = format!(
        "{}: {} frames, person in {:.0}% ({} side, facing {}), {:.1} s -> {}/",
        job.input.display(),
        a.video.decoded_frames,
        a.pose.detected_fraction * 100.0,
        serde_json::to_value(a.pose.side)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        serde_json::to_value(a.pose.facing)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        started.elapsed().as_secs_f64(),
        opts.out_dir.join(&job.name).display()
    );
    if let Some(m) = &a.pose.message {
        line = format!(
            "{}: {m} ({} frames)",
            job.input.display(),
            a.video.decoded_frames
        );
    }
    progress.line(line);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_stems_get_unique_names() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("lift.mp4"), b"x").unwrap();
        std::fs::write(b.join("lift.MOV"), b"x").unwrap();
        std::fs::write(b.join("notes.txt"), b"x").unwrap();
        let mut notes = Vec::new();
        let jobs = collect_jobs(&[a, b], &mut notes).unwrap();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].name, "lift");
        assert_eq!(jobs[1].name, "lift-2");
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn folder_without_videos_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
        let errors = collect_jobs(&[dir.path().to_path_buf()], &mut Vec::new()).unwrap_err();
        assert!(errors[0].contains("no video files"), "{errors:?}");
    }

    #[test]
    fn commit_replaces_only_with_a_complete_folder() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("clip");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("analysis.json"), b"old").unwrap();
        let tmp = dir.path().join(".clip.partial");
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(tmp.join("analysis.json"), b"new").unwrap();
        commit_dir(&tmp, &dest).unwrap();
        assert_eq!(std::fs::read(dest.join("analysis.json")).unwrap(), b"new");
        assert!(!tmp.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no leftovers"
        );
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(sanitize("<b>x</b>"), "<b>x<_b>");
        assert_eq!(sanitize("..hidden"), "hidden");
        assert_eq!(sanitize(""), "video");
    }
}
