//! The `formcheck` command line: parses arguments and hands over to the batch runner.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Parser, Subcommand};

use formcheck::batch::{assign_names, outdir, run_batch, walk, BatchOptions, Outcome};
use formcheck::config::Config;
use formcheck::pose::tracker::ModelKind;
use formcheck::progress::ProgressMode;

#[derive(Parser)]
#[command(
    name = "formcheck",
    version,
    about = "Reviews side-view videos of barbell deadlifts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse videos (files or folders) and write results per video into --out.
    Analyze {
        /// Video files or folders of videos.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output folder (one sub-folder per video).
        #[arg(long, short)]
        out: PathBuf,
        /// Config file (TOML); defaults are built in and documented in formcheck.toml.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Landmark model (overrides the config).
        #[arg(long, value_enum)]
        model: Option<ModelKind>,
        /// Videos analysed in parallel (default: all cores).
        #[arg(long, short)]
        jobs: Option<usize>,
        /// Redo videos whose results are already complete and up to date.
        #[arg(long)]
        force: bool,
        /// Only errors on stderr.
        #[arg(long, short)]
        quiet: bool,
        /// Progress as JSON lines on stderr (for other programs).
        #[arg(long)]
        json_progress: bool,
        /// Folder with the ONNX models (default: the shipped models/).
        #[arg(long)]
        models_dir: Option<PathBuf>,
        /// Diameter of the plates on the bar in cm (default 45, a full-size plate).
        #[arg(long)]
        plate_diameter_cm: Option<f64>,
        /// No annotated video and no thumbnails (output.annotated_video = false): faster.
        #[arg(long)]
        no_video: bool,
        /// One short H.264 clip per rep in clips/ (output.rep_clips = true).
        #[arg(long)]
        clips: bool,
        /// When another run holds --out, wait for it instead of exiting with status 2.
        #[arg(long)]
        wait: bool,
    },
    /// Evaluate against the shared renders (gt.json) and labelled clips (labels.csv); prints
    /// markdown tables of per-fault TP/FP/FN/TN, precision, recall, F1 and angle RMSE.
    Eval {
        /// The shared data folder (holds synthetic/ and clips/).
        #[arg(long, default_value = "../shared")]
        shared: PathBuf,
        /// Output folder for the per-clip results.
        #[arg(long, short)]
        out: PathBuf,
        /// Config file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Videos analysed in parallel (default: 1).
        #[arg(long, short, default_value_t = 1)]
        jobs: usize,
        /// Folder with the ONNX models (default: the shipped models/).
        #[arg(long)]
        models_dir: Option<PathBuf>,
        /// No annotated videos for the evaluated clips (a third faster; same figures).
        #[arg(long)]
        no_video: bool,
    },
}

fn default_models_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("FORMCHECK_MODELS") {
        return PathBuf::from(p);
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            if dir.join("models").join("pose_detection.onnx").is_file() {
                return dir.join("models");
            }
        }
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// Silences OpenCV's and its FFmpeg's own log lines (`[h264 @ 0x...]`): every problem
/// reaches the user as one line from us. Must run before any video is opened.
fn quiet_video_logs() {
    for (key, value) in [
        ("OPENCV_LOG_LEVEL", "SILENT"),
        ("OPENCV_FFMPEG_LOGLEVEL", "-8"),
        ("OPENCV_VIDEOIO_DEBUG", "0"),
    ] {
        if std::env::var_os(key).is_none() {
            std::env::set_var(key, value);
        }
    }
    let _ = opencv::core::set_log_level(opencv::core::LogLevel::LOG_LEVEL_SILENT);
}

/// Ctrl-C, SIGTERM and SIGHUP: the first stops the running videos at their next frame
/// (nothing half-written), a second exits at once.
fn on_interrupt(cancel: &Arc<AtomicBool>) {
    let cancel = cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if cancel.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!(
            "interrupted: stopping the running videos (nothing half-written); a second interrupt quits at once"
        );
    });
}

