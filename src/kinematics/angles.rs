//! Joint angle conventions (the shared ground truth uses the same ones). Points are image
//! pixels, y down; `facing` is +1 when the lifter faces image-right, −1 when image-left.
//! Angles are computed in a frame where "forward" is the lifter's facing direction and y is up.
//!
//! - `trunk_angle_deg`: hip→shoulder line from vertical, + leaning forward, − leaning back.
//! - `hip_angle_deg`: shoulder–hip–knee through the front, 180 = straight, >180 hyperextended.
//! - `knee_angle_deg`: hip–knee–ankle through the back, 180 = straight.
//! - `shin_angle_deg`: ankle→knee from vertical, + knee forward of the ankle.
//! - `neck_angle_deg`: shoulder→ear line against the trunk line, + head extended (looking up).

pub type Point = (f64, f64);

/// An anatomical range of an angle, degrees (inclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range(f64, f64);

impl Range {
    pub fn contains(&self, deg: f64) -> bool {
        deg.is_finite() && (self.0..=self.1).contains(&deg)
    }
    pub fn bounds(&self) -> (f64, f64) {
        (self.0, self.1)
    }
}

/// Where each angle can be in a human body during a lift; outside it the skeleton is wrong,
/// and the value is a gap. Wide on purpose (they catch pose errors, not form): the trunk from
/// leaning back 45° to 100° forward (past horizontal in a stiff-legged pull), the hip from
/// 30° (deep squat flexion) to 230° (50° hyperextension, well past any spine's), the knee
/// from 30° (full flexion) to 190° (10° hyperextension), the shin from 30° back to 70°
/// forward, the neck ±90°.
pub const TRUNK_RANGE_DEG: Range = Range(-45.0, 100.0);
pub const HIP_RANGE_DEG: Range = Range(30.0, 230.0);
pub const KNEE_RANGE_DEG: Range = Range(30.0, 190.0);
pub const SHIN_RANGE_DEG: Range = Range(-30.0, 70.0);
pub const NECK_RANGE_DEG: Range = Range(-90.0, 90.0);

/// Every range, by the name of its `frames.csv` column.
pub const RANGES: [(&str, Range); 5] = [
    ("trunk_angle_deg", TRUNK_RANGE_DEG),
    ("hip_angle_deg", HIP_RANGE_DEG),
    ("knee_angle_deg", KNEE_RANGE_DEG),
    ("shin_angle_deg", SHIN_RANGE_DEG),
    ("neck_angle_deg", NECK_RANGE_DEG),
];

/// Direction of `from → to` in degrees, 0 = forward, 90 = up.
fn direction_deg(from: Point, to: Point, facing: f64) -> f64 {
    let forward = facing * (to.0 - from.0);
    let up = -(to.1 - from.1);
    up.atan2(forward).to_degrees()
}

/// Angle of `from → to` from vertical, + towards the facing direction, in (−180, 180].
pub fn from_vertical_deg(from: Point, to: Point, facing: f64) -> f64 {
    let forward = facing * (to.0 - from.0);
    let up = -(to.1 - from.1);
    forward.atan2(up).to_degrees()
}

pub fn trunk_angle_deg(hip: Point, shoulder: Point, facing: f64) -> f64 {
    from_vertical_deg(hip, shoulder, facing)
}

pub fn hip_angle_deg(shoulder: Point, hip: Point, knee: Point, facing: f64) -> f64 {
    (direction_deg(hip, shoulder, facing) - direction_deg(hip, knee, facing)).rem_euclid(360.0)
}

pub fn knee_angle_deg(hip: Point, knee: Point, ankle: Point, facing: f64) -> f64 {
    (direction_deg(knee, ankle, facing) - direction_deg(knee, hip, facing)).rem_euclid(360.0)
}

pub fn shin_angle_deg(ankle: Point, knee: Point, facing: f64) -> f64 {
    from_vertical_deg(ankle, knee, facing)
}

pub fn neck_angle_deg(hip: Point, shoulder: Point, ear: Point, facing: f64) -> f64 {
    let a = trunk_angle_deg(hip, shoulder, facing) - from_vertical_deg(shoulder, ear, facing);
    (a + 180.0).rem_euclid(360.0) - 180.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const RIGHT: f64 = 1.0;
    const LEFT: f64 = -1.0;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn standing_straight() {
        // facing right, y down: shoulder above hip above knee above ankle
        let (sh, hip, knee, ankle) = ((100.0, 0.0), (100.0, 100.0), (100.0, 200.0), (100.0, 300.0));
        assert!(close(trunk_angle_deg(hip, sh, RIGHT), 0.0));
        assert!(close(hip_angle_deg(sh, hip, knee, RIGHT), 180.0));
        assert!(close(knee_angle_deg(hip, knee, ankle, RIGHT), 180.0));
        assert!(close(shin_angle_deg(ankle, knee, RIGHT), 0.0));
    }

    #[test]
    fn leaning_forward_is_positive_whichever_way_the_lifter_faces() {
        let hip = (100.0, 100.0);
        let sh_right = (100.0 + 50.0, 100.0 - 86.60254037844386);
        assert!((trunk_angle_deg(hip, sh_right, RIGHT) - 30.0).abs() < 1e-9);
        let sh_left = (100.0 - 50.0, 100.0 - 86.60254037844386);
        assert!((trunk_angle_deg(hip, sh_left, LEFT) - 30.0).abs() < 1e-9);
        // leaning back
        assert!((trunk_angle_deg(hip, sh_left, RIGHT) + 30.0).abs() < 1e-9);
    }

    #[test]
    fn deadlift_setup_angles() {
        // facing right: trunk 60° forward, thigh forward-down at 30° below horizontal, shin vertical
        let hip = (0.0, 0.0);
        let sh = (
            60f64.to_radians().sin() * 100.0,
            -60f64.to_radians().cos() * 100.0,
        );
        let knee = (
            30f64.to_radians().cos() * 100.0,
            30f64.to_radians().sin() * 100.0,
        );
        let ankle = (knee.0, knee.1 + 100.0);
        // trunk direction 30° above forward, thigh 30° below forward: hip angle 60°
        assert!((hip_angle_deg(sh, hip, knee, RIGHT) - 60.0).abs() < 1e-9);
        // thigh back-up at 150°, shin straight down at 270°: knee angle 120°
        assert!((knee_angle_deg(hip, knee, ankle, RIGHT) - 120.0).abs() < 1e-9);
        // the mirrored lifter facing left gets the same angles
        let m = |p: Point| (-p.0, p.1);
        assert!((hip_angle_deg(m(sh), m(hip), m(knee), LEFT) - 60.0).abs() < 1e-9);
        assert!((knee_angle_deg(m(hip), m(knee), m(ankle), LEFT) - 120.0).abs() < 1e-9);
    }

    #[test]
    fn hyperextended_hip_is_over_180() {
        let (hip, knee) = ((0.0, 0.0), (0.0, 100.0));
        let sh_back = (-30.0, -100.0); // facing right, shoulders behind the hips
        assert!(hip_angle_deg(sh_back, hip, knee, RIGHT) > 180.0);
    }

    #[test]
    fn neck_extension_is_positive() {
        let hip = (0.0, 0.0);
        let sh = (100.0, -50.0); // trunk well forward
        let ear_in_line = (sh.0 + 20.0, sh.1 - 10.0);
        assert!(neck_angle_deg(hip, sh, ear_in_line, RIGHT).abs() < 1e-6);
        let ear_up = (sh.0 + 10.0, sh.1 - 20.0);
        assert!(neck_angle_deg(hip, sh, ear_up, RIGHT) > 20.0);
    }
}
