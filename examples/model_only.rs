//! Benchmark helper: the model part of the floor. Runs formcheck's own ONNX Runtime engine on
//! as many inputs as a formcheck run did (its `analysis.json` `timing`: landmark runs, of them
//! with the person mask, detector runs) at the pipeline's intra-op thread count, and nothing
//! else: no decode, no crop warp, no post-processing. The inputs are fixed pseudo-random
//! pixels (a CNN's cost does not depend on what the pixels show).
//!
//! `model_only MODELS_DIR LANDMARK_RUNS MASK_RUNS DETECTOR_RUNS THREADS [full|lite]`
//! prints one line of `key=value`: per-run milliseconds without and with the mask, of the
//! detector, and the loop's wall and CPU seconds (model loading excluded, printed apart).
use std::path::Path;

use formcheck::config::ModelKind;
use formcheck::pose::tracker::DETECTOR_FILE;
use formcheck::pose::{Engine, OrtEngine};

/// Landmark model input side (px) and detector input side (px), as the pipeline feeds them.
const LANDMARK_SIDE_PX: usize = 256;
const DETECTOR_SIDE_PX: usize = formcheck::pose::detector::DETECTOR_SIZE;

/// User + system CPU seconds of this process so far (all threads).
fn cpu_s() -> f64 {
    // SAFETY: getrusage writes into the struct we pass; nothing else is shared.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// `n` values in `lo..hi` from a fixed linear congruential sequence.
fn pixels(n: usize, lo: f32, hi: f32) -> Vec<f32> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            lo + (hi - lo) * ((state >> 40) as f32 / (1u64 << 24) as f32)
        })
        .collect()
}

/// Runs `engine` `runs` times; gives the milliseconds per run.
fn time_runs(
    engine: &mut dyn Engine,
    input: &[f32],
    shape: &[usize],
    runs: usize,
) -> Result<f64, String> {
    let started = std::time::Instant::now();
    for _ in 0..runs {
        engine.run(input, shape)?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e3 / runs.max(1) as f64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage =
        "usage: model_only MODELS_DIR LANDMARK_RUNS MASK_RUNS DETECTOR_RUNS THREADS [full|lite]";
    if args.len() < 5 {
        return Err(usage.into());
    }
    let models = Path::new(&args[0]);
    let num = |i: usize| -> Result<usize, String> {
        args[i]
            .parse()
            .map_err(|_| format!("{usage}: {:?} is not a count", args[i]))
    };
    let (landmark_runs, mask_runs, detector_runs, threads) = (num(1)?, num(2)?, num(3)?, num(4)?);
    let kind = match args.get(5).map(String::as_str) {
        None | Some("full") => ModelKind::Full,
        Some("lite") => ModelKind::Lite,
        Some(other) => return Err(format!("{usage}: unknown model {other:?}").into()),
    };
    let load_started = (std::time::Instant::now(), cpu_s());
    let mut masked = OrtEngine::load(&models.join(kind.file_name()), threads)?;
    // as the tracker does: the mask-less model when shipped, else every run has the mask
    let mut unmasked = match kind.no_mask_file_name() {
        Some(f) if models.join(f).is_file() => Some(OrtEngine::load(&models.join(f), threads)?),
        _ => None,
    };
    let mut detector = OrtEngine::load(&models.join(DETECTOR_FILE), threads)?;
    let load_s = load_started.0.elapsed().as_secs_f64();
    let load_cpu_s = cpu_s() - load_started.1;

    let crop = pixels(LANDMARK_SIDE_PX * LANDMARK_SIDE_PX * 3, 0.0, 1.0);
    let crop_shape = [1, LANDMARK_SIDE_PX, LANDMARK_SIDE_PX, 3];
    let frame = pixels(DETECTOR_SIDE_PX * DETECTOR_SIDE_PX * 3, -1.0, 1.0);
    let frame_shape = [1, DETECTOR_SIDE_PX, DETECTOR_SIDE_PX, 3];
    // one warm-up run each: the first run of a session allocates its buffers
    masked.run(&crop, &crop_shape)?;
    if let Some(u) = unmasked.as_mut() {
        u.run(&crop, &crop_shape)?;
    }
    detector.run(&frame, &frame_shape)?;

    let (started, cpu_before) = (std::time::Instant::now(), cpu_s());
    let plain_runs = landmark_runs.saturating_sub(mask_runs);
    let (no_mask_ms, with_mask_ms) = match unmasked.as_mut() {
        Some(u) => (
            time_runs(u, &crop, &crop_shape, plain_runs)?,
            time_runs(&mut masked, &crop, &crop_shape, mask_runs)?,
        ),
        None => {
            let ms = time_runs(&mut masked, &crop, &crop_shape, landmark_runs)?;
            (ms, ms)
        }
    };
    let detector_ms = time_runs(&mut detector, &frame, &frame_shape, detector_runs)?;
    let wall_s = started.elapsed().as_secs_f64();
    let loop_cpu_s = cpu_s() - cpu_before;
    println!(
        "threads={threads} landmark_runs={landmark_runs} mask_runs={mask_runs} detector_runs={detector_runs} \
no_mask_ms={no_mask_ms:.2} with_mask_ms={with_mask_ms:.2} detector_ms={detector_ms:.2} \
wall_s={wall_s:.3} cpu_s={loop_cpu_s:.3} load_s={load_s:.3} load_cpu_s={load_cpu_s:.3}"
    );
    Ok(())
}
