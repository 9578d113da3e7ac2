//! Batch runs: turns the found videos into jobs with a result folder each (mirroring the
//! inputs' folders, the same video always to the same folder), analyses them in parallel,
//! writes every result atomically (a short-named temporary folder renamed into place once
//! the video is fingerprinted unchanged), and collects one-line errors so one bad file never
//! stops the others. Finding files is [`walk`], the output folder's lock and debris
//! [`outdir`], what a result was made from [`record`], splitting a batch over cluster
//! processes [`shard`], and rebuilding the batch index alone [`reindex`].

pub mod outdir;
pub mod record;
pub mod reindex;
pub mod shard;
pub mod walk;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::analyze::{analyze_video, RunOptions};
use crate::config::Config;
use crate::error::Error;
use crate::progress::{Progress, ProgressMode};
use record::InputRecord;
pub use walk::sanitize;

/// One video to analyse and where its results go.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub input: PathBuf,
    /// Canonical path: what identifies the video.
    pub canonical: PathBuf,
    /// Result folder under the output folder, `/`-separated (mirrors the input's path).
    pub name: String,
}

/// How one job ended.
#[derive(Debug)]
pub enum Outcome {
    Done { job: Job },
    Skipped { job: Job },
    Failed { job: Job, error: String },
}

/// Gives each found video its result folder under `out_dir`: the folder an earlier run gave
/// the same video (by canonical path) when there is one, else the mirrored path; a name
/// another video holds (on disk or in this run) gets `-2`, `-3`, ... and a note.
pub fn assign_names(found: Vec<walk::Found>, out_dir: &Path, notes: &mut Vec<String>) -> Vec<Job> {
    assign_names_noted(found, out_dir)
        .into_iter()
        .map(|(job, note)| {
            notes.extend(note);
            job
        })
        .collect()
}

/// The jobs of one shard: names are given over every found video first, so each shard
/// gives each video the folder a single run would (a `-2` depends on the other videos),
/// then the videos (and notes) of other shards are dropped. Gives the jobs and how many
/// videos the whole batch has.
pub fn assign_names_for_shard(
    found: Vec<walk::Found>,
    out_dir: &Path,
    shard: &shard::Shard,
    notes: &mut Vec<String>,
) -> (Vec<Job>, usize) {
    let keys: Vec<String> = found.iter().map(|f| f.mirrored.clone()).collect();
    let all = keys.len();
    let mut jobs = Vec::new();
    for ((job, note), key) in assign_names_noted(found, out_dir).into_iter().zip(keys) {
        if shard.takes(&key) {
            notes.extend(note);
            jobs.push(job);
        }
    }
    (jobs, all)
}

/// [`assign_names`] with each job's note (a renamed collision) beside it.
fn assign_names_noted(found: Vec<walk::Found>, out_dir: &Path) -> Vec<(Job, Option<String>)> {
    let existing = existing_results(out_dir);
    let owner_of: HashMap<&str, &PathBuf> = existing.iter().map(|(p, n)| (n.as_str(), p)).collect();
    let mut used: HashSet<String> = HashSet::new();
    let mut jobs = Vec::new();
    for f in found {
        if let Some((_, name)) = existing.iter().find(|(p, _)| *p == f.canonical) {
            if used.insert(name.clone()) {
                let job = Job {
                    input: f.input,
                    canonical: f.canonical,
                    name: name.clone(),
                };
                jobs.push((job, None));
                continue;
            }
        }
        let free = |name: &str, used: &HashSet<String>| {
            !used.contains(name)
                && owner_of.get(name).is_none_or(|p| **p == f.canonical)
                && !out_dir.join(name).join(COMPLETE_MARKER).is_file()
        };
        let mut name = f.mirrored.clone();
        let mut n = 2;
        while !free(&name, &used) {
            name = format!("{}-{n}", f.mirrored);
            n += 1;
        }
        let note = (name != f.mirrored).then(|| {
            format!(
                "{}: another video already has '{}/'; results go to '{name}/'",
                f.input.display(),
                f.mirrored
            )
        });
        used.insert(name.clone());
        let job = Job {
            input: f.input,
            canonical: f.canonical,
            name,
        };
        jobs.push((job, note));
    }
    jobs
}

