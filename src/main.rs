//! The `formcheck` command line: parses arguments and hands over to the batch runner.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand};

use formcheck::batch::{
    assign_names, assign_names_for_shard, outdir, reindex, run_batch, shard, walk, BatchOptions,
    Outcome,
};
use formcheck::config::Config;
use formcheck::config::ModelKind;
use formcheck::data_dir::{self, DataPaths, Hints};
use formcheck::progress::ProgressMode;

#[derive(Parser)]
#[command(
    name = "formcheck",
    version,
    about = "Reviews side-view videos of barbell deadlifts",
    after_help = "Examples:
  formcheck analyze lift.mp4 --out results        one video; open results/index.html
  formcheck analyze clients/anna --out results    every video in a folder, resumable
  formcheck doctor                                check the models, ONNX Runtime, ffmpeg, OpenCV"
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
        /// Landmark model, full or lite (overrides the config).
        #[arg(long, value_parser = str::parse::<ModelKind>)]
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
        /// Folder with the ONNX models (default: FORMCHECK_DATA/models, else next to the
        /// executable: ../share/formcheck/models, or models/ of the source tree it was built in).
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
        /// Analyse only part I of N of the inputs (a stable split by each video's result
        /// path; shards share --out and write no index: run `formcheck index OUT` after them).
        /// `auto` takes I and N from a Slurm job array, `auto/N` I from
        /// JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID.
        #[arg(long, value_name = "I/N|auto|auto/N")]
        shard: Option<String>,
    },
    /// Rebuild index.html, summary.csv and summary.json of an output folder from every result
    /// in it (after the shards of a batch have run).
    Index {
        /// The output folder.
        out: PathBuf,
        /// When a run or shard holds OUT, wait for it instead of exiting with status 2.
        #[arg(long)]
        wait: bool,
    },
    /// Evaluate against the shared renders (gt.json) and labelled clips (labels.csv); prints
    /// markdown tables of per-fault TP/FP/FN/TN, precision, recall, F1 and angle RMSE.
    /// A developer command (docs/development.md), hidden from users' help, in builds with
    /// the `eval` feature only.
    #[cfg(feature = "eval")]
    #[command(hide = true)]
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
        /// Folder with the ONNX models (default: as for analyze).
        #[arg(long)]
        models_dir: Option<PathBuf>,
        /// No annotated videos for the evaluated clips (a third faster; same figures).
        #[arg(long)]
        no_video: bool,
    },
    /// Check the models (sha256), ONNX Runtime, ffmpeg and OpenCV; exits 1 with the fix when
    /// something is missing.
    Doctor {
        /// Folder with the ONNX models (default: as for analyze).
        #[arg(long)]
        models_dir: Option<PathBuf>,
    },
    /// Print a shell completion script (scripts/install.sh installs them).
    #[command(hide = true)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff; scripts/install.sh installs it): formcheck(1), or
    /// formcheck-SUBCOMMAND(1) for one of the user commands.
    #[command(hide = true)]
    Man {
        #[arg(value_parser = ["analyze", "doctor"])]
        subcommand: Option<String>,
    },
}

/// Where to look for the models and ONNX Runtime: the flag, then the environment, read once
/// here; `data_dir` owns the order.
fn data_hints(models_dir: Option<PathBuf>) -> Hints {
    let env_path = |key: &str| {
        std::env::var_os(key)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    Hints {
        models_dir,
        data_dir: env_path("FORMCHECK_DATA"),
        models_env: env_path("FORMCHECK_MODELS"),
        ort_library: env_path("ORT_DYLIB_PATH"),
        exe: std::env::current_exe().ok(),
    }
}

/// Finds the models `model` needs and loads ONNX Runtime, before anything is written; a miss
/// is printed with every place looked at and the fix.
fn resolve_data(models_dir: Option<PathBuf>, model: ModelKind) -> anyhow::Result<DataPaths> {
    let required = [formcheck::pose::tracker::DETECTOR_FILE, model.file_name()];
    let data = data_dir::resolve(&data_hints(models_dir), &required)
        .map_err(|e| Failure::usage(e.to_string()))?;
    formcheck::pose::engine::init_runtime(&data.ort_library)
        .map_err(|e| Failure::usage(format!("ONNX Runtime: {e}\n{}", data_dir::FIX)))?;
    Ok(data)
}

/// What ends a command early: the message (printed as `error: …`) and the exit status.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Failure {
    message: String,
    status: u8,
}

