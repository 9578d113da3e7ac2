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
    /// An input other than a video (labels, truth files, a folder) could not be read.
    #[error("{path}: cannot read: {reason}")]
    Read { path: PathBuf, reason: String },
    /// The run was stopped (Ctrl-C, a signal) while this video was analysed.
    #[error("{path}: interrupted at frame {frame}, nothing written")]
    Interrupted { path: PathBuf, frame: usize },
    /// A stage thread failed in a way no input should cause.
    #[error("{path}: {reason}")]
    Internal { path: PathBuf, reason: String },
    /// One run of a pose model failed; the per-frame pass adds the video ([`Error::Model`]).
    #[error("{model}: {reason}")]
    Pose { model: &'static str, reason: String },
    /// An OpenCV call failed; the caller that knows the file adds it.
    #[error("OpenCV: {0}")]
    OpenCv(String),
    /// A built-in template did not render (a bug, never the input's fault).
    #[error("{template} template: {reason}")]
    Template {
        template: &'static str,
        reason: String,
    },
}

impl Error {
    /// The process exit status this error stands for: 2 for a config error (usage), 130 for
    /// an interruption, 1 for the rest (an input failed).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config { .. } => 2,
            Error::Interrupted { .. } => 130,
            _ => 1,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<opencv::Error> for Error {
    fn from(e: opencv::Error) -> Self {
        Error::OpenCv(e.message)
    }
}
