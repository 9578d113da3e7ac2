//! Developer cache of the per-frame pose pass, for fast iteration on the analysis stages.
//! Only in a build with the `pose-cache` feature, and only when `FORMCHECK_POSE_CACHE` (read by
//! `main` into [`super::RunOptions::pose_cache`]) names a folder; never in the product. Stores, per frame, the landmarks, the pose score and the person mask
//! (quantised to bytes), keyed by the input's path, size, modification time and the model,
//! so the back contour is re-traced (and the analysis re-run) without running the model.

use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{FramePass, StageTiming, VideoSummary};
use crate::bar::BarTracker;
use crate::config::{Config, ModelKind};
use crate::pose::back_contour::trace_back;
use crate::pose::schedule::ModelSchedule;
use crate::pose::{Landmark, PersonMask, PoseFrame, NUM_LANDMARKS};
use crate::video::VideoInfo;

/// One frame as cached.
pub struct CachedFrame {
    pub index: usize,
    pub time_s: f64,
    pub pose: Option<CachedPose>,
}

pub struct CachedPose {
    pub landmarks: [Landmark; NUM_LANDMARKS],
    pub pose_score: f32,
    pub detector_ran: bool,
    pub mask: Option<PersonMask>,
}

/// A whole clip as cached.
pub struct CachedClip {
    pub info: VideoInfo,
    pub variable_frame_rate: bool,
    pub frames: Vec<CachedFrame>,
}

/// The cache file for `input` in the cache folder `dir`.
pub fn cache_path(dir: &Path, input: &Path, model: ModelKind) -> Option<PathBuf> {
    let meta = std::fs::metadata(input).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::canonicalize(input).ok()?.hash(&mut h);
    meta.len().hash(&mut h);
    meta.modified().ok().hash(&mut h);
    model.file_name().hash(&mut h);
    // the parent folder names renders that are all called video.mp4
    let parent = input
        .parent()
        .and_then(|p| p.file_name())
        .map(|p| p.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = input.file_stem()?.to_string_lossy().to_string();
    Some(PathBuf::from(dir).join(format!("{parent}_{stem}-{:016x}.posecache", h.finish())))
}

fn put_f64(w: &mut Vec<u8>, v: f64) {
    w.extend_from_slice(&v.to_le_bytes());
}
fn put_f32(w: &mut Vec<u8>, v: f32) {
    w.extend_from_slice(&v.to_le_bytes());
}
fn put_u64(w: &mut Vec<u8>, v: u64) {
    w.extend_from_slice(&v.to_le_bytes());
}

/// Writes the clip (best effort: a cache write failure only costs time later).
pub fn save(path: &Path, clip: &CachedClip) {
    let mut w = Vec::new();
    w.extend_from_slice(b"FCPC1");
    let i = &clip.info;
    put_f64(&mut w, i.fps);
    put_u64(&mut w, i.frames as u64);
    put_u64(&mut w, i.width as u64);
    put_u64(&mut w, i.height as u64);
    put_f64(&mut w, i.duration_s);
    put_u64(&mut w, i.rotation as u64);
    w.push(clip.variable_frame_rate as u8);
    put_u64(&mut w, clip.frames.len() as u64);
    for f in &clip.frames {
        put_u64(&mut w, f.index as u64);
        put_f64(&mut w, f.time_s);
        match &f.pose {
            None => w.push(0),
            Some(p) => {
                w.push(1);
                for l in &p.landmarks {
                    for v in [l.x_px, l.y_px, l.z, l.visibility, l.presence] {
                        put_f32(&mut w, v);
                    }
                }
                put_f32(&mut w, p.pose_score);
                w.push(p.detector_ran as u8);
                // size 0: a frame the mask was not computed on
                let empty = PersonMask::new(0, Vec::new(), [0.0; 6]);
                let mask = p.mask.as_ref().unwrap_or(&empty);
                put_u64(&mut w, mask.size as u64);
                for v in mask.crop_to_image {
                    put_f64(&mut w, v);
                }
                w.extend(
                    mask.probs
                        .iter()
                        .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8),
                );
            }
        }
    }
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let tmp = path.with_extension("tmp");
    let ok = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(&w));
    if ok.is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

struct Reader {
    data: Vec<u8>,
    at: usize,
}

impl Reader {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.data.get(self.at..self.at + n)?;
        self.at += n;
        Some(s)
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
}

/// Reads a cached clip; `None` when absent or unreadable.
pub fn load(path: &Path) -> Option<CachedClip> {
    let mut data = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .read_to_end(&mut data)
        .ok()?;
    let mut r = Reader { data, at: 0 };
    if r.take(5)? != b"FCPC1" {
        return None;
    }
    let info = VideoInfo {
        fps: r.f64()?,
        frames: r.u64()? as usize,
        width: r.u64()? as i32,
        height: r.u64()? as i32,
        duration_s: r.f64()?,
        rotation: r.u64()? as i32,
    };
    let variable_frame_rate = r.u8()? != 0;
    let n = r.u64()? as usize;
    let mut frames = Vec::with_capacity(n);
    for _ in 0..n {
        let index = r.u64()? as usize;
        let time_s = r.f64()?;
        let pose = if r.u8()? == 0 {
            None
        } else {
            let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
            for l in landmarks.iter_mut() {
                *l = Landmark {
                    x_px: r.f32()?,
                    y_px: r.f32()?,
                    z: r.f32()?,
                    visibility: r.f32()?,
                    presence: r.f32()?,
                };
            }
            let pose_score = r.f32()?;
            let detector_ran = r.u8()? != 0;
            let size = r.u64()? as usize;
            let mut affine = [0.0; 6];
            for a in affine.iter_mut() {
                *a = r.f64()?;
            }
            let probs = r
                .take(size * size)?
                .iter()
                .map(|&b| b as f32 / 255.0)
                .collect();
            Some(CachedPose {
                landmarks,
                pose_score,
                detector_ran,
                mask: (size > 0).then(|| PersonMask::new(size, probs, affine)),
            })
        };
        frames.push(CachedFrame {
            index,
            time_s,
            pose,
        });
    }
    Some(CachedClip {
        info,
        variable_frame_rate,
        frames,
    })
}

/// The per-frame pass replayed from the developer pose cache :
/// the back is re-traced from the cached mask; the bar tracker sees no image. Replay follows
/// today's [`ModelSchedule`] over the frames the cache holds (a cache written with
/// `pose.analysis_fps = 0` holds them all), so a cached run sees what a real one would.
pub fn replay(
    clip: CachedClip,
    config: &Config,
    on_frame: &mut dyn FnMut(usize, usize),
) -> FramePass {
    let mut bar = BarTracker::new();
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
        bar: bar.into_observations(),
        timing: StageTiming::default(),
    }
    // cached in the analysis copy's pixels, like a real pass before its last step
    .in_input_px()
}
