//! Benchmark helper: decodes every frame with formcheck's own reader (OpenCV/FFmpeg, rotation
//! fix) and nothing else. Prints frames and seconds.
use std::path::Path;

use formcheck::video::VideoReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: decode_only VIDEO")?;
    let started = std::time::Instant::now();
    let mut reader = VideoReader::open(Path::new(&path))?;
    let mut frames = 0usize;
    while reader.next_frame()?.is_some() {
        frames += 1;
    }
    println!("{frames} {:.3}", started.elapsed().as_secs_f64());
    Ok(())
}
