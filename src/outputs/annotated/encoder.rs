//! The encoder of `annotated.mp4`: which one ([`Encoder`], chosen once by `main`) and the
//! pipe to it. Debian's `ffmpeg` (libx264, yuv420p, +faststart: plays in browsers and phones),
//! fed raw frames on a pipe by a writer thread (I420 when the size is even, BGR otherwise).
//! Without `ffmpeg` on the PATH (or with `FORMCHECK_ENCODER=opencv`), OpenCV's FFmpeg writer
//! with `avc1`, and if even that cannot open, `mp4v` (MPEG-4 Part 2, which browsers do not
//! play) with a warning that says so.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use opencv::core::{Mat, Size};
use opencv::imgproc;
use opencv::prelude::*;
use opencv::videoio::VideoWriter;

use crate::error::{Error, Result};
use crate::video::decode::PREFETCH_FRAMES;
use crate::video::scaled::ReapOnDrop;

/// The video encoder the outputs use, chosen once by `main`: `FORMCHECK_ENCODER=opencv`
/// forces OpenCV's writer, `FORMCHECK_FFMPEG` names the `ffmpeg` program (e.g. to test a
/// machine without one).
#[derive(Debug, Clone)]
pub struct Encoder {
    pub choice: EncoderChoice,
    pub ffmpeg: std::path::PathBuf,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder {
            choice: EncoderChoice::Auto,
            ffmpeg: "ffmpeg".into(),
        }
    }
}

/// Where frames go.
pub(super) enum Sink {
    /// Frames go to a thread that converts them (I420 for even sizes, see
    /// [`crate::video::scaled`]) and writes them to ffmpeg, so drawing and encoding overlap.
    Ffmpeg {
        child: ReapOnDrop,
        frames: std::sync::mpsc::SyncSender<Mat>,
        writer: std::thread::JoinHandle<std::result::Result<(), String>>,
    },
    OpenCv(VideoWriter),
}

/// Whether frames of this size can travel as I420 (it needs even sizes).
fn sends_yuv(width: i32, height: i32) -> bool {
    width % 2 == 0 && height % 2 == 0
}

/// x264 preset by frame size: the video pass counts against the real-time target. On two
/// cores, 720p from I420 takes 1.8 CPU-s with `ultrafast` against 2.9 with `superfast` for an
/// 11 s clip (files ~1.5 vs ~0.8 MB): overlays are flat colours and text, which survive either.
pub fn x264_preset(width: i32, height: i32) -> &'static str {
    let pixels = width as i64 * height as i64;
    if pixels >= 1280 * 720 {
        "ultrafast"
    } else if pixels > 854 * 480 {
        "superfast"
    } else {
        "veryfast"
    }
}

fn start_ffmpeg(
    ffmpeg: &Path,
    path: &Path,
    width: i32,
    height: i32,
    fps: f64,
) -> std::io::Result<Child> {
    Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo"])
        .args([
            "-pix_fmt",
            if sends_yuv(width, height) {
                "yuv420p"
            } else {
                "bgr24"
            },
            "-s",
            &format!("{width}x{height}"),
        ])
        .args(["-r", &format!("{fps:.6}"), "-i", "-", "-an"])
        .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            x264_preset(width, height),
            "-crf",
            "23",
        ])
        .args(["-pix_fmt", "yuv420p", "-movflags", "+faststart"])
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
}

fn start_opencv(
    path: &Path,
    width: i32,
    height: i32,
    fps: f64,
    warnings: &mut Vec<String>,
) -> Result<(Sink, String, bool)> {
    for (code, name, h264) in [
        ("avc1", "OpenCV FFmpeg writer, H.264 (avc1)", true),
        ("mp4v", "OpenCV FFmpeg writer, MPEG-4 Part 2 (mp4v)", false),
    ] {
        let c: Vec<char> = code.chars().collect();
        let fourcc = VideoWriter::fourcc(c[0], c[1], c[2], c[3])?;
        let writer = VideoWriter::new_with_backend(
            path,
            opencv::videoio::CAP_FFMPEG,
            fourcc,
            fps,
            Size::new(width, height),
            true,
        );
        if let Ok(w) = writer {
            if w.is_opened().unwrap_or(false) {
                if !h264 {
                    warnings.push("H.264 is not available: annotated.mp4 is MPEG-4 Part 2 (mp4v), which most browsers will not play; install ffmpeg".into());
                }
                return Ok((Sink::OpenCv(w), name.into(), h264));
            }
        }
    }
    Err(Error::Output {
        path: path.to_path_buf(),
        reason: "no video encoder: ffmpeg is missing and OpenCV can open neither avc1 nor mp4v"
            .into(),
    })
}

