//! Upright frames at a chosen size, for the annotated-video pass. Decoding and scaling run in
//! an `ffmpeg` child process (its own threads, its fast scaler, its own rotation, which our
//! reader matches pixel for pixel), so this process only draws; without `ffmpeg` the OpenCV
//! reader decodes on a thread and OpenCV scales.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use opencv::core::{Mat, Size, CV_8UC1, CV_8UC3};
use opencv::imgproc;
use opencv::prelude::*;

use super::decode::{Prefetch, PREFETCH_FRAMES};
use super::VideoReader;
use crate::error::{Error, Result};

/// An `ffmpeg` child that is killed and reaped when dropped before it was waited for (an
/// error path that returned early), so a failed clip leaves no ffmpeg running or zombie.
pub struct ReapOnDrop(Option<Child>);

impl ReapOnDrop {
    pub fn new(child: Child) -> Self {
        ReapOnDrop(Some(child))
    }

    /// The child, to wait for it; it is no longer killed on drop.
    pub fn into_inner(mut self) -> Child {
        self.0.take().expect("child present until taken")
    }
}

impl Drop for ReapOnDrop {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
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
    /// Frames read off ffmpeg's pipe (and colour-converted) on their own thread.
    Ffmpeg {
        child: ReapOnDrop,
        frames: std::sync::mpsc::Receiver<Mat>,
        reader: std::thread::JoinHandle<()>,
    },
    OpenCv(Prefetch),
}

impl ScaledFrames {
    /// Frames of `path` at `width`×`height`, decoded and scaled by the `ffmpeg` program
    /// (OpenCV's decoder and resize when it does not start).
    pub fn open(path: &Path, width: i32, height: i32, ffmpeg: &Path) -> Result<Self> {
        let source = match start_ffmpeg(path, width, height, ffmpeg) {
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
            Source::Ffmpeg { frames, .. } => match frames.recv() {
                Ok(image) => Some(image),
                Err(_) if self.next_index == 0 => {
                    // ffmpeg could not read it after all: let OpenCV try
                    // dropping the ffmpeg source kills and reaps the child
                    drop(std::mem::replace(
                        &mut self.source,
                        start_opencv(&self.path)?,
                    ));
                    return self.next_frame();
                }
                Err(_) => None,
            },
            Source::OpenCv(frames) => match frames.next_frame()? {
                Some(frame) => Some(scale(frame.image, self.width, self.height)?),
                None => None,
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
            Source::Ffmpeg {
                child,
                frames,
                reader,
            } => {
                // the reader stops at its next frame, which closes the pipe
                drop(frames);
                let output =
                    child
                        .into_inner()
                        .wait_with_output()
                        .map_err(|e| Error::VideoDecode {
                            path: self.path.clone(),
                            reason: e.to_string(),
                        })?;
                let _ = reader.join();
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

/// `ffmpeg` decodes and scales; frames of even size come as I420, which is half the bytes on
/// the pipe and leaves the colour conversion to OpenCV's (SIMD, ~3x cheaper than swscale's
/// bgr24 output measured on 1080p -> 720p). A thread reads the pipe a few frames ahead (a
/// bounded queue), so the decoder never waits on the drawing and memory stays flat.
fn start_ffmpeg(path: &Path, width: i32, height: i32, ffmpeg: &Path) -> std::io::Result<Source> {
    let yuv = width % 2 == 0 && height % 2 == 0;
    let mut child = Command::new(ffmpeg)
        // the loop filter is about a sixth of H.264 decoding (2.74 -> 2.31 CPU s on the 1080p
        // bench clip); skipping it changes the 720p picture by nothing visible (PSNR against
        // the filtered decode 43-53 dB at worst on the bench clip and phone clips), and this
        // pass only draws: the analysis pass decodes with the filter
        .args(["-v", "error", "-nostdin", "-skip_loop_filter", "all", "-i"])
        .arg(path)
        // every decoded frame once, as the analysis saw them (no rate conversion)
        .args(["-map", "0:v:0", "-an", "-sn", "-fps_mode", "passthrough"])
        .args(["-vf", &format!("scale={width}:{height}:flags=bilinear")])
        .args(["-f", "rawvideo", "-pix_fmt"])
        .arg(if yuv { "yuv420p" } else { "bgr24" })
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut out = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("no stdout"))?;
    let (tx, frames) = std::sync::mpsc::sync_channel(PREFETCH_FRAMES);
    let reader = std::thread::spawn(move || {
        let read = |out: &mut ChildStdout| -> std::result::Result<Mat, String> {
            let blank = |rows, typ| Mat::new_rows_cols_with_default(rows, width, typ, 0.into());
            let mut image = blank(height, CV_8UC3).map_err(|e| e.message)?;
            if yuv {
                let mut planes = blank(height * 3 / 2, CV_8UC1).map_err(|e| e.message)?;
                out.read_exact(planes.data_bytes_mut().map_err(|e| e.message)?)
                    .map_err(|e| e.to_string())?;
                imgproc::cvt_color_def(&planes, &mut image, imgproc::COLOR_YUV2BGR_I420)
                    .map_err(|e| e.message)?;
            } else {
                out.read_exact(image.data_bytes_mut().map_err(|e| e.message)?)
                    .map_err(|e| e.to_string())?;
            }
            Ok(image)
        };
        // the end of the stream, or a consumer that stopped, ends the thread
        while let Ok(image) = read(&mut out) {
            if tx.send(image).is_err() {
                break;
            }
        }
    });
    Ok(Source::Ffmpeg {
        child: ReapOnDrop::new(child),
        frames,
        reader,
    })
}

fn start_opencv(path: &Path) -> Result<Source> {
    Ok(Source::OpenCv(Prefetch::start(
        VideoReader::open(path)?,
        PREFETCH_FRAMES,
        1.0,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_child_is_killed_and_reaped() {
        let Ok(child) = Command::new("sleep").arg("30").spawn() else {
            eprintln!("SKIPPED a_dropped_child_is_killed_and_reaped: no `sleep` program");
            return;
        };
        let pid = child.id();
        let started = std::time::Instant::now();
        drop(ReapOnDrop::new(child));
        // reaped: not even a zombie entry is left
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
        assert!(started.elapsed().as_secs() < 5);
    }
}