/// The result folders under `out_dir` with the video each was made from: `input.json`'s
/// canonical path, or for older results `analysis.json`'s `input` canonicalized.
fn existing_results(out_dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut it = walkdir::WalkDir::new(out_dir)
        .max_depth(32)
        .sort_by_file_name()
        .into_iter();
    while let Some(Ok(entry)) = it.next() {
        if entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.') {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_dir() || !entry.path().join(COMPLETE_MARKER).is_file() {
            continue;
        }
        it.skip_current_dir();
        let dir = entry.path();
        let owner = InputRecord::read(dir).map(|r| r.path).or_else(|| {
            let text = std::fs::read_to_string(dir.join(COMPLETE_MARKER)).ok()?;
            let v: serde_json::Value = serde_json::from_str(&text).ok()?;
            std::fs::canonicalize(v.get("input")?.as_str()?).ok()
        });
        let Ok(rel) = dir.strip_prefix(out_dir) else {
            continue;
        };
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect::<Vec<_>>()
            .join("/");
        // A folder whose video is unknown is nobody's: it blocks its name.
        found.push((owner.unwrap_or_default(), name));
    }
    found
}

/// True when `dir` holds a complete result made from exactly `record` (same canonical path,
/// size, content fingerprint and settings) and its `settings.toml` reads `settings`.
pub fn is_up_to_date(dir: &Path, record: &InputRecord, settings: &str) -> bool {
    dir.join(COMPLETE_MARKER).is_file()
        && InputRecord::read(dir).as_ref() == Some(record)
        && std::fs::read_to_string(dir.join(crate::outputs::settings::FILE))
            .is_ok_and(|s| s == settings)
}

/// Written last into a result folder: its presence means the folder is complete.
pub const COMPLETE_MARKER: &str = "analysis.json";