impl Failure {
    /// A usage, config or setup problem: exit 2.
    fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            status: 2,
        }
    }
}

/// The exit status of an error, from its type: a [`Failure`] says it; a library error by
/// its kind ([`formcheck::error::Error::exit_code`]); anything else is 1.
fn exit_status(e: &anyhow::Error) -> u8 {
    if let Some(f) = e.downcast_ref::<Failure>() {
        f.status
    } else if let Some(lib) = e.downcast_ref::<formcheck::error::Error>() {
        lib.exit_code()
    } else {
        1
    }
}

/// `formcheck doctor`: one block per check, the fix under each problem.
fn doctor(models_dir: Option<PathBuf>) -> ExitCode {
    let inputs = formcheck::doctor::Inputs {
        hints: data_hints(models_dir),
        ffmpeg: std::env::var_os("FORMCHECK_FFMPEG").unwrap_or_else(|| "ffmpeg".into()),
        path_var: std::env::var_os("PATH"),
    };
    println!("formcheck {}", env!("CARGO_PKG_VERSION"));
    let checks = formcheck::doctor::run(&inputs);
    for c in &checks {
        println!("{}: {}", c.name, if c.ok() { "ok" } else { "PROBLEM" });
        for l in &c.lines {
            println!("  {l}");
        }
        if let Some(fix) = &c.fix {
            println!("  fix: {fix}");
        }
    }
    let problems = checks.iter().filter(|c| !c.ok()).count();
    if problems == 0 {
        println!("everything formcheck needs was found");
        ExitCode::SUCCESS
    } else {
        println!("{problems} problem(s): see the fix under each");
        ExitCode::from(1)
    }
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

/// Whether an interrupt stops the command gracefully: set once `analyze` or `index` can write
/// something; before that (starting up, or any other command) an interrupt exits at once.
static GRACEFUL: AtomicBool = AtomicBool::new(false);

/// Ctrl-C, SIGTERM and SIGHUP: the first stops the running videos at their next frame
/// (nothing half-written), a second exits at once. Installed first thing, so a signal while
/// the command starts up exits 130 instead of killing it with the signal.
fn on_interrupt(cancel: &Arc<AtomicBool>) {
    let cancel = cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if !GRACEFUL.load(Ordering::SeqCst) || cancel.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!(
            "interrupted: stopping the running videos (nothing half-written); a second interrupt quits at once"
        );
    });
}

