//! The per-frame pass: decodes the video once, runs the pose model on the frames the
//! schedule picks (tracking the crop from frame to frame), traces the back contour and lets
//! the bar tracker look at the same frames on its own thread. It returns plain observations
//! ([`FramePass`]); everything after it is computation on numbers
//! ([`crate::analyze::analyze_frames`]). With the `pose-cache` feature a developer cache can
//! stand in for the model ([`posecache`]).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bar::{BarObservations, BarTracker};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::pose::back_contour::trace_back;
use crate::pose::schedule::ModelSchedule;
use crate::pose::tracker::PoseTracker;
use crate::pose::PoseFrame;
use crate::pose::{Landmark, NUM_LANDMARKS};
use crate::video::decode::{analysis_scale, Prefetch, PREFETCH_FRAMES};
use crate::video::{VideoInfo, VideoReader};

#[cfg(feature = "pose-cache")]
pub mod posecache;

/// How to run (not what to measure: that is [`Config`]).
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub models_dir: PathBuf,
    /// Model threads for this video.
    pub threads: usize,
    /// Set (e.g. by Ctrl-C) to stop at the next frame; the video then fails as interrupted.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    pub dev: DevSwitches,
}

/// The developer switches, read from the environment once by `main` (see
/// `docs/development.md`); all off in a normal run.
#[derive(Debug, Clone, Default)]
pub struct DevSwitches {
    /// Developer pose cache folder (`FORMCHECK_POSE_CACHE`; only with the `pose-cache`
    /// feature).
    pub pose_cache: Option<PathBuf>,
    /// Print the bar tracker's plate detections (`FORMCHECK_DEBUG_BAR`).
    pub debug_bar: bool,
    /// Write every landmark-model input crop here (`FORMCHECK_DUMP_CROPS`).
    pub dump_crops: Option<PathBuf>,
}