fn main() -> ExitCode {
    quiet_video_logs();
    let cli = Cli::parse();
    match cli.command {
        Command::Eval {
            shared,
            out,
            config,
            jobs,
            models_dir,
            no_video,
        } => {
            let mut cfg = match config
                .as_deref()
                .map(Config::load)
                .unwrap_or(Ok(Config::default()))
            {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            if no_video {
                cfg.output.annotated_video = false;
            }
            let opts = formcheck::eval::EvalOptions {
                shared,
                out,
                jobs,
                models_dir: models_dir.unwrap_or_else(default_models_dir),
            };
            match formcheck::eval::run(&cfg, &opts) {
                Ok(report) => {
                    println!("{}", report.markdown);
                    if report.failures.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        eprintln!("eval: {} checks failed", report.failures.len());
                        ExitCode::from(1)
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Analyze {
            inputs,
            out,
            config,
            model,
            jobs,
            force,
            quiet,
            json_progress,
            models_dir,
            plate_diameter_cm,
            no_video,
            clips,
            wait,
        } => {
            let mut cfg = match &config {
                Some(path) => match Config::load(path) {
                    Ok(c) => c,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => Config::default(),
            };
            if let Some(m) = model {
                cfg.pose.model = m;
            }
            if no_video {
                cfg.output.annotated_video = false;
            }
            cfg.output.rep_clips |= clips;
            if let Some(d) = plate_diameter_cm {
                cfg.bar.plate_diameter_cm = d;
                if let Err(e) = cfg
                    .validate()
                    .and_then(|_| formcheck::config_ranges::check(&cfg))
                {
                    eprintln!("error: --plate-diameter-cm: {e}");
                    return ExitCode::from(2);
                }
            }
            let cancel = Arc::new(AtomicBool::new(false));
            on_interrupt(&cancel);
            let out_canonical = std::fs::canonicalize(&out).ok();
            let collected = walk::collect(&inputs, out_canonical.as_deref());
            if collected.found.is_empty() {
                for e in collected.failures {
                    eprintln!("error: {e}");
                }
                return ExitCode::from(2);
            }
            let mut notes = collected.notes;
            let input_failures = collected.failures;
            if let Err(e) = std::fs::create_dir_all(&out) {
                eprintln!("error: {}: cannot create output folder: {e}", out.display());
                return ExitCode::from(2);
            }
            let waiting = |pid: &str| {
                eprintln!(
                    "waiting: another formcheck run (pid {pid}) is writing to {}",
                    out.display()
                )
            };
            let _lock = match outdir::lock(&out, wait, || cancel.load(Ordering::SeqCst), waiting) {
                Ok(l) => l,
                Err(outdir::LockError::Busy(pid)) => {
                    eprintln!(
                        "error: {}: another formcheck run (pid {pid}) is writing to this output folder; wait for it to finish or add --wait",
                        out.display()
                    );
                    return ExitCode::from(2);
                }
                Err(outdir::LockError::Io(e)) => {
                    eprintln!(
                        "error: {}: cannot lock the output folder: {e}",
                        out.display()
                    );
                    return ExitCode::from(2);
                }
                Err(outdir::LockError::Interrupted) => return ExitCode::from(130),
            };
            let removed = outdir::remove_debris(&out);
            if removed > 0 && !quiet && !json_progress {
                eprintln!(
                    "note: removed {removed} temporary files or folders that interrupted runs left in {}",
                    out.display()
                );
            }
            let jobs_list = assign_names(collected.found, &out, &mut notes);
            for n in &notes {
                eprintln!("note: {n}");
            }
            for e in &input_failures {
                eprintln!("error: {e}");
            }
            let cores = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1);
            let opts = BatchOptions {
                out_dir: out,
                jobs: jobs.unwrap_or(cores),
                force,
                models_dir: models_dir.unwrap_or_else(default_models_dir),
                progress: ProgressMode::choose(quiet, json_progress),
            };
            let outcomes = run_batch(&jobs_list, &cfg, &opts, &cancel);
            // The batch index and summaries cover every result folder in --out, this run's
            // and earlier ones.
            match formcheck::outputs::index::write_batch(&opts.out_dir) {
                Ok(n) if !quiet && !json_progress => eprintln!(
                    "index of {n} videos: {}",
                    opts.out_dir
                        .join(formcheck::outputs::index::INDEX_FILE)
                        .display()
                ),
                Ok(_) => {}
                Err(e) => eprintln!("error: batch index not written: {e}"),
            }
            // Every input that was not analysed counts: missing files and unreadable folders
            // as well as videos that failed.
            let failed: Vec<&String> = input_failures
                .iter()
                .chain(outcomes.iter().filter_map(|o| {
                    if let Outcome::Failed { error, .. } = o {
                        Some(error)
                    } else {
                        None
                    }
                }))
                .collect();
            let done = outcomes
                .iter()
                .filter(|o| matches!(o, Outcome::Done { .. }))
                .count();
            let skipped = outcomes
                .iter()
                .filter(|o| matches!(o, Outcome::Skipped { .. }))
                .count();
            if !failed.is_empty() {
                eprintln!(
                    "{} of {} inputs failed:",
                    failed.len(),
                    outcomes.len() + input_failures.len()
                );
                for e in &failed {
                    eprintln!("  {e}");
                }
            }
            if !quiet && !json_progress {
                eprintln!(
                    "{done} analysed, {skipped} up to date, {} failed",
                    failed.len()
                );
            }
            if cancel.load(Ordering::SeqCst) {
                return ExitCode::from(130);
            }
            if failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
    }
}
