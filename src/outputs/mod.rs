//! Outputs: one file per format behind one small trait (as hyperfine's `export/` does).
//! Adding a data format is one new file and one line in [`exporters`]. The media outputs
//! (plots, annotated video, HTML report) need more than a writer, so [`write_all`] calls them
//! after the data files, in the order their inputs need: plots and the video first, then the
//! report that embeds them. The batch files (index, summary) are written by [`index`] once
//! every video of a run is done.

pub mod annotated;
pub mod calendar;
pub mod clips;
pub mod csv;
#[doc(hidden)]
pub mod font;
pub mod glyphs;
pub mod index;
pub mod json;
pub mod plots;
pub mod report;
pub mod settings;
pub mod summary;
pub mod timeline;
pub mod upper_back;

use std::io::Write;
use std::path::Path;

use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::error::{Error, Result};

/// The encoder settings, chosen once by `main`; defined with the video pass (`annotated`).
pub use annotated::Encoder;

/// Writes one output file for one analysed clip.
pub trait Exporter: Sync {
    /// File name inside the clip's output folder.
    fn file_name(&self) -> &'static str;
    fn write(
        &self,
        clip: &ClipAnalysis,
        config: &Config,
        out: &mut dyn Write,
    ) -> std::io::Result<()>;
}

/// The per-clip data files, in the order they are written.
pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(json::AnalysisJson),
        Box::new(csv::FramesCsv),
        Box::new(summary::ClipSummaryJson),
        Box::new(settings::SettingsToml),
    ]
}

/// Writes every per-clip output into `dir` (the batch runner's temporary folder): the data
/// files, the plots, the annotated video with the fault thumbnails, the upper-back crops and
/// `report.html`.
/// A video that cannot be re-encoded is a warning in the report and on stderr, not a failure:
/// the numbers are still worth having.
pub fn write_all(
    clip: &ClipAnalysis,
    config: &Config,
    dir: &Path,
    encoder: &Encoder,
) -> Result<()> {
    write_data_files(clip, config, dir)?;
    // the upper-back crops (an ffmpeg child seeking in the input) while the plots and the
    // annotated video are made: on their own they left a core idle at the end of the run
    let (plots, media, crops) = std::thread::scope(|scope| {
        let crops = scope.spawn(|| upper_back::write_crops(clip, dir, &encoder.ffmpeg));
        let plots = plots::write_plots(clip, config, dir);
        let media = if !config.output.annotated_video {
            annotated::Media::off()
        } else {
            match annotated::write_annotated(clip, config, dir, encoder) {
                Ok(media) => media,
                Err(e) => {
                    let warning = format!("annotated video not written: {e}");
                    eprintln!("warning: {}: {warning}", clip.analysis.input);
                    annotated::Media::failed(warning)
                }
            }
        };
        let crops = crops.join().unwrap_or_else(|_| {
            Err(Error::Output {
                path: dir.to_path_buf(),
                reason: "the upper-back crop thread panicked".into(),
            })
        });
        (plots, media, crops)
    });
    let plots = plots?;
    let mut media = media;
    if config.output.rep_clips {
        let (clips, warnings) = clips::write_rep_clips(clip, dir, &encoder.ffmpeg);
        media.rep_clips = clips;
        media.warnings.extend(warnings);
    }
    // the upper-back crops: a crop not written is a warning, the report shows what was
    match crops {
        Ok(files) => media.upper_back_crops = files,
        Err(e) => media
            .warnings
            .push(format!("upper-back crops not written: {e}")),
    }
    for w in &media.warnings {
        eprintln!("warning: {}: {w}", clip.analysis.input);
    }
    report::write_report(clip, config, dir, &plots, &media)
}

/// Writes the [`exporters`] files into `dir`.
pub fn write_data_files(clip: &ClipAnalysis, config: &Config, dir: &Path) -> Result<()> {
    for exporter in exporters() {
        let path = dir.join(exporter.file_name());
        let file = std::fs::File::create(&path).map_err(|e| Error::Output {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let mut w = std::io::BufWriter::new(file);
        exporter
            .write(clip, config, &mut w)
            .and_then(|_| w.flush())
            .map_err(|e| Error::Output {
                path: path.clone(),
                reason: e.to_string(),
            })?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary name in the same folder, then renames it, so
/// a reader never sees half a file.
/// Writes `image` as a JPEG of `quality` (0–100) at `path`.
pub fn write_jpeg(image: &opencv::core::Mat, path: &Path, quality: i32) -> Result<()> {
    let params =
        opencv::core::Vector::from_slice(&[opencv::imgcodecs::IMWRITE_JPEG_QUALITY, quality]);
    if opencv::imgcodecs::imwrite(path.to_string_lossy().as_ref(), image, &params)? {
        Ok(())
    } else {
        Err(Error::Output {
            path: path.to_path_buf(),
            reason: "OpenCV could not write the JPEG".into(),
        })
    }
}

pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

/// `Some(v)` as text with `decimals`, `None` as an empty cell.
pub fn cell(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.decimals$}"),
        _ => String::new(),
    }
}
