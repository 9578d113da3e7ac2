//! `faults.svg`/`.png`: a grid of fault kinds by reps, each cell found (value / limit),
//! clear, or not assessable.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::{no_data, Plot, PlotResult};
use crate::analyze::ClipAnalysis;
use crate::outputs::font;
use crate::outputs::timeline;

/// One cell of the fault chart.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Fault {
        value: f64,
        threshold: f64,
        unit: String,
    },
    Clear,
    NotAssessable,
}

/// Rows = fault kinds, columns = reps; red = found (value / threshold), green = assessed and
/// clear, grey = could not be judged.
pub struct FaultChart {
    reps: Vec<usize>,
    rows: Vec<(String, Vec<Cell>)>,
}

impl FaultChart {
    pub fn new(clip: &ClipAnalysis) -> Self {
        let a = &clip.analysis;
        let reps: Vec<usize> = a.reps.iter().map(|r| r.index).collect();
        let mut kinds: Vec<String> = Vec::new();
        for k in a
            .faults
            .iter()
            .map(|f| &f.kind)
            .chain(a.not_assessable.iter().map(|n| &n.kind))
        {
            if !kinds.contains(k) {
                kinds.push(k.clone());
            }
        }
        let rows = kinds
            .into_iter()
            .map(|kind| {
                let cells = reps
                    .iter()
                    .map(|&rep| {
                        if let Some(f) = a
                            .faults
                            .iter()
                            .filter(|f| f.kind == kind && f.rep == rep)
                            .max_by(|x, y| x.value.total_cmp(&y.value))
                        {
                            Cell::Fault {
                                value: f.value,
                                threshold: f.threshold,
                                unit: f.unit.clone(),
                            }
                        } else if a
                            .not_assessable
                            .iter()
                            .any(|n| n.kind == kind && n.rep.is_none_or(|r| r == rep))
                        {
                            Cell::NotAssessable
                        } else {
                            Cell::Clear
                        }
                    })
                    .collect();
                (kind, cells)
            })
            .collect();
        FaultChart { reps, rows }
    }
}

impl Plot for FaultChart {
    fn size(&self) -> (u32, u32) {
        let cols = self.reps.len().max(1) as u32;
        (
            (260 + 130 * cols).max(560),
            130 + 46 * self.rows.len().max(1) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> PlotResult
    where
        DB::ErrorType: 'static,
    {
        if self.reps.is_empty() {
            return no_data(root, "Faults per rep", "no reps found, so no faults judged");
        }
        if self.rows.is_empty() {
            return no_data(root, "Faults per rep", "no faults reported for any rep");
        }
        root.fill(&WHITE)?;
        let text = |s: &str, x: i32, y: i32, size: u32, colour: RGBColor| {
            Text::new(
                s.to_string(),
                (x, y),
                (font::FAMILY, size).into_font().color(&colour),
            )
        };
        root.draw(&text("Faults per rep", 16, 10, 22, BLACK))?;
        let (left, top, cw, ch) = (240, 74, 130, 46);
        root.draw(&text("Rep", left - 40, top - 26, 15, BLACK))?;
        for (c, rep) in self.reps.iter().enumerate() {
            root.draw(&text(
                &format!("{rep}"),
                left + c as i32 * cw + cw / 2 - 4,
                top - 26,
                15,
                BLACK,
            ))?;
        }
        for (r, (kind, cells)) in self.rows.iter().enumerate() {
            let y = top + r as i32 * ch;
            root.draw(&text(&timeline::fault_title(kind), 12, y + 14, 14, BLACK))?;
            for (c, cell) in cells.iter().enumerate() {
                let x = left + c as i32 * cw;
                let (fill, label) = match cell {
                    Cell::Fault {
                        value,
                        threshold,
                        unit,
                    } => (
                        RGBColor(230, 85, 75),
                        format!(
                            "{} / {}",
                            timeline::with_unit(*value, unit),
                            timeline::with_unit(*threshold, unit)
                        ),
                    ),
                    Cell::Clear => (RGBColor(170, 220, 170), "ok".to_string()),
                    Cell::NotAssessable => (RGBColor(215, 215, 215), "n/a".to_string()),
                };
                root.draw(&Rectangle::new(
                    [(x + 2, y + 2), (x + cw - 2, y + ch - 2)],
                    fill.filled(),
                ))?;
                let colour = if matches!(cell, Cell::Fault { .. }) {
                    WHITE
                } else {
                    BLACK
                };
                root.draw(&text(&label, x + 8, y + 14, 13, colour))?;
            }
        }
        let y = top + self.rows.len() as i32 * ch + 14;
        root.draw(&text(
            "red: fault (value / threshold)   green: judged, no fault   grey: not assessable",
            12,
            y,
            12,
            RGBColor(90, 90, 90),
        ))?;
        Ok(())
    }
}