/// Which encoder to try first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncoderChoice {
    /// `ffmpeg` when it starts, else OpenCV's writer.
    Auto,
    /// OpenCV's writer only (what a machine without `ffmpeg` gets).
    OpenCv,
}

impl EncoderChoice {
    /// `opencv` (any case) forces OpenCV's writer; anything else is [`Auto`](Self::Auto)
    /// (the value of `FORMCHECK_ENCODER`, read by `main`).
    pub fn parse(value: &str) -> Self {
        if value.eq_ignore_ascii_case("opencv") {
            EncoderChoice::OpenCv
        } else {
            EncoderChoice::Auto
        }
    }
}

/// Opens the encoder: ffmpeg when present, OpenCV's writer otherwise (with a warning).
pub(super) fn open_sink(
    path: &Path,
    width: i32,
    height: i32,
    fps: f64,
    encoder: &Encoder,
    warnings: &mut Vec<String>,
) -> Result<(Sink, String, bool)> {
    if encoder.choice == EncoderChoice::Auto {
        match start_ffmpeg(&encoder.ffmpeg, path, width, height, fps) {
            Ok(mut child) => {
                if let Some(stdin) = child.stdin.take() {
                    let (frames, rx) = std::sync::mpsc::sync_channel::<Mat>(PREFETCH_FRAMES);
                    let yuv = sends_yuv(width, height);
                    let writer = std::thread::spawn(move || {
                        let mut stdin = std::io::BufWriter::with_capacity(1 << 20, stdin);
                        let mut planes = Mat::default();
                        for frame in rx {
                            let bytes = if yuv {
                                imgproc::cvt_color_def(
                                    &frame,
                                    &mut planes,
                                    imgproc::COLOR_BGR2YUV_I420,
                                )
                                .map_err(|e| e.message)?;
                                planes.data_bytes()
                            } else {
                                frame.data_bytes()
                            }
                            .map_err(|e| e.message)?;
                            stdin.write_all(bytes).map_err(|e| e.to_string())?;
                        }
                        stdin.flush().map_err(|e| e.to_string())
                    });
                    return Ok((
                        Sink::Ffmpeg {
                            child: ReapOnDrop::new(child),
                            frames,
                            writer,
                        },
                        format!(
                            "ffmpeg libx264 ({}, CRF 23, yuv420p, faststart)",
                            x264_preset(width, height)
                        ),
                        true,
                    ));
                }
                let _ = child.kill();
            }
            Err(e) => warnings.push(format!(
                "'{}' could not be started ({e}): fell back to OpenCV's video writer",
                encoder.ffmpeg.display()
            )),
        }
    } else {
        warnings.push("encoder set to OpenCV's video writer (FORMCHECK_ENCODER=opencv)".into());
    }
    start_opencv(path, width, height, fps, warnings)
}

impl Sink {
    pub(super) fn write(&mut self, frame: Mat) -> std::result::Result<(), String> {
        match self {
            // a closed channel means the writer stopped: `finish` says why
            Sink::Ffmpeg { frames, .. } => frames
                .send(frame)
                .map_err(|_| "the encoder stopped".to_string()),
            Sink::OpenCv(w) => w.write(&frame).map_err(|e| e.message),
        }
    }

    pub(super) fn finish(self) -> std::result::Result<(), String> {
        match self {
            Sink::Ffmpeg {
                child,
                frames,
                writer,
            } => {
                drop(frames);
                // joining closes ffmpeg's stdin (the writer owns it), so ffmpeg can finish
                let written = writer
                    .join()
                    .unwrap_or_else(|_| Err("the encoder thread panicked".into()));
                let out = child
                    .into_inner()
                    .wait_with_output()
                    .map_err(|e| e.to_string())?;
                if !out.status.success() {
                    let err = String::from_utf8_lossy(&out.stderr);
                    return Err(format!(
                        "ffmpeg failed ({}): {}",
                        out.status,
                        err.lines().last().unwrap_or("")
                    ));
                }
                written
            }
            Sink::OpenCv(mut w) => w.release().map_err(|e| e.message),
        }
    }
}