/// `formcheck index OUT`: the batch files rebuilt from every result folder, alone in OUT.
fn index_command(out: &std::path::Path, wait: bool, cancel: &Arc<AtomicBool>) -> ExitCode {
    let cancel = cancel.clone();
    GRACEFUL.store(true, Ordering::SeqCst);
    let waiting = |holder: &str| {
        eprintln!(
            "waiting: another formcheck run (pid {holder}) is writing to {}",
            out.display()
        )
    };
    match reindex::rebuild(out, wait, || cancel.load(Ordering::SeqCst), waiting) {
        Ok(done) => {
            if done.debris_removed > 0 {
                eprintln!(
                    "note: removed {} temporary files or folders that interrupted runs left in {}",
                    done.debris_removed,
                    out.display()
                );
            }
            eprintln!(
                "index of {} videos: {}",
                done.videos,
                out.join(formcheck::outputs::index::INDEX_FILE).display()
            );
            ExitCode::SUCCESS
        }
        Err(reindex::ReindexError::Interrupted(_)) => ExitCode::from(130),
        Err(e @ reindex::ReindexError::Write(_)) => {
            eprintln!("error: {}: {e}", out.display());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The developer switches, read from the environment here and nowhere deeper (see
/// `docs/development.md`).
fn dev_switches() -> formcheck::pass::DevSwitches {
    let pose_cache = std::env::var_os("FORMCHECK_POSE_CACHE").map(PathBuf::from);
    if pose_cache.is_some() && !cfg!(feature = "pose-cache") {
        eprintln!(
            "warning: FORMCHECK_POSE_CACHE is ignored: this build has no pose cache \
             (cargo build --release --features pose-cache)"
        );
    }
    formcheck::pass::DevSwitches {
        pose_cache,
        debug_bar: std::env::var_os("FORMCHECK_DEBUG_BAR").is_some(),
        dump_crops: std::env::var_os("FORMCHECK_DUMP_CROPS").map(PathBuf::from),
    }
}

/// `formcheck eval`: the developer evaluation on the shared renders and labelled clips.
#[cfg(feature = "eval")]
fn eval_command(
    shared: PathBuf,
    out: PathBuf,
    config: Option<PathBuf>,
    jobs: usize,
    models_dir: Option<PathBuf>,
    no_video: bool,
) -> anyhow::Result<ExitCode> {
    let mut cfg = config
        .as_deref()
        .map(Config::load)
        .unwrap_or(Ok(Config::default()))?;
    if no_video {
        cfg.output.annotated_video = false;
    }
    let data = resolve_data(models_dir, cfg.pose.model)?;
    let opts = formcheck::eval::EvalOptions {
        shared,
        out,
        jobs,
        models_dir: data.models_dir,
        dev: dev_switches(),
        encoder: encoder(),
    };
    let report = formcheck::eval::run(&cfg, &opts).map_err(|e| Failure::usage(e.to_string()))?;
    println!("{}", report.markdown);
    if report.failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("eval: {} checks failed", report.failures.len());
        Ok(ExitCode::from(1))
    }
}

/// The annotated video's encoder: `FORMCHECK_ENCODER=opencv` forces OpenCV's writer,
/// `FORMCHECK_FFMPEG` names the ffmpeg program (read here and nowhere deeper).
fn encoder() -> formcheck::outputs::Encoder {
    let mut e = formcheck::outputs::Encoder::default();
    if let Ok(v) = std::env::var("FORMCHECK_ENCODER") {
        e.choice = formcheck::outputs::annotated::EncoderChoice::parse(&v);
    }
    if let Some(p) = std::env::var_os("FORMCHECK_FFMPEG") {
        e.ffmpeg = PathBuf::from(p);
    }
    e
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(exit_status(&e))
        }
    }
}

/// The command; an error ends it with the status its type says ([`exit_status`]).
fn run() -> anyhow::Result<ExitCode> {
    // first, so a signal while the command starts up (loading the models) is handled too
    let cancel = Arc::new(AtomicBool::new(false));
    on_interrupt(&cancel);
    quiet_video_logs();
    let cli = Cli::parse();
    // read once, here: nothing deeper down looks at the environment for the shard
    let scheduler = shard::SchedulerEnv::from_process();
    Ok(match cli.command {
        Command::Index { out, wait } => index_command(&out, wait, &cancel),
        Command::Doctor { models_dir } => doctor(models_dir),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "formcheck",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Man { subcommand } => {
            let top = Cli::command();
            let page = match &subcommand {
                None => top,
                // clap's names are &'static str (no "string" feature)
                Some(name) => match (top.find_subcommand(name), name.as_str()) {
                    (Some(sub), "analyze") => sub.clone().name("formcheck-analyze"),
                    (Some(sub), "doctor") => sub.clone().name("formcheck-doctor"),
                    _ => {
                        eprintln!("error: no subcommand {name}");
                        return Ok(ExitCode::from(2));
                    }
                },
            };
            match clap_mangen::Man::new(page).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: man page: {e}");
                    ExitCode::from(1)
                }
            }
        }
        #[cfg(feature = "eval")]
        Command::Eval {
            shared,
            out,
            config,
            jobs,
            models_dir,
            no_video,
        } => eval_command(shared, out, config, jobs, models_dir, no_video)?,
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
            shard,
        } => {
            let mut cfg = match &config {
                Some(path) => Config::load(path)?,
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
                cfg.validate()
                    .and_then(|_| formcheck::config::ranges::check(&cfg))
                    .map_err(|e| Failure::usage(format!("--plate-diameter-cm: {e}")))?;
            }
            let shard = shard
                .as_deref()
                .map(|s| shard::parse(s, &scheduler))
                .transpose()
                .map_err(|e| Failure::usage(e.to_string()))?;
            // No models, no runtime: stop before any output folder or index is written.
            let data = resolve_data(models_dir, cfg.pose.model)?;
            GRACEFUL.store(true, Ordering::SeqCst);
            let out_canonical = std::fs::canonicalize(&out).ok();
            let collected = walk::collect(&inputs, out_canonical.as_deref());
            if collected.found.is_empty() {
                for e in collected.failures {
                    eprintln!("error: {e}");
                }
                return Ok(ExitCode::from(2));
            }
            let mut notes = collected.notes;
            let input_failures = collected.failures;
            std::fs::create_dir_all(&out).map_err(|e| {
                Failure::usage(format!(
                    "{}: cannot create output folder: {e}",
                    out.display()
                ))
            })?;
            let waiting = |pid: &str| {
                eprintln!(
                    "waiting: another formcheck run (pid {pid}) is writing to {}",
                    out.display()
                )
            };
            // shards of one batch share the folder; anything else has it alone
            let (mode, who) = match &shard {
                Some(s) => (
                    outdir::LockMode::Shared,
                    format!("{}, shard {s}", std::process::id()),
                ),
                None => (outdir::LockMode::Exclusive, std::process::id().to_string()),
            };
            let cancelled = || cancel.load(Ordering::SeqCst);
            let _lock = match outdir::lock(&out, mode, &who, wait, cancelled, waiting) {
                Ok(l) => l,
                Err(outdir::LockError::Busy(pid)) => {
                    eprintln!(
                        "error: {}: another formcheck run (pid {pid}) is writing to this output folder; wait for it to finish or add --wait",
                        out.display()
                    );
                    return Ok(ExitCode::from(2));
                }
                Err(outdir::LockError::Io(e)) => {
                    eprintln!(
                        "error: {}: cannot lock the output folder: {e}",
                        out.display()
                    );
                    return Ok(ExitCode::from(2));
                }
                Err(outdir::LockError::Interrupted) => return Ok(ExitCode::from(130)),
            };
            // a shard cannot tell another host's live temporary folder from debris
            let removed = match shard {
                Some(_) => 0,
                None => outdir::remove_debris(&out),
            };
            if removed > 0 && !quiet && !json_progress {
                eprintln!(
                    "note: removed {removed} temporary files or folders that interrupted runs left in {}",
                    out.display()
                );
            }
            let jobs_list = match &shard {
                Some(s) => {
                    let (jobs, all) = assign_names_for_shard(collected.found, &out, s, &mut notes);
                    if !quiet && !json_progress {
                        eprintln!("shard {s}: {} of {all} videos", jobs.len());
                    }
                    jobs
                }
                None => assign_names(collected.found, &out, &mut notes),
            };
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
                models_dir: data.models_dir,
                progress: ProgressMode::choose(quiet, json_progress),
                dev: dev_switches(),
                encoder: encoder(),
            };
            let outcomes = run_batch(&jobs_list, &cfg, &opts, &cancel);
            // The batch index and summaries cover every result folder in --out, this run's
            // and earlier ones. Shards leave them to `formcheck index` after the last shard:
            // N shards rebuilding them would read every result N times.
            let index = match &shard {
                Some(s) => {
                    if !quiet && !json_progress {
                        eprintln!(
                            "shard {s}: batch index not written; run `formcheck index {}` once every shard is done",
                            opts.out_dir.display()
                        );
                    }
                    Ok(None)
                }
                None => formcheck::outputs::index::write_batch(&opts.out_dir).map(Some),
            };
            match index {
                Ok(None) => {}
                Ok(Some(n)) if !quiet && !json_progress => eprintln!(
                    "index of {n} videos: {}",
                    opts.out_dir
                        .join(formcheck::outputs::index::INDEX_FILE)
                        .display()
                ),
                Ok(Some(_)) => {}
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
                return Ok(ExitCode::from(130));
            }
            if failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
    })
}
