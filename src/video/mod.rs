//! Video in and out: decoding with OpenCV's FFmpeg backend (with our own rotation fix) and,
//! for the annotated video, encoding. Owns nothing about people or bars.

pub mod decode;
pub mod scaled;

pub use decode::{Frame, VideoInfo, VideoReader};

/// File extensions we treat as videos when a folder is given (compared case-insensitively).
pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "mov", "m4v", "avi", "mkv", "webm"];

/// True when `path` has one of [`VIDEO_EXTENSIONS`].
pub fn has_video_extension(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| VIDEO_EXTENSIONS.iter().any(|v| v.eq_ignore_ascii_case(e)))
        .unwrap_or(false)
}
