//! The bar stage against the renders' exact truth (`../shared/synthetic/*/gt.json`): bar
//! position from mid-foot and height over the frames where the plate is followed, the plate
//! scale, and the peak forward drift of `drift10` and `clean`. Runs the binary end to end.

use crate::common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

struct Measured {
    /// (bar_x_cm_from_midfoot, bar_height_cm, source) per frame.
    rows: Vec<(Option<f64>, Option<f64>, String)>,
    cm_per_px: f64,
}

fn analyze(video: &Path, out: &Path) -> Measured {
    let status = Command::new(common::bin())
        .args(["analyze", "--quiet", "--force", "--out"])
        .arg(out)
        .arg(video)
        .arg("--models-dir")
        .arg(common::models_dir())
        .status()
        .expect("formcheck runs");
    assert!(status.success(), "formcheck failed on {}", video.display());
    let dir = out.join("video");
    let csv = std::fs::read_to_string(dir.join("frames.csv")).expect("frames.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (*h, i)).collect();
    let rows = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let num = |name: &str| cells.get(col[name]).and_then(|c| c.parse::<f64>().ok());
            (
                num("bar_x_cm_from_midfoot"),
                num("bar_height_cm"),
                cells[col["bar_source"]].to_string(),
            )
        })
        .collect();
    let analysis: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("analysis.json")).expect("analysis.json"),
    )
    .expect("json");
    Measured {
        rows,
        cm_per_px: analysis["bar"]["scale"]["cm_per_px"]
            .as_f64()
            .expect("scale"),
    }
}

struct Scored {
    x_rmse_cm: f64,
    height_rmse_cm: f64,
    scale_error: f64,
    peak_forward_cm: f64,
    plate_fraction: f64,
}

fn score(case_dir: &Path, m: &Measured) -> Scored {
    let gt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case_dir.join("gt.json")).expect("gt"))
            .expect("gt json");
    let frames = gt["frames"].as_array().expect("frames");
    let cam = &gt["meta"]["camera"];
    let hub_z = frames[0]["joints_3d"]["near_plate_hub"][2]
        .as_f64()
        .expect("hub z");
    let px_per_m =
        cam["fx"].as_f64().expect("fx") / (cam["position"][2].as_f64().expect("z") - hub_z);
    let true_cm_per_px = 100.0 / px_per_m;
    let (mut ex, mut eh) = (Vec::new(), Vec::new());
    let mut peak = f64::NEG_INFINITY;
    let mut plate = 0;
    for (row, f) in m.rows.iter().zip(frames) {
        if row.2 != "plate" {
            continue;
        }
        plate += 1;
        if let Some(x) = row.0 {
            ex.push(x - 100.0 * f["bar_x_from_midfoot_m"].as_f64().expect("x"));
            peak = peak.max(x);
        }
        if let Some(h) = row.1 {
            eh.push(h - 100.0 * f["bar_height_m"].as_f64().expect("h"));
        }
    }
    let rmse = |v: &[f64]| (v.iter().map(|e| e * e).sum::<f64>() / v.len().max(1) as f64).sqrt();
    Scored {
        x_rmse_cm: rmse(&ex),
        height_rmse_cm: rmse(&eh),
        scale_error: m.cm_per_px / true_cm_per_px - 1.0,
        peak_forward_cm: peak,
        plate_fraction: plate as f64 / frames.len() as f64,
    }
}

#[test]
fn bar_matches_the_renders_truth() {
    let Some(shared) = common::shared_or_skip("bar_matches_the_renders_truth") else {
        return;
    };
    let out = tempfile::tempdir().expect("tempdir");
    for (case, peak_range) in [
        ("clean", (-3.0, 3.0)),
        ("drift10", (8.0, 12.0)),
        ("male720_round30", (-3.0, 3.0)),
    ] {
        let case_dir = shared.join("synthetic").join(case);
        let m = analyze(&case_dir.join("video.mp4"), &out.path().join(case));
        let s = score(&case_dir, &m);
        println!(
            "{case}: plate in {:.0}% of frames, x RMSE {:.2} cm, height RMSE {:.2} cm, scale error {:+.1}%, peak forward {:.1} cm",
            100.0 * s.plate_fraction,
            s.x_rmse_cm,
            s.height_rmse_cm,
            100.0 * s.scale_error,
            s.peak_forward_cm
        );
        assert!(
            s.plate_fraction > 0.9,
            "{case}: plate followed in too few frames"
        );
        assert!(s.x_rmse_cm <= 1.5, "{case}: x RMSE {}", s.x_rmse_cm);
        assert!(
            s.height_rmse_cm <= 2.0,
            "{case}: height RMSE {}",
            s.height_rmse_cm
        );
        assert!(
            s.scale_error.abs() <= 0.03,
            "{case}: scale {}",
            s.scale_error
        );
        assert!(
            (peak_range.0..=peak_range.1).contains(&s.peak_forward_cm),
            "{case}: peak forward {} outside {peak_range:?}",
            s.peak_forward_cm
        );
    }
}

