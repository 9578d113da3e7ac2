//! Planted feet: in a deadlift the feet do not move, so where the model cannot see the near
//! ankle, heel or toe (the plate hides them at the set-up and at the floor) the joint takes
//! its planted position, measured on the frames where the model does see it.
//!
//! Why: a hidden ankle is a guess, often a shin's length off (on the renders the set-up ankle
//! reads 50 px above its true place, beside the knee), and the knee and shin angles and the
//! bar-to-shin distance stand on it. Nothing is planted when the seen positions are spread
//! (the lifter shuffles or walks): then the measurements stay as they are.

use super::{filters, Joint, JointTrack};

/// The foot joints that stay planted.
const FOOT: [Joint; 3] = [Joint::Ankle, Joint::Heel, Joint::FootIndex];
/// The joints that are guesses when the feet are not in the picture.
pub const LOWER_LEG: [Joint; 4] = [Joint::Knee, Joint::Ankle, Joint::Heel, Joint::FootIndex];
/// Fewest seen frames, and least share of the clip, for a planted position.
const MIN_SEEN_FRAMES: usize = 5;
const MIN_SEEN_FRACTION: f64 = 0.1;
/// Median distance of the seen positions from the planted one (torso lengths) over which the
/// foot moved during the clip: a keypoint's jitter on a still foot is a few hundredths.
const MAX_SPREAD_TORSO: f64 = 0.1;
/// A reading this far above its planted place (torso lengths) is off the floor, and a foot
/// stays on the floor through a deadlift: it is the model's guess, however sure the model
/// says it is. Behind the plate at the set-up the whole foot floats up with the guess, 0.2–0.45
/// torso lengths on the renders (visibility 0.6–0.97; the planted place lies 0.07–0.22 from the
/// true ankle where the guess lay 0.25–0.46) and on the real set-ups (A09, A11, B20–B24). A
/// heel rising on the toes stays under it; a foot stepping in or out stays on the floor.
const FLOATING_TORSO: f64 = 0.15;

/// Under this share of the frames with a person, no foot joint seen means the feet are not
/// in the picture. On the matrix renders whose camera cuts the feet off, 0–2 % of frames see
/// a foot; every labelled real clip sees one in 15 % or more (the plate hides the feet only
/// while the bar is low).
const MIN_FEET_SEEN_FRACTION: f64 = 0.05;

/// Whether the model sees a foot joint (ankle, heel or toe, `visibility >= seen_visibility`)
/// on enough of the frames with a person to say the feet are in the picture. When not, the
/// legs run out of the frame or are hidden all along, and the knee the model draws is a
/// guess: on a render whose camera cut the feet off it folded the legs into the frame and the
/// hip angle read 90° at lockout.
pub fn feet_in_picture(joints: &[JointTrack], seen_visibility: f32) -> bool {
    let with_person = joints
        .first()
        .map(|t| t.raw.iter().filter(|p| p.is_some()).count())
        .unwrap_or(0);
    if with_person == 0 {
        return true;
    }
    let seen = (0..joints[0].raw.len())
        .filter(|&i| {
            joints
                .iter()
                .filter(|t| FOOT.contains(&t.joint))
                .any(|t| t.visibility.get(i).copied().flatten().unwrap_or(0.0) >= seen_visibility)
        })
        .count();
    seen as f64 >= MIN_FEET_SEEN_FRACTION * with_person as f64
}

/// The robust planted position of one foot joint: the median of its filtered positions on
/// reliable frames (`reliable[i]`) where the model sees it (`visibility >= seen_visibility`);
/// `None` when too few are seen or they are spread (the foot moved).
pub fn planted_position(
    track: &JointTrack,
    seen_visibility: f32,
    reliable: &[bool],
    torso_px: f64,
) -> Option<(f64, f64)> {
    // a frame whose skeleton is wrong (folded into the picture when a low camera cuts the
    // head off) can see its ankle clearly in the wrong place: only reliable frames count
    let seen: Vec<(f64, f64)> = track
        .filtered
        .iter()
        .zip(&track.visibility)
        .zip(reliable)
        .filter_map(|((p, v), &ok)| {
            (ok && v.unwrap_or(0.0) >= seen_visibility)
                .then_some(*p)
                .flatten()
        })
        .collect();
    let needed =
        MIN_SEEN_FRAMES.max((MIN_SEEN_FRACTION * track.filtered.len() as f64).ceil() as usize);
    if seen.len() < needed || torso_px <= 0.0 {
        return None;
    }
    let mut xs: Vec<f64> = seen.iter().map(|p| p.0).collect();
    let mut ys: Vec<f64> = seen.iter().map(|p| p.1).collect();
    let planted = (filters::median_of(&mut xs), filters::median_of(&mut ys));
    let mut spread: Vec<f64> = seen
        .iter()
        .map(|p| (p.0 - planted.0).hypot(p.1 - planted.1))
        .collect();
    (filters::median_of(&mut spread) <= MAX_SPREAD_TORSO * torso_px).then_some(planted)
}

