//! Frame-by-frame decoding. Never holds more than one frame: a 10-minute 4K clip costs the
//! same memory as a 10-second one.
//!
//! Rotation: OpenCV 4.6's own auto-rotation turns 90°/270° phone clips the wrong way
//! (OpenCV issue #22088), so it is switched off and we rotate by the container's
//! rotation metadata ourselves.

use std::path::{Path, PathBuf};

use opencv::core::{Mat, MatTraitConst};
use opencv::prelude::*;
use opencv::videoio::{self, VideoCapture};

use crate::error::{Error, Result};

/// What the container says about the video, after rotation.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct VideoInfo {
    pub fps: f64,
    /// Frame count as reported by the container; the decoded count may differ.
    pub frames: usize,
    /// Width and height of the frames we hand out (already rotated upright).
    pub width: i32,
    pub height: i32,
    pub duration_s: f64,
    /// The container's rotation metadata (0, 90, 180, 270) as OpenCV reads it; frames are
    /// turned upright as FFmpeg's players show them.
    pub rotation: i32,
}

/// One decoded, upright BGR frame.
pub struct Frame {
    pub index: usize,
    pub time_s: f64,
    pub image: Mat,
}

/// Streams upright frames out of a video file.
pub struct VideoReader {
    path: PathBuf,
    capture: VideoCapture,
    info: VideoInfo,
    next_index: usize,
    raw: Mat,
    /// Set once the stream's own timestamps disagree with index/fps (variable frame rate).
    pub variable_frame_rate: bool,
}

impl VideoReader {
    /// Opens `path` and reads its metadata; fails with a one-line reason when it is no video.
    pub fn open(path: &Path) -> Result<Self> {
        let open_err = |reason: String| Error::VideoOpen {
            path: path.to_path_buf(),
            reason,
        };
        let meta = std::fs::metadata(path).map_err(|e| open_err(e.to_string()))?;
        if meta.is_dir() {
            return Err(open_err("is a directory".into()));
        }
        if !meta.is_file() {
            // a FIFO would block, a device never ends: neither is a recorded video
            return Err(open_err("not a regular file".into()));
        }
        if meta.len() == 0 {
            return Err(open_err("file is empty".into()));
        }
        std::fs::File::open(path).map_err(|e| open_err(e.to_string()))?;
        let name = path
            .to_str()
            .ok_or_else(|| open_err("path is not valid UTF-8".into()))?;
        let mut capture =
            VideoCapture::from_file(name, videoio::CAP_FFMPEG).map_err(|e| open_err(e.message))?;
        if !capture.is_opened().unwrap_or(false) {
            return Err(open_err(
                "FFmpeg could not read a video stream from it".into(),
            ));
        }
        // Our own rotation; see the module comment.
        let _ = capture.set(videoio::CAP_PROP_ORIENTATION_AUTO, 0.0);
        let rotation = normalise_rotation(
            capture
                .get(videoio::CAP_PROP_ORIENTATION_META)
                .unwrap_or(0.0),
        );
        let fps_reported = capture.get(videoio::CAP_PROP_FPS).unwrap_or(0.0);
        let frames = capture
            .get(videoio::CAP_PROP_FRAME_COUNT)
            .unwrap_or(0.0)
            .max(0.0) as usize;
        let raw_w = capture.get(videoio::CAP_PROP_FRAME_WIDTH).unwrap_or(0.0) as i32;
        let raw_h = capture.get(videoio::CAP_PROP_FRAME_HEIGHT).unwrap_or(0.0) as i32;
        if raw_w <= 0 || raw_h <= 0 {
            return Err(open_err("no video stream (width or height is 0)".into()));
        }
        let fps = if fps_reported.is_finite() && fps_reported > 0.5 && fps_reported < 1000.0 {
            fps_reported
        } else {
            30.0
        };
        let (width, height) = if rotation % 180 == 90 {
            (raw_h, raw_w)
        } else {
            (raw_w, raw_h)
        };
        let info = VideoInfo {
            fps,
            frames,
            width,
            height,
            duration_s: frames as f64 / fps,
            rotation,
        };
        Ok(VideoReader {
            path: path.to_path_buf(),
            capture,
            info,
            next_index: 0,
            raw: Mat::default(),
            variable_frame_rate: false,
        })
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// The next upright frame, `Ok(None)` at the end of the stream.
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        self.next_frame_shrunk(1.0)
    }

    /// The next upright frame shrunk by `scale` (area averaging, so fine edges survive;
    /// unchanged at 1). Shrunk, the full-size decode buffer is kept for the next frame
    /// instead of a new 25 MB one each 4K frame.
    pub fn next_frame_shrunk(&mut self, scale: f64) -> Result<Option<Frame>> {
        let ok = self
            .capture
            .read(&mut self.raw)
            .map_err(|e| Error::VideoDecode {
                path: self.path.clone(),
                reason: format!("decoding frame {} failed: {}", self.next_index, e.message),
            })?;
        if !ok || self.raw.empty() {
            return Ok(None);
        }
        let index = self.next_index;
        self.next_index += 1;
        let time_s = self.frame_time_s(index);
        let image = if scale < 1.0 {
            let size = opencv::core::Size::new(
                ((self.raw.cols() as f64 * scale).round() as i32).max(1),
                ((self.raw.rows() as f64 * scale).round() as i32).max(1),
            );
            let mut small = Mat::default();
            opencv::imgproc::resize(
                &self.raw,
                &mut small,
                size,
                0.0,
                0.0,
                opencv::imgproc::INTER_AREA,
            )?;
            small
        } else {
            std::mem::take(&mut self.raw)
        };
        let image = rotate_upright(image, self.info.rotation)?;
        Ok(Some(Frame {
            index,
            time_s,
            image,
        }))
    }