#[test]
fn rep_figures_match_the_renders_truth() {
    let Some(shared) = common::shared_or_skip("rep_figures_match_the_renders_truth") else {
        return;
    };
    let case_dir = shared.join("synthetic").join("drift10");
    let config = formcheck::config::Config::default();
    let options = formcheck::analyze::RunOptions::new(common::models_dir(), 1);
    let clip = formcheck::analyze::analyze_video(
        &case_dir.join("video.mp4"),
        &config,
        &options,
        &mut |_, _| {},
    )
    .expect("analysed");
    let gt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case_dir.join("gt.json")).expect("gt"))
            .expect("gt json");
    let frames = gt["frames"].as_array().expect("frames");
    let num = |i: usize, key: &str| frames[i][key].as_f64().expect("number");
    let phase = |i: usize| frames[i]["phase"].as_str().unwrap_or("");
    // the rep's key frames from the truth, as the reps stage would mark them
    let liftoff = (0..frames.len())
        .find(|&i| num(i, "bar_off_floor_m") > 0.0)
        .expect("lift-off");
    let lockout = (0..frames.len())
        .find(|&i| phase(i) == "lockout_hold")
        .expect("lockout");
    let rep = formcheck::reps::Rep {
        start_frame: Some(0),
        liftoff_frame: Some(liftoff),
        lockout_frame: Some(lockout),
        end_frame: Some(frames.len() - 1),
        ..Default::default()
    };
    let m = formcheck::reps::rep_metrics(&clip.bar, &rep, &clip.kinematics);
    let dt = 1.0 / gt["meta"]["params"]["fps"].as_f64().expect("fps");
    let true_rom_cm = 100.0 * (num(lockout, "bar_height_m") - num(liftoff, "bar_height_m"));
    let true_mean = (num(lockout, "bar_height_m") - num(liftoff, "bar_height_m"))
        / ((lockout - liftoff) as f64 * dt);
    let true_peak = (liftoff.max(1)..lockout)
        .map(|i| (num(i + 1, "bar_height_m") - num(i - 1, "bar_height_m")) / (2.0 * dt))
        .fold(f64::NEG_INFINITY, f64::max);
    let true_forward = (0..frames.len())
        .map(|i| 100.0 * num(i, "bar_x_from_midfoot_m"))
        .fold(f64::NEG_INFINITY, f64::max);
    println!("drift10 rep: measured {m:?}");
    println!(
        "drift10 rep: truth rom {true_rom_cm:.1} cm, mean {true_mean:.3} m/s, peak {true_peak:.3} m/s, forward {true_forward:.1} cm"
    );
    let rom = m.range_of_motion_cm.expect("rom");
    assert!(
        (rom - true_rom_cm).abs() <= 2.0,
        "rom {rom} vs {true_rom_cm}"
    );
    let mean = m.mean_concentric_velocity_m_per_s.expect("mean");
    assert!(
        (mean / true_mean - 1.0).abs() <= 0.05,
        "mean {mean} vs {true_mean}"
    );
    let peak = m.peak_concentric_velocity_m_per_s.expect("peak");
    assert!(
        (peak / true_peak - 1.0).abs() <= 0.1,
        "peak {peak} vs {true_peak}"
    );
    let forward = m.max_forward_cm.expect("forward");
    assert!(
        (forward - true_forward).abs() <= 2.0,
        "forward {forward} vs {true_forward}"
    );
    let t = m.time_to_lockout_s.expect("time");
    assert!((t - (lockout - liftoff) as f64 * dt).abs() < 1e-6);
}
