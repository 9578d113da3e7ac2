//! Progress for batch runs: a bar per running video and a total on a terminal, plain lines
//! when stderr is not a terminal, JSON lines with `--json-progress`, nothing but errors with
//! `--quiet`. Safe to call from the worker threads.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    Bars,
    Lines,
    Json,
    Quiet,
}

impl ProgressMode {
    /// Bars on a terminal, lines otherwise, unless asked for JSON or quiet.
    pub fn choose(quiet: bool, json: bool) -> Self {
        if quiet {
            ProgressMode::Quiet
        } else if json {
            ProgressMode::Json
        } else if std::io::stderr().is_terminal() {
            ProgressMode::Bars
        } else {
            ProgressMode::Lines
        }
    }
}

/// A running video's progress handle.
pub struct JobProgress<'a> {
    reporter: &'a Progress,
    name: String,
    bar: Option<ProgressBar>,
    started: Instant,
    last_line: Instant,
}

impl JobProgress<'_> {
    /// Frames done out of `total` (the container's count; may be 0 when unknown).
    pub fn frame(&mut self, done: usize, total: usize) {
        match self.reporter.mode {
            ProgressMode::Bars => {
                if let Some(bar) = &self.bar {
                    if total > 0 && bar.length() != Some(total as u64) {
                        bar.set_length(total as u64);
                    }
                    bar.set_position(done as u64);
                }
            }
            ProgressMode::Lines | ProgressMode::Json
                if self.last_line.elapsed().as_secs_f64() >= 5.0 =>
            {
                self.last_line = Instant::now();
                let fps = done as f64 / self.started.elapsed().as_secs_f64().max(1e-6);
                if self.reporter.mode == ProgressMode::Json {
                    self.reporter.emit_json(serde_json::json!({"event": "progress", "input": self.name, "frame": done, "frames": total, "fps": fps}));
                } else {
                    self.reporter.line(format!(
                        "{}: frame {done}/{total} ({fps:.1} fps)",
                        self.name
                    ));
                }
            }
            _ => {}
        }
    }
}

impl Drop for JobProgress<'_> {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            self.reporter.multi.remove(&bar);
        }
        if let Some(total) = &self.reporter.total {
            total.inc(1);
        }
    }
}

/// Progress for a whole batch.
pub struct Progress {
    pub mode: ProgressMode,
    multi: MultiProgress,
    total: Option<ProgressBar>,
    lock: Mutex<()>,
}

impl Progress {
    pub fn new(mode: ProgressMode, videos: usize) -> Self {
        let multi = MultiProgress::with_draw_target(if mode == ProgressMode::Bars {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let total = (mode == ProgressMode::Bars).then(|| {
            let bar = multi.add(ProgressBar::new(videos as u64));
            bar.set_style(
                ProgressStyle::with_template(
                    "total {bar:30.green} {pos}/{len} videos  {elapsed_precise}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            mode,
            multi,
            total,
            lock: Mutex::new(()),
        }
    }

    /// Starts a video's bar.
    pub fn start(&self, name: &str, frames: usize) -> JobProgress<'_> {
        let bar = (self.mode == ProgressMode::Bars).then(|| {
            let bar = self.multi.insert(0, ProgressBar::new(frames as u64));
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:30!} {bar:30.cyan} {pos}/{len} frames {per_sec} ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message(name.to_string());
            bar
        });
        if self.mode == ProgressMode::Json {
            self.emit_json(serde_json::json!({"event": "start", "input": name}));
        }
        JobProgress {
            reporter: self,
            name: name.to_string(),
            bar,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    /// A finished video or a note: printed above the bars (or as a line).
    pub fn line(&self, text: String) {
        match self.mode {
            ProgressMode::Quiet => {}
            ProgressMode::Bars => {
                let _ = self.multi.println(text);
            }
            ProgressMode::Lines => {
                let _g = self.lock.lock();
                eprintln!("{text}");
            }
            ProgressMode::Json => {
                self.emit_json(serde_json::json!({"event": "message", "text": text}))
            }
        }
    }

    /// An error line: shown in every mode, quiet included.
    pub fn error(&self, input: &str, text: &str) {
        match self.mode {
            ProgressMode::Json => {
                self.emit_json(serde_json::json!({"event": "error", "input": input, "error": text}))
            }
            ProgressMode::Bars => {
                let _ = self.multi.println(format!("error: {text}"));
            }
            _ => {
                let _g = self.lock.lock();
                eprintln!("error: {text}");
            }
        }
    }

    fn emit_json(&self, value: serde_json::Value) {
        let _g = self.lock.lock();
        eprintln!("{value}");
    }

    /// Clears the bars at the end.
    pub fn finish(&self) {
        if let Some(total) = &self.total {
            total.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}
