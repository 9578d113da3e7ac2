//! Upright frames at a chosen size, for the annotated-video pass. Decoding and scaling run in
//! an `ffmpeg` child process (its own threads, its fast scaler, its own rotation, which our
//! reader matches pixel for pixel), so this process only draws; without `ffmpeg` the OpenCV
//! reader decodes on a thread and OpenCV scales.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use opencv::core::{Mat, Size, CV_8UC3};
use opencv::imgproc;
use opencv::prelude::*;

use super::decode::{Decoded, Prefetch, PREFETCH_FRAMES};
use super::VideoReader;
use crate::error::{Error, Result};

/// The `ffmpeg` program (`FORMCHECK_FFMPEG` overrides it, e.g. to test a machine without).
pub fn ffmpeg_program() -> String {
    std::env::var("FORMCHECK_FFMPEG").unwrap_or_else(|_| "ffmpeg".into())
}

/// Streams every frame of a video, upright, at `width`×`height`.
pub struct ScaledFrames {
    path: PathBuf,
    width: i32,
    height: i32,
    next_index: usize,
    source: Source,
}

enum Source {
    Ffmpeg { child: Child, out: ChildStdout },
    OpenCv(Prefetch),
}

impl ScaledFrames {
    pub fn open(path: &Path, width: i32, height: i32) -> Result<Self> {
        let source = match start_ffmpeg(path, width, height) {
            Ok(child) => child,
            Err(_) => start_opencv(path)?,
        };
        Ok(ScaledFrames {
            path: path.to_path_buf(),
            width,
            height,
            next_index: 0,
            source,
        })
    }

    /// The next frame and its index, `Ok(None)` at the end.
    pub fn next_frame(&mut self) -> Result<Option<(usize, Mat)>> {
        let image = match &mut self.source {
            Source::Ffmpeg { out, .. } => {
                let mut image = Mat::new_rows_cols_with_default(
                    self.height,
                    self.width,
                    CV_8UC3,
                    opencv::core::Scalar::all(0.0),
                )?;
                match out.read_exact(image.data_bytes_mut()?) {
                    Ok(()) => Some(image),
                    Err(_) if self.next_index == 0 => {
                        // ffmpeg could not read it after all: let OpenCV try
                        self.source = start_opencv(&self.path)?;
                        return self.next_frame();
                    }
                    Err(_) => None,
                }
            }
            Source::OpenCv(frames) => match frames.next_decoded()? {
                Some(Decoded::Image(frame)) => Some(scale(frame.image, self.width, self.height)?),
                Some(Decoded::Skipped { .. }) | None => None,
            },
        };
        Ok(image.map(|image| {
            self.next_index += 1;
            (self.next_index - 1, image)
        }))
    }

    /// Waits for the decoder; an ffmpeg that failed says why.
    pub fn finish(self) -> Result<()> {
        match self.source {
            Source::Ffmpeg { child, out } => {
                drop(out);
                let output = child.wait_with_output().map_err(|e| Error::VideoDecode {
                    path: self.path.clone(),
                    reason: e.to_string(),
                })?;
                // stopped early by us (a closed pipe) is not a failure
                if !output.status.success() && self.next_index == 0 {
                    return Err(Error::VideoDecode {
                        path: self.path,
                        reason: format!(
                            "ffmpeg: {}",
                            String::from_utf8_lossy(&output.stderr).trim()
                        ),
                    });
                }
                Ok(())
            }
            Source::OpenCv(frames) => {
                frames.finish();
                Ok(())
            }
        }
    }
}

fn start_ffmpeg(path: &Path, width: i32, height: i32) -> std::io::Result<Source> {
    let mut child = Command::new(ffmpeg_program())
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(path)
        // every decoded frame once, as the analysis saw them (no rate conversion)
        .args(["-map", "0:v:0", "-an", "-sn", "-fps_mode", "passthrough"])
        .args(["-vf", &format!("scale={width}:{height}:flags=bilinear")])
        .args(["-f", "rawvideo", "-pix_fmt", "bgr24", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let out = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("no stdout"))?;
    Ok(Source::Ffmpeg { child, out })
}

fn start_opencv(path: &Path) -> Result<Source> {
    Ok(Source::OpenCv(Prefetch::start(
        VideoReader::open(path)?,
        PREFETCH_FRAMES,
        |_| true,
    )))
}

fn scale(image: Mat, width: i32, height: i32) -> Result<Mat> {
    if image.cols() == width && image.rows() == height {
        return Ok(image);
    }
    let mut resized = Mat::default();
    imgproc::resize(
        &image,
        &mut resized,
        Size::new(width, height),
        0.0,
        0.0,
        imgproc::INTER_LINEAR,
    )?;
    Ok(resized)
}