/// Gives each foot joint its planted position on the frames where the model found the lifter
/// but does not see the joint (or its reading was gated out), and on the frames the model
/// skipped next to such a frame (their filtered value interpolates the hidden guesses); a
/// seen reading stays, and so does every frame without a person.
pub fn plant(joints: &mut [JointTrack], seen_visibility: f32, reliable: &[bool], torso_px: f64) {
    for track in joints.iter_mut().filter(|t| FOOT.contains(&t.joint)) {
        let Some(planted) = planted_position(track, seen_visibility, reliable, torso_px) else {
            continue;
        };
        // a hidden reading is the model's guess, often a shin's length off, so the planted
        // place is better; a seen one stays (a foot walking in or out is seen) unless it
        // floats above the floor
        let floats = |p: &(f64, f64)| planted.1 - p.1 > FLOATING_TORSO * torso_px;
        let hidden: Vec<Option<bool>> = track
            .raw
            .iter()
            .zip(&track.visibility)
            .zip(&track.filtered)
            .map(|((raw, v), p)| {
                raw.map(|_| v.unwrap_or(0.0) < seen_visibility || p.is_none_or(|p| floats(&p)))
            })
            .collect();
        let skipped_next_to_hidden = |i: usize| {
            let before = hidden[..i].iter().rev().find_map(|h| *h);
            let after = hidden[i + 1..].iter().find_map(|h| *h);
            before == Some(true) || after == Some(true)
        };
        for (i, p) in track.filtered.iter_mut().enumerate() {
            let plant_here = match hidden[i] {
                Some(h) => h,
                None => p.is_some() && skipped_next_to_hidden(i),
            };
            if plant_here {
                *p = Some(planted);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ankle at (300, 400) seen on frames `seen`, and a hidden guess beside the knee on the
    /// others.
    fn ankle(n: usize, seen: std::ops::Range<usize>) -> JointTrack {
        let mut t = JointTrack::exact(Joint::Ankle, vec![Some((300.0, 400.0)); n], 0.9);
        for i in 0..n {
            if !seen.contains(&i) {
                t.raw[i] = Some((310.0, 340.0));
                t.filtered[i] = Some((310.0, 340.0));
                t.visibility[i] = Some(0.3);
            }
        }
        t
    }

    /// Plants `joints` and checks that every frame of the first sits at (300, 400).
    fn assert_all_planted(mut joints: Vec<JointTrack>) {
        plant(&mut joints, 0.5, &[true; 100], 100.0);
        assert!(joints[0]
            .filtered
            .iter()
            .all(|p| *p == Some((300.0, 400.0))));
    }

    #[test]
    fn a_hidden_ankle_takes_its_planted_place() {
        assert_all_planted(vec![ankle(30, 10..20)]);
    }

    #[test]
    fn a_seen_ankle_floating_above_the_floor_takes_its_planted_place() {
        // frames 0–9 "see" the ankle 30 px up (0.3 torso lengths: the guess behind the plate)
        let mut t = JointTrack::exact(Joint::Ankle, vec![Some((300.0, 400.0)); 30], 0.9);
        for i in 0..10 {
            t.raw[i] = Some((296.0, 370.0));
            t.filtered[i] = Some((296.0, 370.0));
        }
        assert_all_planted(vec![t]);
        // a heel rising 8 px (on the toes) and a foot stepping 30 px along the floor stay
        let mut t = JointTrack::exact(Joint::Ankle, vec![Some((300.0, 400.0)); 30], 0.9);
        for i in 0..5 {
            t.filtered[i] = Some((300.0, 392.0));
            t.filtered[25 + i] = Some((330.0, 400.0));
        }
        let before = t.filtered.clone();
        let mut joints = vec![t];
        plant(&mut joints, 0.5, &[true; 30], 100.0);
        assert_eq!(joints[0].filtered, before);
    }

    #[test]
    fn unreliable_frames_that_see_the_ankle_elsewhere_do_not_move_it() {
        // 20 frames see the ankle planted; 40 folded-skeleton frames see it by the knee
        let mut t = JointTrack::exact(Joint::Ankle, vec![Some((300.0, 400.0)); 60], 0.9);
        for p in t.filtered.iter_mut().skip(20) {
            *p = Some((310.0, 340.0));
        }
        let reliable: Vec<bool> = (0..60).map(|i| i < 20).collect();
        assert_eq!(
            planted_position(&t, 0.5, &reliable, 100.0),
            Some((300.0, 400.0))
        );
    }

    #[test]
    fn a_skipped_frame_between_hidden_guesses_takes_the_planted_place_too() {
        // the model ran on every other frame; the others interpolate its readings
        let mut joints = vec![ankle(30, 5..25)];
        for i in (0..30).filter(|i| i % 2 != 0) {
            joints[0].raw[i] = None;
            joints[0].visibility[i] = None;
        }
        assert_all_planted(joints);
    }

    #[test]
    fn a_skipped_frame_between_seen_readings_keeps_its_value() {
        let mut joints = vec![ankle(30, 10..20)];
        joints[0].raw[15] = None;
        joints[0].visibility[15] = None;
        joints[0].filtered[15] = Some((301.0, 401.0));
        plant(&mut joints, 0.5, &[true; 100], 100.0);
        assert_eq!(joints[0].filtered[15], Some((301.0, 401.0)));
    }

    #[test]
    fn too_few_seen_frames_plant_nothing() {
        let mut joints = vec![ankle(100, 0..4)];
        plant(&mut joints, 0.5, &[true; 100], 100.0);
        assert_eq!(joints[0].filtered[50], Some((310.0, 340.0)));
    }

    #[test]
    fn a_foot_that_moves_is_not_planted() {
        let mut t = JointTrack::exact(
            Joint::Ankle,
            (0..30)
                .map(|i| Some((200.0 + 10.0 * i as f64, 400.0)))
                .collect(),
            0.9,
        );
        t.visibility[0] = Some(0.1);
        let before = t.filtered.clone();
        let mut joints = vec![t];
        plant(&mut joints, 0.5, &[true; 100], 100.0);
        assert_eq!(joints[0].filtered, before);
    }

    #[test]
    fn a_frame_without_a_person_stays_empty_and_other_joints_are_untouched() {
        let mut a = ankle(30, 10..20);
        a.raw[0] = None;
        a.filtered[0] = None;
        let knee = JointTrack::exact(Joint::Knee, vec![Some((310.0, 340.0)); 30], 0.3);
        let mut joints = vec![a, knee.clone()];
        plant(&mut joints, 0.5, &[true; 100], 100.0);
        assert_eq!(joints[0].filtered[0], None);
        assert_eq!(joints[1].filtered, knee.filtered);
    }

    #[test]
    fn feet_never_seen_are_not_in_the_picture() {
        let hidden = |j: Joint, seen: usize| {
            let mut t = JointTrack::exact(j, vec![Some((300.0, 400.0)); 100], 0.2);
            for v in t.visibility.iter_mut().take(seen) {
                *v = Some(0.9);
            }
            t
        };
        let shoulder = JointTrack::exact(Joint::Shoulder, vec![Some((300.0, 100.0)); 100], 0.9);
        let cut = [
            shoulder.clone(),
            hidden(Joint::Ankle, 2),
            hidden(Joint::Heel, 1),
        ];
        assert!(!feet_in_picture(&cut, 0.5));
        // the plate hides the feet for most of the clip, but they are seen at the top
        let hidden_at_the_floor = [
            shoulder,
            hidden(Joint::Ankle, 0),
            hidden(Joint::FootIndex, 15),
        ];
        assert!(feet_in_picture(&hidden_at_the_floor, 0.5));
    }

    #[test]
    fn a_seen_foot_walking_in_keeps_its_readings() {
        // seen throughout: 20 planted frames, then 10 far away (walking off)
        let mut t = JointTrack::exact(Joint::Heel, vec![Some((300.0, 400.0)); 30], 0.9);
        for i in 20..30 {
            t.filtered[i] = Some((500.0, 400.0));
        }
        let mut joints = vec![t];
        plant(&mut joints, 0.5, &[true; 100], 100.0);
        assert_eq!(joints[0].filtered[25], Some((500.0, 400.0)));
    }
}
