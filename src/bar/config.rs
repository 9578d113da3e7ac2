//! The bar stage's settings (`[bar]`): the plate size that sets the scale, and the fallback
//! scale from the body.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BarConfig {
    pub plate_diameter_cm: f64,
    /// Plate minor/major axis ratio under which the camera is too far off the side.
    pub min_plate_axis_ratio: f64,
    /// Fallback scale: the lifter's shoulder-to-ankle length in cm when no plate is found.
    pub fallback_shoulder_to_ankle_cm: f64,
}

impl Default for BarConfig {
    fn default() -> Self {
        BarConfig {
            plate_diameter_cm: 45.0,
            min_plate_axis_ratio: 0.85,
            fallback_shoulder_to_ankle_cm: 135.0,
        }
    }
}