    /// Decodes the next frame without converting it to an image (the codec still needs it
    /// as a reference): `Ok(None)` at the end of the stream, else its index and time.
    pub fn skip_frame(&mut self) -> Result<Option<(usize, f64)>> {
        let ok = self.capture.grab().map_err(|e| Error::VideoDecode {
            path: self.path.clone(),
            reason: format!("decoding frame {} failed: {}", self.next_index, e.message),
        })?;
        if !ok {
            return Ok(None);
        }
        let index = self.next_index;
        self.next_index += 1;
        Ok(Some((index, self.frame_time_s(index))))
    }

    /// Time from index and fps (CAP_PROP_POS_MSEC reads 0 on the last frame), unless the
    /// stream's own timestamps show a variable frame rate.
    fn frame_time_s(&mut self, index: usize) -> f64 {
        let from_index = index as f64 / self.info.fps;
        let pos_s = self.capture.get(videoio::CAP_PROP_POS_MSEC).unwrap_or(0.0) / 1000.0;
        if pos_s > 0.0 && (pos_s - from_index).abs() > 1.5 / self.info.fps {
            self.variable_frame_rate = true;
        }
        if self.variable_frame_rate && pos_s > 0.0 {
            pos_s
        } else {
            from_index
        }
    }
}

/// Rotation metadata to one of 0/90/180/270 (clockwise).
fn normalise_rotation(meta_deg: f64) -> i32 {
    if !meta_deg.is_finite() {
        return 0;
    }
    let r = ((meta_deg.round() as i64 % 360 + 360) % 360) as i32;
    match r {
        45..=134 => 90,
        135..=224 => 180,
        225..=314 => 270,
        _ => 0,
    }
}

/// Turns a decoded frame upright the way FFmpeg's own players show it. OpenCV reports the
/// display-matrix angle counter-clockwise (a clip tagged 90 is shown turned 90°
/// counter-clockwise by ffmpeg), checked pixel by pixel against ffmpeg's auto-rotated
/// frames in `tests/pipeline_real.rs`.
fn rotate_upright(raw: Mat, rotation: i32) -> Result<Mat> {
    let code = match rotation {
        90 => opencv::core::ROTATE_90_COUNTERCLOCKWISE,
        180 => opencv::core::ROTATE_180,
        270 => opencv::core::ROTATE_90_CLOCKWISE,
        _ => return Ok(raw),
    };
    let mut out = Mat::default();
    opencv::core::rotate(&raw, &mut out, code)?;
    Ok(out)
}

/// Frames with a longer short side are analysed on a copy shrunk to it: the pose model looks
/// at a 256-px crop and the bar tracker at a ~100-px patch either way, while a 4K frame costs
/// four times the memory and copying of a 1080p one in every queue it passes.
pub const ANALYSIS_MAX_SHORT_SIDE_PX: i32 = 1080;

/// Analysis pixels per input pixel: 1 up to 1080p, less for larger videos.
pub fn analysis_scale(info: &VideoInfo) -> f64 {
    let short = info.width.min(info.height);
    if short > ANALYSIS_MAX_SHORT_SIDE_PX {
        ANALYSIS_MAX_SHORT_SIDE_PX as f64 / short as f64
    } else {
        1.0
    }
}

/// Frames decoded ahead of the consumer: enough to hide decode jitter, few enough that a 4K
/// queue stays under ~100 MB.
pub const PREFETCH_FRAMES: usize = 3;

/// Decoding on its own thread, a few frames ahead of the consumer (a bounded queue, so memory
/// stays at `depth` frames whatever the video's length): decode overlaps the model and the
/// encoder instead of adding to them.
pub struct Prefetch {
    info: VideoInfo,
    rx: std::sync::mpsc::Receiver<Result<Frame>>,
    handle: Option<std::thread::JoinHandle<VideoReader>>,
}

impl Prefetch {
    /// Starts decoding `reader`, every frame shrunk by `scale` (see
    /// [`VideoReader::next_frame_shrunk`]) on the decoding thread.
    pub fn start(mut reader: VideoReader, depth: usize, scale: f64) -> Self {
        let info = reader.info().clone();
        let (tx, rx) = std::sync::mpsc::sync_channel(depth.max(1));
        let handle = std::thread::spawn(move || {
            loop {
                let next = reader.next_frame_shrunk(scale);
                let stop = !matches!(next, Ok(Some(_)));
                // a closed channel means the consumer stopped early: so do we
                let sent = match next {
                    Ok(Some(d)) => tx.send(Ok(d)),
                    Ok(None) => Ok(()),
                    Err(e) => tx.send(Err(e)),
                };
                if stop || sent.is_err() {
                    break;
                }
            }
            reader
        });
        Prefetch {
            info,
            rx,
            handle: Some(handle),
        }
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// The next decoded frame, `Ok(None)` at the end of the stream.
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        match self.rx.recv() {
            Ok(r) => r.map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Waits for the decoding thread (after the last frame) and says whether the stream
    /// turned out to have a variable frame rate.
    pub fn finish(mut self) -> bool {
        self.handle
            .take()
            .and_then(|h| h.join().ok())
            .is_some_and(|r| r.variable_frame_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_rotation;

    #[test]
    fn rotation_metadata_snaps_to_quarter_turns() {
        assert_eq!(normalise_rotation(0.0), 0);
        assert_eq!(normalise_rotation(90.0), 90);
        assert_eq!(normalise_rotation(-90.0), 270);
        assert_eq!(normalise_rotation(270.0), 270);
        assert_eq!(normalise_rotation(180.0), 180);
        assert_eq!(normalise_rotation(f64::NAN), 0);
    }
}
