//! Progress for batch runs: a bar per running video and a total on a terminal, plain lines
//! when stderr is not a terminal, JSON lines with `--json-progress`, nothing but errors with
//! `--quiet`. Safe to call from the worker threads.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Characters of a video's name shown beside its bar: the end of a long path (the file name
/// and its folder) is what tells videos apart.
const NAME_CHARS: usize = 36;

/// The last `n` characters of `name`, with "…" in front when cut.
pub fn name_tail(name: &str, n: usize) -> String {
    let count = name.chars().count();
    if count <= n {
        return format!("{name:<n$}");
    }
    let tail: String = name.chars().skip(count - (n - 1)).collect();
    format!("…{tail}")
}

/// A rate as people read it: "12 fps", "3.4 fps", "0.52 fps".
pub fn rounded_rate(per_s: f64) -> String {
    if !per_s.is_finite() || per_s <= 0.0 {
        "– fps".into()
    } else if per_s >= 10.0 {
        format!("{per_s:.0} fps")
    } else if per_s >= 1.0 {
        format!("{per_s:.1} fps")
    } else {
        format!("{per_s:.2} fps")
    }
}

/// A duration as "1 h 05 min", "4 min 10 s", "12 s".
pub fn rounded_duration(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

/// The style of a video's bar: frames with a rounded rate and ETA once the frame count is
/// known; before that, only the name and a spinner (no `0/0 frames`).
fn video_style(known_length: bool) -> ProgressStyle {
    let template = if known_length {
        "{msg} {bar:30.cyan} {pos}/{len} frames {rate} ETA {eta_rounded}"
    } else {
        "{msg} {spinner} starting"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&rounded_rate(s.per_sec()));
        })
        .with_key(
            "eta_rounded",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                // no rate yet, no estimate
                let text = if s.pos() == 0 {
                    "–".to_string()
                } else {
                    rounded_duration(s.eta().as_secs_f64())
                };
                let _ = w.write_str(&text);
            },
        )
}

/// The batch bar: videos done, time so far, and an ETA from the time per finished video
/// (shown once one is done).
fn total_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "total {bar:30.green} {pos}/{len} videos  {elapsed_precise}  {batch_eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key(
        "batch_eta",
        |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let text = if s.pos() == 0 {
                "ETA after the first video".to_string()
            } else {
                let per_video = s.elapsed().as_secs_f64() / s.pos() as f64;
                let left = s.len().unwrap_or(0).saturating_sub(s.pos()) as f64;
                format!("ETA {}", rounded_duration(per_video * left))
            };
            let _ = w.write_str(&text);
        },
    )
}

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
                        if bar.length().unwrap_or(0) == 0 {
                            bar.set_style(video_style(true));
                        }
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
                    self.reporter.emit_json(serde_json::json!({"event": "progress", "input": self.name, "frame": done, "frames": total, "fps": (fps * 100.0).round() / 100.0}));
                } else if total > 0 {
                    self.reporter.line(format!(
                        "{}: frame {done}/{total} ({})",
                        self.name,
                        rounded_rate(fps)
                    ));
                } else {
                    self.reporter.line(format!(
                        "{}: frame {done} ({})",
                        self.name,
                        rounded_rate(fps)
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
            bar.set_style(total_style());
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
            bar.set_style(video_style(frames > 0));
            if frames == 0 {
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
            }
            bar.set_message(name_tail(name, NAME_CHARS));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_keep_their_end_and_rates_are_rounded() {
        let long = "/home/coach/clients/anna/2026-03-01/deadlift_set2_top.mp4";
        let shown = name_tail(long, 20);
        assert_eq!(shown.chars().count(), 20);
        assert!(
            shown.starts_with('…') && shown.ends_with("set2_top.mp4"),
            "{shown}"
        );
        assert_eq!(name_tail("a.mp4", 8), "a.mp4   ");
        assert_eq!(rounded_rate(23.456), "23 fps");
        assert_eq!(rounded_rate(3.456), "3.5 fps");
        assert_eq!(rounded_rate(0.4567), "0.46 fps");
        assert_eq!(rounded_duration(75.4), "1 min 15 s");
        assert_eq!(rounded_duration(3720.0), "1 h 02 min");
    }
}