/// Options for a batch.
pub struct BatchOptions {
    pub out_dir: PathBuf,
    pub jobs: usize,
    pub force: bool,
    pub models_dir: PathBuf,
    pub progress: ProgressMode,
    pub dev: crate::pass::DevSwitches,
    /// The annotated video's encoder (`FORMCHECK_ENCODER`, `FORMCHECK_FFMPEG`).
    pub encoder: crate::outputs::Encoder,
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
        let record = match InputRecord::take(&job.canonical, &settings) {
            Ok(r) => r,
            Err(e) => {
                let error = format!(
                    "{}: cannot read ({})",
                    job.input.display(),
                    walk::io_reason(&e)
                );
                progress.error(&job.input.display().to_string(), &error);
                return Outcome::Failed {
                    job: job.clone(),
                    error,
                };
            }
        };
        if !opts.force && is_up_to_date(&dest, &record, &settings) {
            progress.line(format!(
                "{}: up to date, skipped (use --force to redo)",
                job.input.display()
            ));
            return Outcome::Skipped { job: job.clone() };
        }
        match analyze_one(job, &record, config, opts, threads, &progress, cancel) {
            Ok(()) => Outcome::Done { job: job.clone() },
            Err(error) => {
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

/// Analyses one video and commits its result; the error is one line naming the video.
fn analyze_one(
    job: &Job,
    record: &InputRecord,
    config: &Config,
    opts: &BatchOptions,
    threads: usize,
    progress: &Progress,
    cancel: &Arc<AtomicBool>,
) -> std::result::Result<(), String> {
    let options = RunOptions {
        models_dir: opts.models_dir.clone(),
        threads,
        cancel: Some(cancel.clone()),
        dev: opts.dev.clone(),
    };
    let video = job.input.display().to_string();
    let started = std::time::Instant::now();
    let mut bar = progress.start(&video, 0);
    let mut on_frame = |done: usize, total: usize| bar.frame(done, total);
    let clip =
        analyze_video(&job.input, config, &options, &mut on_frame).map_err(|e| e.to_string())?;
    drop(bar);
    // a damaged file is analysed, but the user hears about it: one line per problem
    for w in &clip.analysis.video.warnings {
        progress.line(format!("warning: {video}: {w}"));
    }
    if cancel.load(Ordering::SeqCst) {
        return Err(format!("{video}: interrupted, nothing written"));
    }
    let settings = crate::outputs::settings::settings_text(config);
    match InputRecord::take(&job.canonical, &settings) {
        Ok(after) if after.same_content(record) => {}
        Ok(_) => {
            return Err(format!(
                "{video}: changed while it was analysed; result not written (run again)"
            ))
        }
        Err(e) => {
            return Err(format!(
                "{video}: cannot read after the analysis ({})",
                walk::io_reason(&e)
            ))
        }
    }
    let dest = opts.out_dir.join(&job.name);
    let claimed = outdir::claim_temp_dir(&opts.out_dir, "tmp");
    let tmp = claimed
        .as_ref()
        .map(PathBuf::clone)
        .unwrap_or_else(|_| opts.out_dir.join(".tmp"));
    let written = claimed
        .map_err(|e| e.to_string())
        .and_then(|_| {
            crate::outputs::write_all(&clip, config, &tmp, &opts.encoder).map_err(|e| match e {
                Error::Output { reason, .. } => reason,
                other => other.to_string(),
            })
        })
        .and_then(|_| relink_index(&tmp, &job.name).map_err(|e| e.to_string()))
        .and_then(|_| {
            std::fs::write(tmp.join(record::FILE), record.to_json()).map_err(|e| e.to_string())
        })
        .and_then(|_| outdir::commit_dir(&tmp, &dest, &opts.out_dir).map_err(|e| e.to_string()));
    if let Err(reason) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(write_error(&video, &reason, &tmp, &dest));
    }
    let a = &clip.analysis;
    let mut line = format!(
        "{}: {} ({} frames in {:.1} s) -> {}/",
        job.input.display(),
        crate::outputs::summary::verdict_line(&clip),
        a.video.decoded_frames,
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

/// The report's "all videos" link points at `../index.html`; a result nested `n` folders
/// deep (the layout mirrors the inputs) needs `n` steps up to reach `OUT/index.html`.
fn relink_index(dir: &Path, name: &str) -> std::io::Result<()> {
    let depth = name.split('/').count();
    let path = dir.join(crate::outputs::report::REPORT_FILE);
    if depth <= 1 || !path.is_file() {
        return Ok(());
    }
    let html = std::fs::read_to_string(&path)?;
    let up = "../".repeat(depth);
    std::fs::write(
        &path,
        html.replacen(
            "href=\"../index.html\"",
            &format!("href=\"{up}index.html\""),
            1,
        ),
    )
}

/// One line for a failed write: names the video and its result folder, never the temporary
/// path; a full disk says so in words.
pub fn write_error(video: &str, reason: &str, tmp: &Path, dest: &Path) -> String {
    if reason.contains("No space left on device") || reason.contains("os error 28") {
        return format!(
            "{video}: no space left on device while writing {video}'s result (nothing written)"
        );
    }
    let reason = reason
        .replace(&*tmp.to_string_lossy(), &dest.to_string_lossy())
        .replace(" (os error", " (error");
    format!(
        "{video}: cannot write its result to {}: {reason}",
        dest.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(dirs: &[&Path]) -> walk::Collected {
        walk::collect(
            &dirs.iter().map(|d| d.to_path_buf()).collect::<Vec<_>>(),
            None,
        )
    }

    #[test]
    fn result_paths_mirror_the_input_folders() {
        let dir = tempfile::tempdir().unwrap();
        for lifter in ["client_anna", "client_ben"] {
            std::fs::create_dir_all(dir.path().join(lifter)).unwrap();
            std::fs::write(
                dir.path().join(lifter).join("2026-03-01_deadlift.mp4"),
                b"x",
            )
            .unwrap();
        }
        std::fs::write(dir.path().join("client_ben/notes.txt"), b"x").unwrap();
        let c = found(&[dir.path()]);
        assert!(c.failures.is_empty(), "{:?}", c.failures);
        let out = tempfile::tempdir().unwrap();
        let mut notes = Vec::new();
        let jobs = assign_names(c.found, out.path(), &mut notes);
        let names: Vec<_> = jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "client_anna/2026-03-01_deadlift",
                "client_ben/2026-03-01_deadlift"
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn same_stems_given_one_by_one_get_unique_names() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a/lift.mp4"), dir.path().join("b/lift.MOV"));
        std::fs::create_dir_all(a.parent().unwrap()).unwrap();
        std::fs::create_dir_all(b.parent().unwrap()).unwrap();
        std::fs::write(&a, b"x").unwrap();
        std::fs::write(&b, b"y").unwrap();
        let c = walk::collect(&[a, b], None);
        let out = tempfile::tempdir().unwrap();
        let mut notes = Vec::new();
        let jobs = assign_names(c.found, out.path(), &mut notes);
        assert_eq!(jobs[0].name, "lift");
        assert_eq!(jobs[1].name, "lift-2");
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn shards_give_each_video_the_folder_one_run_gives_it() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = ["a/lift.mp4", "b/lift.MOV", "c/lift-2.mp4"]
            .iter()
            .map(|f| dir.path().join(f))
            .collect();
        for f in &files {
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, f.to_string_lossy().as_bytes()).unwrap();
        }
        let out = tempfile::tempdir().unwrap();
        let single: Vec<(PathBuf, String)> = assign_names(
            walk::collect(&files, None).found,
            out.path(),
            &mut Vec::new(),
        )
        .into_iter()
        .map(|j| (j.input, j.name))
        .collect();
        assert_eq!(single[1].1, "lift-2");
        assert_eq!(single[2].1, "lift-2-2");
        // a count that puts `lift` and `lift-2` in different shards: `c/lift-2.mp4` must
        // still not take `lift-2/`, which `b/lift.MOV` has in the other shard
        let count = (2..10)
            .find(|&n| shard::shard_of("lift", n) != shard::shard_of("lift-2", n))
            .unwrap();
        let mut sharded = Vec::new();
        for index in 0..count {
            let s = shard::Shard { index, count };
            let (jobs, all) = assign_names_for_shard(
                walk::collect(&files, None).found,
                out.path(),
                &s,
                &mut Vec::new(),
            );
            assert_eq!(all, 3);
            sharded.extend(jobs.into_iter().map(|j| (j.input, j.name)));
        }
        sharded.sort();
        let mut single = single;
        single.sort();
        assert_eq!(sharded, single);
    }

    #[test]
    fn folder_without_videos_is_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
        let c = found(&[dir.path()]);
        assert!(c.found.is_empty());
        assert!(c.failures[0].contains("no video files"), "{:?}", c.failures);
    }

    #[test]
    fn commit_replaces_only_with_a_complete_folder() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("lifter/clip");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("analysis.json"), b"old").unwrap();
        let tmp = outdir::temp_path(dir.path(), "tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(tmp.join("analysis.json"), b"new").unwrap();
        outdir::commit_dir(&tmp, &dest, dir.path()).unwrap();
        assert_eq!(std::fs::read(dest.join("analysis.json")).unwrap(), b"new");
        assert!(!tmp.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no leftovers"
        );
    }

    #[test]
    fn temporary_folders_taken_by_another_process_with_our_pid_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        // what a container's pid 1 on another node would have made: our next names
        let probe = outdir::temp_path(dir.path(), "tmp");
        let n: usize = probe
            .to_string_lossy()
            .rsplit('-')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let pid = std::process::id();
        let taken: Vec<PathBuf> = (n + 1..n + 6)
            .map(|k| dir.path().join(format!(".tmp-{pid}-{k}")))
            .collect();
        for t in &taken {
            std::fs::create_dir(t).unwrap();
            std::fs::write(t.join("analysis.json"), b"theirs").unwrap();
        }
        let mine = outdir::claim_temp_dir(dir.path(), "tmp").unwrap();
        assert!(!taken.contains(&mine), "{mine:?}");
        assert_eq!(
            std::fs::read_dir(&mine).unwrap().count(),
            0,
            "a fresh, empty folder"
        );
        for t in &taken {
            assert_eq!(std::fs::read(t.join("analysis.json")).unwrap(), b"theirs");
        }
    }

    #[test]
    fn names_are_made_safe_and_short() {
        assert_eq!(sanitize("<b>x</b>"), "<b>x<_b>");
        assert_eq!(sanitize("..hidden"), "hidden");
        assert_eq!(sanitize(""), "video");
        assert_eq!(sanitize(&"é".repeat(200)).len(), walk::MAX_COMPONENT_BYTES);
        let tmp = outdir::temp_path(Path::new("/o"), "tmp");
        assert!(tmp.file_name().unwrap().len() < 40, "{tmp:?}");
    }

    #[test]
    fn debris_names_carry_their_pid() {
        assert_eq!(outdir::debris_pid(".tmp-123-4"), Some(123));
        assert_eq!(outdir::debris_pid(".old-9-0"), Some(9));
        assert_eq!(outdir::debris_pid(".clip.partial-77"), Some(77));
        assert_eq!(outdir::debris_pid(".index.html.tmp-5"), Some(5));
        assert_eq!(outdir::debris_pid(".trends-8.tmp.png"), Some(8));
        assert_eq!(outdir::debris_pid(outdir::LOCK_FILE), None);
        assert_eq!(outdir::debris_pid("clip"), None);
        assert!(outdir::pid_alive(std::process::id()));
    }

    #[test]
    fn full_disk_and_temp_paths_are_worded_for_the_user() {
        let (tmp, dest) = (Path::new("/o/.tmp-1-0"), Path::new("/o/a/clip"));
        let e = write_error(
            "a/clip.mp4",
            "No space left on device (os error 28)",
            tmp,
            dest,
        );
        assert_eq!(e, "a/clip.mp4: no space left on device while writing a/clip.mp4's result (nothing written)");
        let e = write_error(
            "a/clip.mp4",
            "/o/.tmp-1-0/report.html: Permission denied",
            tmp,
            dest,
        );
        assert!(!e.contains(".tmp-") && e.contains("/o/a/clip"), "{e}");
    }
}