impl RunOptions {
    pub fn new(models_dir: PathBuf, threads: usize) -> Self {
        RunOptions {
            models_dir,
            threads,
            cancel: None,
            dev: DevSwitches::default(),
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct VideoSummary {
    #[serde(flatten)]
    pub info: VideoInfo,
    pub decoded_frames: usize,
    pub variable_frame_rate: bool,
    /// What is wrong with the file itself (frames missing, broken timestamps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A file with more than this share of its frames missing is damaged.
pub const MAX_MISSING_FRAME_FRACTION: f64 = 0.05;

impl VideoSummary {
    /// Checks the decoded frames against the container: frames missing (a cut or damaged
    /// file), timestamps that stand still or run backwards.
    pub fn with_damage_check(mut self, time_s: &[f64]) -> Self {
        let (decoded, declared) = (self.decoded_frames, self.info.frames);
        if declared > 0 && (decoded as f64) < (1.0 - MAX_MISSING_FRAME_FRACTION) * declared as f64 {
            self.warnings.push(format!(
                "only {decoded} of the {declared} frames the file declares could be decoded: \
                 the file is cut or damaged; reps in the missing part are not judged"
            ));
        }
        let broken = time_s
            .windows(2)
            .filter(|w| {
                w[1].partial_cmp(&w[0]) != Some(std::cmp::Ordering::Greater) || !w[1].is_finite()
            })
            .count();
        if broken > 0 || !self.info.fps.is_finite() || self.info.fps <= 0.0 {
            self.warnings.push(format!(
                "broken timestamps ({broken} frames stand still or go back in time): \
                 speeds and durations are unreliable"
            ));
        }
        self
    }

    /// The warning that makes the end of the clip unjudgeable, if any.
    pub fn missing_frames(&self) -> Option<&str> {
        self.warnings
            .iter()
            .find(|w| w.contains("could be decoded"))
            .map(String::as_str)
    }
}

/// Where the time went (milliseconds), for the benchmark.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct StageTiming {
    pub decode_ms: f64,
    pub detector_ms: f64,
    pub detector_runs: usize,
    pub landmark_ms: f64,
    pub landmark_runs: usize,
    /// Landmark runs that also computed the person mask (`pose.mask_fps`).
    pub mask_runs: usize,
    pub back_contour_ms: f64,
    /// Pose reliability checks and left/right swap repair.
    pub reliability_ms: f64,
    pub bar_ms: f64,
    pub analysis_ms: f64,
}

/// What the per-frame pass produced: the video's facts, the pose per frame, and what the
/// bar tracker saw in the same frames.
pub struct FramePass {
    pub video: VideoSummary,
    pub poses: Vec<PoseFrame>,
    /// What the bar tracker saw; [`crate::bar::track`] turns it into the clip's track.
    pub bar: BarObservations,
    pub timing: StageTiming,
}

impl FramePass {
    /// From the analysis copy's pixels (see [`analysis_scale`]) to the input's, the pass's
    /// last step (a no-op up to 1080p).
    fn in_input_px(self) -> Self {
        let scale = analysis_scale(&self.video.info);
        if scale >= 1.0 {
            return self;
        }
        FramePass {
            poses: self
                .poses
                .into_iter()
                .map(|p| p.scaled_px(1.0 / scale))
                .collect(),
            bar: self.bar.scaled_px(1.0 / scale),
            ..self
        }
    }
}

/// Runs the model (and the bar tracker) over the frames of `path` that the [`ModelSchedule`]
/// picks (decided on this thread, in frame order, so a video always gives the same frames to
/// the model); the others keep `landmarks: None` for the filters to fill.
/// `on_frame(done, total)` reports progress.
pub fn run_frames(
    path: &Path,
    config: &Config,
    options: &RunOptions,
    on_frame: &mut dyn FnMut(usize, usize),
) -> Result<FramePass> {
    #[cfg(feature = "pose-cache")]
    let cache = options
        .dev
        .pose_cache
        .as_deref()
        .and_then(|dir| posecache::cache_path(dir, path, config.pose.model));
    #[cfg(feature = "pose-cache")]
    if let Some(clip) = cache.as_deref().and_then(posecache::load) {
        return Ok(posecache::replay(clip, config, on_frame));
    }
    #[cfg(feature = "pose-cache")]
    let mut cached = Vec::new();
    // OpenCV's own pool (a thread per core, spinning between calls) on top of the model's
    // threads, the decoder and the bar thread oversubscribed the cores; each of its calls here
    // is small (a 256-px warp, a plate patch), so it runs on the caller's thread
    // (`bench/results.md`, session 16: 1.2 CPU-s less on the bench clip).
    opencv::core::set_num_threads(1)?;
    let reader = VideoReader::open(path)?;
    let info = reader.info().clone();
    let mut tracker = PoseTracker::load(
        &options.models_dir,
        config.pose.model,
        options.threads,
        config.pose.min_detection_score,
        config.pose.min_pose_score,
    )?;
    tracker.dump_crops_to(options.dev.dump_crops.clone());
    // Decided here, after the model has seen every earlier frame, not on the decoding thread
    // ahead of it: there the answer depended on how far ahead the thread ran, and the same
    // video gave different frames to the model from run to run (hip up to 9° apart).
    let mut schedule = ModelSchedule::new(&config.pose, info.fps);
    // a 4K video is analysed on a 1080p copy of each frame; what the pass returns is in the
    // input's pixels again (below)
    let scale = analysis_scale(&info);
    let mut frames = Prefetch::start(reader, PREFETCH_FRAMES, scale);
    let mask_stride = config.pose.mask_stride(info.fps);
    let mut poses = Vec::with_capacity(info.frames);
    // The bar tracker runs on its own thread a frame or two behind the model (a bounded queue),
    // so its image work overlaps the next frame's model run instead of adding to it.
    type BarFrame = (usize, opencv::core::Mat, Option<[Landmark; NUM_LANDMARKS]>);
    let (bar_frames, bar_rx) = std::sync::mpsc::sync_channel::<BarFrame>(2);
    let bar_thread = {
        let mut bar = BarTracker::new();
        bar.debug = options.dev.debug_bar;
        std::thread::spawn(move || -> Result<(BarTracker, f64)> {
            let mut spent_ms = 0.0;
            for (index, image, landmarks) in bar_rx {
                let t = std::time::Instant::now();
                bar.observe(index, &image, landmarks.as_ref().map(|l| &l[..]))?;
                spent_ms += t.elapsed().as_secs_f64() * 1000.0;
            }
            Ok((bar, spent_ms))
        })
    };
    let mut timing = StageTiming::default();
    let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1000.0;
    loop {
        let t = std::time::Instant::now();
        let Some(frame) = frames.next_frame()? else {
            break;
        };
        // time spent waiting for the decoding thread: what decode adds to the wall time
        timing.decode_ms += ms(t);
        if options.cancelled() {
            return Err(Error::Interrupted {
                path: path.to_path_buf(),
                frame: frame.index,
            });
        }
        if !schedule.wants(frame.index, frame.index as f64 / info.fps) {
            poses.push(PoseFrame::not_analysed(frame.index, frame.time_s));
            on_frame(poses.len(), info.frames);
            continue;
        }
        let want_mask = frame.index.is_multiple_of(mask_stride);
        let estimate = tracker
            .estimate(&frame.image, want_mask)
            .map_err(|e| Error::Model {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        #[cfg(feature = "pose-cache")]
        if cache.is_some() {
            cached.push(posecache::CachedFrame {
                index: frame.index,
                time_s: frame.time_s,
                pose: estimate.as_ref().map(|e| posecache::CachedPose {
                    landmarks: e.landmarks,
                    pose_score: e.pose_score,
                    detector_ran: e.detector_ran,
                    mask: e.mask.clone(),
                }),
            });
        }
        let pose = match estimate {
            Some(e) => PoseFrame {
                index: frame.index,
                time_s: frame.time_s,
                back: e.mask.as_ref().and_then(|mask| {
                    let t = std::time::Instant::now();
                    let back = trace_back(mask, &e.landmarks);
                    timing.back_contour_ms += ms(t);
                    back
                }),
                landmarks: Some(e.landmarks),
                pose_score: e.pose_score,
                detector_ran: e.detector_ran,
                model_ran: true,
            },
            None => PoseFrame {
                index: frame.index,
                time_s: frame.time_s,
                landmarks: None,
                pose_score: 0.0,
                detector_ran: true,
                back: None,
                model_ran: true,
            },
        };
        schedule.observe(frame.index as f64 / info.fps, pose.landmarks.as_ref());
        // a closed queue means the bar thread failed: its error is collected below
        let _ = bar_frames.send((frame.index, frame.image, pose.landmarks));
        poses.push(pose);
        on_frame(poses.len(), info.frames);
    }
    let variable_frame_rate = frames.finish();
    drop(bar_frames);
    let (bar, bar_ms) = bar_thread.join().unwrap_or_else(|_| {
        Err(Error::Internal {
            path: path.to_path_buf(),
            reason: "the bar tracker panicked".into(),
        })
    })?;
    timing.bar_ms = bar_ms;
    if poses.is_empty() {
        return Err(Error::VideoDecode {
            path: path.to_path_buf(),
            reason: "no frame could be decoded (0 frames or truncated)".into(),
        });
    }
    #[cfg(feature = "pose-cache")]
    if let Some(cache) = &cache {
        posecache::save(
            cache,
            &posecache::CachedClip {
                info: info.clone(),
                variable_frame_rate,
                frames: cached,
            },
        );
    }
    let video = VideoSummary {
        decoded_frames: poses.len(),
        variable_frame_rate,
        info,
        warnings: Vec::new(),
    };
    timing.detector_ms = tracker.timing.detector_s * 1000.0;
    timing.detector_runs = tracker.timing.detector_runs;
    timing.landmark_ms = tracker.timing.landmark_s * 1000.0;
    timing.landmark_runs = tracker.timing.landmark_runs;
    timing.mask_runs = tracker.timing.mask_runs;
    Ok(FramePass {
        video,
        poses,
        bar: bar.into_observations(),
        timing,
    }
    .in_input_px())
}
