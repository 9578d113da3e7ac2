//! The synthetic must-shows (`../shared/synthetic`): every injected fault found in the right
//! rep and phase, none of the four on `clean`, and the upper-back increase of the rounded
//! renders between half of `upper_back_chord_flexion_deg`'s peak and 5° over it.

use crate::common;

use formcheck::analyze::{analyze_video, ClipAnalysis, RunOptions};
use formcheck::config::Config;
use formcheck::faults::thoracic_rounding::rep_back;

const FOUR: [&str; 4] = [
    "thoracic_rounding",
    "hips_shoot_up",
    "lockout_hyperextension",
    "bar_drift",
];

fn analyse(dir: &std::path::Path) -> (ClipAnalysis, serde_json::Value) {
    let options = RunOptions::new(common::models_dir(), 2);
    let clip = analyze_video(
        &dir.join("video.mp4"),
        &Config::default(),
        &options,
        &mut |_, _| {},
    )
    .unwrap();
    let gt = serde_json::from_str(&std::fs::read_to_string(dir.join("gt.json")).unwrap()).unwrap();
    (clip, gt)
}

fn phase(gt: &serde_json::Value, i: usize) -> String {
    gt["frames"][i]["phase"].as_str().unwrap_or("").to_string()
}

#[test]
fn synthetic_faults_are_found_in_the_right_rep_and_phase() {
    let Some(shared) =
        common::shared_or_skip("synthetic_faults_are_found_in_the_right_rep_and_phase")
    else {
        return;
    };
    let cases: [(&str, Option<&str>, &[&str]); 6] = [
        ("clean", None, &[]),
        (
            "round30",
            Some("thoracic_rounding"),
            &["setup", "floor_to_knee", "knee_to_lockout"],
        ),
        (
            "male720_round30",
            Some("thoracic_rounding"),
            &["setup", "floor_to_knee", "knee_to_lockout"],
        ),
        (
            "hips_first20",
            Some("hips_shoot_up"),
            &["setup", "hips_rise_bar_on_floor"],
        ),
        (
            "lean_back15",
            Some("lockout_hyperextension"),
            &["knee_to_lockout", "lockout_hold"],
        ),
        (
            "drift10",
            Some("bar_drift"),
            &["floor_to_knee", "knee_to_lockout"],
        ),
    ];
    for (name, kind, phases) in cases {
        let dir = shared.join("synthetic").join(name);
        if !dir.join("video.mp4").is_file() {
            eprintln!("SKIPPED {name}: not in ../shared/synthetic");
            continue;
        }
        let (clip, gt) = analyse(&dir);
        let a = &clip.analysis;
        assert!(a.view.side_view, "{name}: {}", a.view.reason);
        assert_eq!(a.reps.len(), 1, "{name}: {:?}", a.reps);
        match kind {
            None => {
                let four: Vec<_> = a
                    .faults
                    .iter()
                    .filter(|f| FOUR.contains(&f.kind.as_str()))
                    .collect();
                assert!(four.is_empty(), "{name}: {four:?}");
            }
            Some(kind) => {
                let hit = a.faults.iter().any(|f| {
                    f.kind == kind
                        && f.rep == 1
                        && (f.start_frame..=f.end_frame)
                            .any(|i| phases.contains(&phase(&gt, i).as_str()))
                });
                assert!(
                    hit,
                    "{name}: {kind} not found in phases {phases:?}: {:?}",
                    a.faults
                );
            }
        }
        if name.contains("round") {
            // the held peak of the fault's own signal: the increase over the rep's flattest
            // back at a comparable posture
            let config = Config::default();
            let input = clip.fault_input(&config);
            let ours = rep_back(&input, &a.reps[0])
                .and_then(|b| b.peak_increase)
                .map(|p| p.1)
                .expect("an increase over the rep's own back");
            let truth = gt["frames"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f["upper_back_chord_flexion_deg"].as_f64())
                .fold(f64::MIN, f64::max);
            // the outline reads a bend smaller than the chord truth (issue 18 dropped the ±5°
            // target for a silhouette): it must show most of the bend, and never more than the
            // truth by over 5°
            assert!(
                ours >= 0.5 * truth && ours <= truth + 5.0,
                "{name}: peak flexion {ours:.1} vs truth {truth:.1}"
            );
        }
    }
}
