//! The library's error type: every error names the file it is about and says why in one line.

use std::path::PathBuf;

/// Errors at the library boundary. The binary wraps them with `anyhow` for context.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot open as a video ({reason})")]
    VideoOpen { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    VideoDecode { path: PathBuf, reason: String },
    #[error("{path}: pose model failed: {reason}")]
    Model { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Config { path: PathBuf, reason: String },
    #[error("{path}: cannot write output: {reason}")]
    Output { path: PathBuf, reason: String },
    #[error("{0}")]
    Other(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<opencv::Error> for Error {
    fn from(e: opencv::Error) -> Self {
        Error::Other(format!("OpenCV: {}", e.message))
    }
}
