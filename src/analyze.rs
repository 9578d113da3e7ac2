//! The pipeline for one video, read top to bottom like a graph:
//! decode → pose (+ back contour) → kinematics → (bar → reps → faults) → [`ClipAnalysis`].
//! Frames are streamed: only per-frame numbers are kept, never images.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bar::{BarTrack, BarTracker};
use crate::config::Config;
use crate::config::ModelKind;
use crate::error::{Error, Result};
use crate::faults::{Finding, NotAssessable};
use crate::kinematics::back::thoracic_flexion_series;
use crate::kinematics::{self, Facing, Kinematics, Side};
use crate::pose::back_contour::trace_back;
use crate::pose::schedule::ModelSchedule;
use crate::pose::tracker::PoseTracker;
use crate::pose::PoseFrame;
use crate::pose::{Landmark, NUM_LANDMARKS};
use crate::reps::Rep;
use crate::video::decode::{Decoded, Prefetch, PREFETCH_FRAMES};
use crate::video::{VideoInfo, VideoReader};
use crate::view::ViewVerdict;

pub const SCHEMA_VERSION: u32 = 1;

/// How to run (not what to measure: that is [`Config`]).
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub models_dir: PathBuf,
    /// Model threads for this video.
    pub threads: usize,
    /// Set (e.g. by Ctrl-C) to stop at the next frame; the video then fails as interrupted.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl RunOptions {
    pub fn new(models_dir: PathBuf, threads: usize) -> Self {
        RunOptions {
            models_dir,
            threads,
            cancel: None,
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct PoseSummary {
    pub model: ModelKind,
    pub side: Side,
    pub facing: Facing,
    /// Fraction of frames with a person found.
    pub detected_fraction: f64,
    /// Fraction of frames where the detector had to run (the track was lost).
    pub detector_fraction: f64,
    pub person_found: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Where the time went (milliseconds), for the benchmark.
#[derive(Debug, Clone, Default, Serialize)]
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

/// `analysis.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub schema_version: u32,
    pub input: String,
    pub video: VideoSummary,
    pub pose: PoseSummary,
    pub view: ViewVerdict,
    pub bar: BarTrack,
    pub reps: Vec<Rep>,
    pub faults: Vec<Finding>,
    pub not_assessable: Vec<NotAssessable>,
    pub timing: StageTiming,
}

/// Everything known about one clip: the summary and the per-frame series behind it.
#[derive(Debug, Clone)]
pub struct ClipAnalysis {
    pub analysis: Analysis,
    pub poses: Vec<PoseFrame>,
    pub kinematics: Kinematics,
    pub bar: BarTrack,
    /// Upper-back flexion per frame (degrees), from the traced back shape.
    pub thoracic_flexion_deg: Vec<Option<f64>>,
}

impl ClipAnalysis {
    /// What the faults see of this clip: for re-assessing a fault's reference (the plots,
    /// the evaluation) after the analysis.
    pub fn fault_input<'a>(&'a self, config: &'a Config) -> crate::faults::FaultInput<'a> {
        crate::faults::FaultInput {
            kinematics: &self.kinematics,
            bar: &self.bar,
            reps: &self.analysis.reps,
            thoracic_flexion_deg: &self.thoracic_flexion_deg,
            view: &self.analysis.view,
            damage: self.analysis.video.missing_frames(),
            config,
        }
    }
}

/// What the per-frame pass produced: the video's facts, the pose per frame, and the bar
/// tracker that watched the same frames.
pub struct FramePass {
    pub video: VideoSummary,
    pub poses: Vec<PoseFrame>,
    pub bar: BarTracker,
    pub timing: StageTiming,
}

/// Runs the model (and the bar tracker) over the frames of `path` that the [`ModelSchedule`]
/// picks; the others are decoded (the codec needs them) but not converted, and keep
/// `landmarks: None` for the filters to fill.
/// `on_frame(done, total)` reports progress.
pub fn run_frames(
    path: &Path,
    config: &Config,
    options: &RunOptions,
    on_frame: &mut dyn FnMut(usize, usize),
) -> Result<FramePass> {
    let cache = crate::posecache::cache_path(path, config.pose.model);
    if let Some(clip) = cache.as_deref().and_then(crate::posecache::load) {
        return Ok(frames_from_cache(clip, config, on_frame));
    }
    let mut cached = Vec::new();
    let reader = VideoReader::open(path)?;
    let info = reader.info().clone();
    let mut tracker = PoseTracker::load(
        &options.models_dir,
        config.pose.model,
        options.threads,
        config.pose.min_detection_score,
        config.pose.min_pose_score,
    )?;
    let schedule = std::sync::Arc::new(std::sync::Mutex::new(ModelSchedule::new(
        &config.pose,
        info.fps,
    )));
    let wants = {
        let schedule = schedule.clone();
        let fps = info.fps;
        move |i: usize| {
            schedule
                .lock()
                .map(|s| s.wants(i, i as f64 / fps))
                .unwrap_or(true)
        }
    };
    let mut frames = Prefetch::start(reader, PREFETCH_FRAMES, wants);
    let mask_stride = config.pose.mask_stride(info.fps);
    let mut poses = Vec::with_capacity(info.frames);
    // The bar tracker runs on its own thread a frame or two behind the model (a bounded queue),
    // so its image work overlaps the next frame's model run instead of adding to it.
    type BarFrame = (usize, opencv::core::Mat, Option<[Landmark; NUM_LANDMARKS]>);
    let (bar_frames, bar_rx) = std::sync::mpsc::sync_channel::<BarFrame>(2);
    let bar_thread = {
        let mut bar = BarTracker::new(config);
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
        let Some(decoded) = frames.next_decoded()? else {
            break;
        };
        // time spent waiting for the decoding thread: what decode adds to the wall time
        timing.decode_ms += ms(t);
        if options.cancelled() {
            return Err(Error::Other(format!(
                "{}: interrupted at frame {}, nothing written",
                path.display(),
                decoded.index()
            )));
        }
        let frame = match decoded {
            Decoded::Image(frame) => frame,
            Decoded::Skipped { index, time_s } => {
                poses.push(PoseFrame::not_analysed(index, time_s));
                on_frame(poses.len(), info.frames);
                continue;
            }
        };
        let want_mask = frame.index.is_multiple_of(mask_stride);
        let estimate = tracker
            .estimate(&frame.image, want_mask)
            .map_err(|e| Error::Model {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        if cache.is_some() {
            cached.push(crate::posecache::CachedFrame {
                index: frame.index,
                time_s: frame.time_s,
                pose: estimate.as_ref().map(|e| crate::posecache::CachedPose {
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
        if let Ok(mut s) = schedule.lock() {
            s.observe(frame.index as f64 / info.fps, pose.landmarks.as_ref());
        }
        // a closed queue means the bar thread failed: its error is collected below
        let _ = bar_frames.send((frame.index, frame.image, pose.landmarks));
        poses.push(pose);
        on_frame(poses.len(), info.frames);
    }
    let variable_frame_rate = frames.finish();
    drop(bar_frames);
    let (bar, bar_ms) = bar_thread
        .join()
        .unwrap_or_else(|_| Err(Error::Other("the bar tracker panicked".into())))?;
    timing.bar_ms = bar_ms;
    if poses.is_empty() {
        return Err(Error::VideoDecode {
            path: path.to_path_buf(),
            reason: "no frame could be decoded (0 frames or truncated)".into(),
        });
    }
    if let Some(cache) = &cache {
        crate::posecache::save(
            cache,
            &crate::posecache::CachedClip {
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
        bar,
        timing,
    })
}

/// The per-frame pass replayed from the developer pose cache (see [`crate::posecache`]):
/// the back is re-traced from the cached mask; the bar tracker sees no image. Replay follows
/// today's [`ModelSchedule`] over the frames the cache holds (a cache written with
/// `pose.analysis_fps = 0` holds them all), so a cached run sees what a real one would.
fn frames_from_cache(
    clip: crate::posecache::CachedClip,
    config: &Config,
    on_frame: &mut dyn FnMut(usize, usize),
) -> FramePass {
    let mut bar = BarTracker::new(config);
    let fps = clip.info.fps;
    let mut schedule = ModelSchedule::new(&config.pose, fps);
    let mask_stride = config.pose.mask_stride(fps);
    let total = clip.frames.last().map(|f| f.index + 1).unwrap_or(0);
    let empty = opencv::core::Mat::default();
    let mut poses = Vec::with_capacity(total);
    for f in clip.frames {
        // frames the cache lacks are frames the model did not run on
        while poses.len() < f.index {
            let index = poses.len();
            poses.push(PoseFrame::not_analysed(index, index as f64 / fps));
        }
        if !schedule.wants(f.index, f.index as f64 / fps) {
            poses.push(PoseFrame::not_analysed(f.index, f.time_s));
            continue;
        }
        let pose = PoseFrame {
            index: f.index,
            time_s: f.time_s,
            back: f
                .pose
                .as_ref()
                .filter(|_| f.index.is_multiple_of(mask_stride))
                .and_then(|p| trace_back(p.mask.as_ref()?, &p.landmarks)),
            landmarks: f.pose.as_ref().map(|p| p.landmarks),
            pose_score: f.pose.as_ref().map(|p| p.pose_score).unwrap_or(0.0),
            detector_ran: f.pose.as_ref().map(|p| p.detector_ran).unwrap_or(true),
            model_ran: true,
        };
        schedule.observe(f.index as f64 / fps, pose.landmarks.as_ref());
        // the wrist stand-in ignores the image; a plate tracker finds nothing in an empty one
        let _ = bar.observe(pose.index, &empty, pose.landmarks.as_ref().map(|l| &l[..]));
        poses.push(pose);
        on_frame(poses.len(), total);
    }
    let video = VideoSummary {
        decoded_frames: poses.len(),
        variable_frame_rate: clip.variable_frame_rate,
        info: clip.info,
        warnings: Vec::new(),
    };
    FramePass {
        video,
        poses,
        bar,
        timing: StageTiming::default(),
    }
}

/// The whole analysis of one video.
pub fn analyze_video(
    path: &Path,
    config: &Config,
    options: &RunOptions,
    on_frame: &mut dyn FnMut(usize, usize),
) -> Result<ClipAnalysis> {
    let pass = run_frames(path, config, options, on_frame)?;
    Ok(analyze_frames(path, pass, config))
}

/// Everything after the per-frame pass: pure computation on per-frame data.
pub fn analyze_frames(path: &Path, pass: FramePass, config: &Config) -> ClipAnalysis {
    let started = std::time::Instant::now();
    let FramePass {
        video,
        poses,
        bar,
        mut timing,
    } = pass;
    let fps = video.info.fps;
    let stride = config.pose.model_stride(fps);
    let landmarks: Vec<_> = poses.iter().map(|p| p.landmarks).collect();
    let time_s = poses.iter().map(|p| p.time_s).collect();
    let filter = filter_for_stride(&config.filter, stride, fps);
    let model_ran: Vec<bool> = poses.iter().map(|p| p.model_ran).collect();
    let kinematics = kinematics::from_landmarks(
        &landmarks,
        &model_ran,
        time_s,
        fps,
        &filter,
        &config.pose,
        &config.reliability,
    );
    let model_frames = poses.iter().filter(|p| p.model_ran).count().max(1) as f64;
    let found = poses.iter().filter(|p| p.landmarks.is_some()).count();
    let detected_fraction = found as f64 / model_frames;
    let detector_fraction = poses.iter().filter(|p| p.detector_ran).count() as f64 / model_frames;
    let person_found = found > 0;
    let pose = PoseSummary {
        model: config.pose.model,
        side: kinematics.side,
        facing: kinematics.facing,
        detected_fraction,
        detector_fraction,
        person_found,
        message: (!person_found).then(|| "no person found in any frame".to_string()),
    };
    let bar = bar.finish(&kinematics, config);
    let thoracic_flexion_deg = crate::kinematics::filters::fill_gaps(
        &thoracic_flexion_series(&poses.iter().map(|p| p.back.clone()).collect::<Vec<_>>()),
        stride - 1,
    );
    let reps = crate::reps::find_reps(&kinematics, &bar, &config.reps);
    let video = video.with_damage_check(&kinematics.time_s);
    let view = crate::view::check_view(&poses, video.info.height as f64, &reps, &config.view);
    let (faults, not_assessable) = crate::faults::assess(&crate::faults::FaultInput {
        kinematics: &kinematics,
        bar: &bar,
        reps: &reps,
        thoracic_flexion_deg: &thoracic_flexion_deg,
        view: &view,
        damage: video.missing_frames(),
        config,
    });
    timing.reliability_ms = kinematics.reliability_ms;
    timing.analysis_ms = started.elapsed().as_secs_f64() * 1000.0;
    let analysis = Analysis {
        schema_version: SCHEMA_VERSION,
        input: path.display().to_string(),
        video,
        pose,
        view,
        bar: bar.clone(),
        reps,
        faults,
        not_assessable,
        timing,
    };
    ClipAnalysis {
        analysis,
        poses,
        kinematics,
        bar,
        thoracic_flexion_deg,
    }
}

/// The filter settings as they apply when the model ran on every `stride`th frame: the
/// skipped frames are not missing data, so the gap filling always spans them. (The outlier
/// window stays in frames: widened to keep its sample count it rejected real fast motion.)
fn filter_for_stride(
    filter: &crate::config::FilterConfig,
    stride: usize,
    fps: f64,
) -> crate::config::FilterConfig {
    let mut f = filter.clone();
    if stride > 1 {
        f.max_gap_s = filter.max_gap_s.max((stride as f64 - 0.5) / fps);
    }
    f
}
