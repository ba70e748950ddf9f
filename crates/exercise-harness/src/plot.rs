//! SVG figures (plotters' SVG backend): every figure has a title, labelled
//! axes and a legend where there is more than one series.

use anyhow::{Result, anyhow};
use mlp::trace::CostTrace;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width and height of a figure in pixels. Figures are drawn at the width
/// they print at on A4 inside the report's margins (about 680 CSS pixels),
/// so that the font sizes below print at 9 to 13.5 pt, never shrunk.
pub const SIZE: (u32, u32) = (680, 370);

/// Font sizes as plotters takes them: titles, axis descriptions, tick
/// labels, legends and notes. Plotters writes a size `s` into the SVG as
/// `s / 1.24` pixels, and a pixel prints as 0.75 pt, so 14 prints at 8.5 pt,
/// the smallest text of any figure.
const TITLE_PX: u32 = 19;
const AXIS_PX: u32 = 16;
const TICK_PX: u32 = 14;
const LEGEND_PX: u32 = 14;
const NOTE_PX: u32 = 14;

/// A colour-blind-safe palette (Okabe and Ito).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// The y-axis label of every cost plot (docs/DESIGN.md section 5: say what "cost" is).
pub const COST_LABEL: &str = "cost ½Σ(y − y*)² per sample (= −L)";

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("cannot draw the figure: {e}")
}

/// Renders into an SVG string.
pub fn svg(size: (u32, u32), draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<()>) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// One curve of a cost-over-time figure: the mean per bin, and optionally a
/// band (for example the spread over seeds, or min to max within the bin).
#[derive(Clone, Debug)]
pub struct Curve {
    /// Legend text.
    pub label: String,
    /// `(iteration, mean cost)` points.
    pub points: Vec<(f64, f64)>,
    /// A band drawn translucent behind the curve.
    pub band: Option<Band>,
}

/// A shaded band: its legend text and `(x, low, high)` points.
#[derive(Clone, Debug)]
pub struct Band {
    /// Legend text.
    pub label: String,
    /// `(x, low, high)`.
    pub points: Vec<(f64, f64, f64)>,
}

impl Curve {
    /// The binned mean of a trace, with the min-to-max band within each bin.
    pub fn from_trace(label: impl Into<String>, trace: &CostTrace, with_band: bool) -> Curve {
        let points = trace.bins().map(|b| (b.end as f64, b.mean)).collect();
        let band = with_band.then(|| Band {
            label: "range of per-sample costs within each bin".to_owned(),
            points: trace.bins().map(|b| (b.end as f64, b.min, b.max)).collect(),
        });
        Curve {
            label: label.into(),
            points,
            band,
        }
    }
}

/// A cost-over-time figure. The y axis is logarithmic when every value is
/// positive; values of exactly 0 are drawn at the bottom edge and the legend
/// says so; when every value is 0 the axis is linear.
pub fn cost_over_time(title: &str, x_label: &str, curves: &[Curve]) -> Result<String> {
    let values = curves.iter().flat_map(|c| {
        c.points
            .iter()
            .map(|p| p.1)
            .chain(c.band.iter().flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])))
    });
    let (mut min_pos, mut max, mut zeros) = (f64::INFINITY, 0.0f64, false);
    for v in values {
        if v > 0.0 {
            min_pos = min_pos.min(v);
            max = max.max(v);
        } else {
            zeros = true;
        }
    }
    let x_max = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.0))
        .fold(1.0f64, f64::max);
    svg(SIZE, |root| {
        let mut chart = ChartBuilder::on(root);
        chart
            .caption(title, ("sans-serif", TITLE_PX))
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(88);
        if max == 0.0 {
            let mut c = chart.build_cartesian_2d(0.0..x_max, -0.05..1.0).map_err(err)?;
            mesh(&mut c, x_label, COST_LABEL, "{:.2}")?;
            for (i, curve) in curves.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                c.draw_series(LineSeries::new(curve.points.iter().copied(), color.stroke_width(2)))
                    .map_err(err)?
                    .label(format!("{} (exactly 0 at every iteration)", curve.label))
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
            }
            legend(&mut c)?;
            return Ok(());
        }
        // Log axis drawn as log10 values on a linear axis (plotters' own log
        // axis runs out of tick labels over many decades).
        let floor = (min_pos.log10() - 0.3).floor();
        let top = (max.log10() + 0.3).ceil();
        let lg = |v: f64| if v > 0.0 { v.log10() } else { floor };
        let mut c = chart.build_cartesian_2d(0.0..x_max, floor..top).map_err(err)?;
        mesh(&mut c, x_label, &format!("{COST_LABEL}, log scale"), "log")?;
        for (i, curve) in curves.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            if let Some(Band {
                label: band_label,
                points: band,
            }) = &curve.band
            {
                let upper = band.iter().map(|p| (p.0, lg(p.2)));
                let lower = band.iter().rev().map(|p| (p.0, lg(p.1)));
                let poly: Vec<_> = upper.chain(lower).collect();
                c.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.18).filled())))
                    .map_err(err)?
                    .label(band_label.clone())
                    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], color.mix(0.18).filled()));
            }
            let zero_note = if zeros { " (0 drawn at the bottom edge)" } else { "" };
            c.draw_series(LineSeries::new(
                curve.points.iter().map(|&(x, y)| (x, lg(y))),
                color.stroke_width(2),
            ))
            .map_err(err)?
            .label(format!("{}{zero_note}", curve.label))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        legend(&mut c)?;
        Ok(())
    })
}

fn mesh<X, Y>(c: &mut ChartContext<SVGBackend, Cartesian2d<X, Y>>, x: &str, y: &str, y_fmt: &str) -> Result<()>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let log = y_fmt == "log";
    c.configure_mesh()
        .x_desc(x)
        .y_desc(y)
        .axis_desc_style(("sans-serif", AXIS_PX))
        .label_style(("sans-serif", TICK_PX))
        .light_line_style(RGBColor(235, 235, 235))
        .x_label_formatter(&|v| format_count(*v))
        .y_labels(11)
        .y_label_formatter(&|v| {
            if log { log_label(*v) } else { format!("{v:.2}") }
        })
        .draw()
        .map_err(err)
}

fn legend<'a, 'b: 'a, X: Ranged, Y: Ranged>(c: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>) -> Result<()> {
    legend_at(c, SeriesLabelPosition::UpperRight)
}

fn legend_at<'a, 'b: 'a, X: Ranged, Y: Ranged>(
    c: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Result<()> {
    c.configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(150, 150, 150))
        .label_font(("sans-serif", LEGEND_PX))
        .position(position)
        .draw()
        .map_err(err)
}

type XyChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A titled chart with linear axes over `x` and `y`, labelled, with a light
/// grid.
fn xy_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    (x, y): (std::ops::Range<f64>, std::ops::Range<f64>),
    x_label: &str,
    y_label: &str,
) -> Result<XyChart<'a, 'b>> {
    let mut c = ChartBuilder::on(root)
        .caption(title, ("sans-serif", TITLE_PX))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    c.configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style(("sans-serif", AXIS_PX))
        .label_style(("sans-serif", TICK_PX))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    Ok(c)
}

/// The label of `log10` value `v` on a log axis: `1e-3`, or `3.2e-3` between decades.
pub fn log_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("1e{}", v.round() as i64)
    } else {
        format!("{:.1e}", 10f64.powf(v))
    }
}

/// `1234567` as `1.23M`, `25000` as `25k`, small numbers as they are.
pub fn format_count(v: f64) -> String {
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        }
    };
    if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e3 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else {
        trim(format!("{v:.2}"))
    }
}

/// A heat map: `values[row][col]`, rows named by `row_labels`, columns at
/// the x positions `cols` (evenly spaced), colours from viridis over
/// `range` (values at its bottom in light grey), a colour bar titled
/// `value_label` on the right. Cells for which
/// `mark(row, col)` is true get a white cross (say so in `x_label`).
#[allow(clippy::too_many_arguments)]
pub fn heatmap(
    title: &str,
    x_label: &str,
    y_label: &str,
    value_label: &str,
    row_labels: &[String],
    cols: &[f64],
    values: &[Vec<f64>],
    range: (f64, f64),
    mark: impl Fn(usize, usize) -> bool,
) -> Result<String> {
    let (lo, hi) = range;
    let step = if cols.len() > 1 { cols[1] - cols[0] } else { 1.0 };
    let (x0, x1) = (cols[0] - step / 2.0, cols[cols.len() - 1] + step / 2.0);
    let n_rows = row_labels.len();
    let norm = |v: f64| ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    svg((SIZE.0, SIZE.1 + 60), |root| {
        let (main, bar) = root.split_horizontally(SIZE.0 - 130);
        let mut chart = ChartBuilder::on(&main)
            .caption(title, ("sans-serif", TITLE_PX))
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, (0..n_rows - 1).into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .axis_desc_style(("sans-serif", AXIS_PX))
            .label_style(("sans-serif", TICK_PX))
            .y_labels(n_rows)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < n_rows => row_labels[n_rows - 1 - *i].clone(),
                _ => String::new(),
            })
            .x_label_formatter(&|v| format!("{v:+.1}"))
            .draw()
            .map_err(err)?;
        // Row 0 at the top: row r is drawn in segment n_rows - 1 - r.
        let cell = |r: usize, c: usize| {
            let seg = n_rows - 1 - r;
            let x = cols[c];
            [
                (x - step / 2.0, SegmentValue::Exact(seg)),
                (x + step / 2.0, SegmentValue::Exact(seg + 1)),
            ]
        };
        chart
            .draw_series(values.iter().enumerate().flat_map(|(r, row)| {
                row.iter().enumerate().map(move |(c, &v)| {
                    // The bottom of the range in grey, so that it stands
                    // apart from values just above it.
                    let colour = if v <= lo {
                        RGBColor(225, 225, 225)
                    } else {
                        ViridisRGB.get_color(norm(v) as f32)
                    };
                    Rectangle::new(cell(r, c), colour.filled())
                })
            }))
            .map_err(err)?;
        let crosses: Vec<(f64, SegmentValue<usize>)> = (0..n_rows)
            .flat_map(|r| (0..cols.len()).map(move |c| (r, c)))
            .filter(|&(r, c)| mark(r, c))
            .map(|(r, c)| (cols[c], SegmentValue::CenterOf(n_rows - 1 - r)))
            .collect();
        chart
            .draw_series(crosses.into_iter().map(|p| Cross::new(p, 5, WHITE.stroke_width(2))))
            .map_err(err)?;
        colour_bar(&bar, value_label, lo, hi)
    })
}

fn colour_bar(area: &DrawingArea<SVGBackend, Shift>, label: &str, lo: f64, hi: f64) -> Result<()> {
    let mut c = ChartBuilder::on(area)
        .margin_top(60)
        .margin_bottom(62)
        .margin_right(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(err)?;
    c.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(label)
        .axis_desc_style(("sans-serif", AXIS_PX))
        .label_style(("sans-serif", TICK_PX))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(err)?;
    let n = 100;
    c.draw_series((0..n).map(|i| {
        let a = lo + (hi - lo) * i as f64 / n as f64;
        let b = lo + (hi - lo) * (i + 1) as f64 / n as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            ViridisRGB.get_color((i as f32 + 0.5) / n as f32).filled(),
        )
    }))
    .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_short() {
        assert_eq!(format_count(1_000_000.0), "1M");
        assert_eq!(format_count(250_000.0), "250k");
        assert_eq!(format_count(2500.0), "2.5k");
        assert_eq!(format_count(12.0), "12");
        assert_eq!(format_count(0.5), "0.5");
    }

    #[test]
    fn cost_plots_handle_zeros_and_positive_values() {
        let zero = Curve {
            label: "zero".into(),
            points: vec![(1.0, 0.0), (2.0, 0.0)],
            band: None,
        };
        let s = cost_over_time("all zero", "iteration", std::slice::from_ref(&zero)).unwrap();
        assert!(s.contains("exactly 0 at every iteration"));
        let mixed = Curve {
            label: "mixed".into(),
            points: vec![(1.0, 0.5), (2.0, 1e-8), (3.0, 0.0)],
            band: None,
        };
        let s = cost_over_time("mixed", "iteration", &[mixed]).unwrap();
        assert!(s.contains("0 drawn at the bottom edge"));
        assert!(s.starts_with("<svg"));
    }
}

/// A line in an x-y figure.
#[derive(Clone, Debug)]
pub struct Line {
    /// Legend text (`None`: no legend entry).
    pub label: Option<String>,
    /// Points.
    pub points: Vec<(f64, f64)>,
    /// Palette index.
    pub color: usize,
    /// Opacity (1 = solid).
    pub alpha: f64,
    /// Stroke width.
    pub width: u32,
    /// Dashed.
    pub dashed: bool,
}

/// Points in an x-y figure.
#[derive(Clone, Debug)]
pub struct Points {
    /// Legend text.
    pub label: String,
    /// Points.
    pub points: Vec<(f64, f64)>,
    /// Palette index.
    pub color: usize,
    /// Filled circles (else hollow).
    pub filled: bool,
}

fn range_of(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let span = if hi > lo { hi - lo } else { 1.0 };
    (lo - pad * span, hi + pad * span)
}

/// What a legend entry shows beside its text.
#[derive(Clone, Copy, Debug)]
pub enum Mark {
    /// A line in a palette colour, of a width, dashed or not, at an opacity.
    Line {
        color: usize,
        width: u32,
        dashed: bool,
        alpha: f64,
    },
    /// A dot in a palette colour, filled or hollow.
    Dot { color: usize, filled: bool },
}

/// Height of a legend of `n` entries in `columns` columns, drawn by
/// [`legend_below`].
fn legend_height(n: usize, columns: usize) -> u32 {
    n.div_ceil(columns) as u32 * 20 + 8
}

/// A legend in its own strip under the chart, where it covers no data.
fn legend_below(area: &DrawingArea<SVGBackend, Shift>, entries: &[(Mark, String)], columns: usize) -> Result<()> {
    let width = area.dim_in_pixel().0 as i32;
    let col_width = (width - 40) / columns as i32;
    for (i, (mark, text)) in entries.iter().enumerate() {
        let (row, col) = ((i / columns) as i32, (i % columns) as i32);
        let (x, y) = (30 + col * col_width, 4 + row * 20 + 10);
        match *mark {
            Mark::Line {
                color,
                width,
                dashed,
                alpha,
            } => {
                let style = PALETTE[color % PALETTE.len()].mix(alpha).stroke_width(width);
                if dashed {
                    for k in 0..3 {
                        area.draw(&PathElement::new([(x + 8 * k, y), (x + 8 * k + 5, y)], style))
                            .map_err(err)?;
                    }
                } else {
                    area.draw(&PathElement::new([(x, y), (x + 22, y)], style))
                        .map_err(err)?;
                }
            }
            Mark::Dot { color, filled } => {
                let c = PALETTE[color % PALETTE.len()];
                let style = if filled { c.filled() } else { c.stroke_width(2) };
                area.draw(&Circle::new((x + 11, y), 4, style)).map_err(err)?;
            }
        }
        area.draw(&Text::new(
            text.clone(),
            (x + 30, y),
            ("sans-serif", LEGEND_PX)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// An x-y figure of lines and points, the legend in two columns under the
/// chart (so the axes span the data alone).
pub fn xy(title: &str, x_label: &str, y_label: &str, lines: &[Line], points: &[Points]) -> Result<String> {
    let xs = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .chain(points.iter().flat_map(|p| p.points.iter().map(|q| q.0)));
    let ys = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(points.iter().flat_map(|p| p.points.iter().map(|q| q.1)));
    let (x0, x1) = range_of(xs, 0.02);
    let (y0, y1) = range_of(ys, 0.05);
    let mut entries: Vec<(Mark, String)> = lines
        .iter()
        .filter_map(|l| {
            l.label.clone().map(|t| {
                (
                    Mark::Line {
                        color: l.color,
                        width: l.width,
                        dashed: l.dashed,
                        alpha: l.alpha,
                    },
                    t,
                )
            })
        })
        .collect();
    entries.extend(points.iter().map(|p| {
        (
            Mark::Dot {
                color: p.color,
                filled: p.filled,
            },
            p.label.clone(),
        )
    }));
    let legend_h = legend_height(entries.len(), 2);
    svg((SIZE.0, SIZE.1 + legend_h), |root| {
        let (chart_area, legend_area) = root.split_vertically(SIZE.1);
        let mut c = xy_chart(&chart_area, title, (x0..x1, y0..y1), x_label, y_label)?;
        draw_lines_and_points(&mut c, lines, points)?;
        legend_below(&legend_area, &entries, 2)
    })
}

fn draw_lines_and_points(c: &mut XyChart, lines: &[Line], points: &[Points]) -> Result<()> {
    for l in lines {
        let color = PALETTE[l.color % PALETTE.len()].mix(l.alpha);
        let style = color.stroke_width(l.width);
        if l.dashed {
            c.draw_series(DashedLineSeries::new(l.points.iter().copied(), 8, 5, style))
                .map_err(err)?;
        } else {
            c.draw_series(LineSeries::new(l.points.iter().copied(), style))
                .map_err(err)?;
        }
    }
    for p in points {
        let color = PALETTE[p.color % PALETTE.len()];
        let style = if p.filled {
            color.filled()
        } else {
            color.stroke_width(2)
        };
        c.draw_series(p.points.iter().map(|&q| Circle::new(q, 4, style)))
            .map_err(err)?;
    }
    Ok(())
}

/// One panel of [`xy_panels`]: its title, lines and points.
#[derive(Clone, Debug)]
pub struct XyPanel {
    pub title: String,
    pub lines: Vec<Line>,
    pub points: Vec<Points>,
}

/// x-y panels side by side on the same axes ranges, with one legend under
/// all of them (each label once), where it covers no data.
pub fn xy_panels(title: &str, x_label: &str, y_label: &str, panels: &[XyPanel]) -> Result<String> {
    let all_lines = || panels.iter().flat_map(|p| p.lines.iter());
    let all_points = || panels.iter().flat_map(|p| p.points.iter());
    let xs = all_lines()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .chain(all_points().flat_map(|p| p.points.iter().map(|q| q.0)));
    let ys = all_lines()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(all_points().flat_map(|p| p.points.iter().map(|q| q.1)));
    let (x0, x1) = range_of(xs, 0.02);
    let (y0, y1) = range_of(ys, 0.05);
    let mut entries: Vec<(Mark, String)> = Vec::new();
    let mut add = |mark: Mark, text: &str| {
        if !entries.iter().any(|(_, t)| t == text) {
            entries.push((mark, text.to_owned()));
        }
    };
    for l in all_lines() {
        if let Some(t) = &l.label {
            let mark = Mark::Line {
                color: l.color,
                width: l.width,
                dashed: l.dashed,
                alpha: l.alpha,
            };
            add(mark, t);
        }
    }
    for p in all_points() {
        let mark = Mark::Dot {
            color: p.color,
            filled: p.filled,
        };
        add(mark, &p.label);
    }
    let legend_h = legend_height(entries.len(), 2);
    let width = SIZE.0.max(340 * panels.len() as u32);
    svg((width, SIZE.1 + 30 + legend_h), |root| {
        let root = root.titled(title, ("sans-serif", TITLE_PX)).map_err(err)?;
        let (charts, legend_area) = root.split_vertically(SIZE.1);
        let areas = charts.split_evenly((1, panels.len().max(1)));
        for (area, panel) in areas.iter().zip(panels) {
            let mut c = xy_chart(area, &panel.title, (x0..x1, y0..y1), x_label, y_label)?;
            draw_lines_and_points(&mut c, &panel.lines, &panel.points)?;
        }
        legend_below(&legend_area, &entries, 2)
    })
}

/// Panels side by side that share their x axis, each a line on linear axes.
/// A panel whose values are all exactly 0 gets the y range ±`zero_scale`,
/// so that the line runs through the middle where any departure from 0 of
/// that size would show, and says so in its legend.
pub fn panels(title: &str, x_label: &str, panels: &[(String, Vec<(f64, f64)>)], zero_scale: f64) -> Result<String> {
    let n = panels.len().max(1);
    let x_max = panels
        .iter()
        .flat_map(|p| p.1.iter().map(|q| q.0))
        .fold(1.0f64, f64::max);
    svg(SIZE, |root| {
        let root = root.titled(title, ("sans-serif", TITLE_PX)).map_err(err)?;
        let areas = root.split_evenly((1, n));
        for (i, ((y_label, points), area)) in panels.iter().zip(areas.iter()).enumerate() {
            let largest = points.iter().fold(0.0f64, |a, p| a.max(p.1.abs()));
            let all_zero = largest == 0.0;
            let half = if all_zero { zero_scale } else { 1.15 * largest };
            let lo = if all_zero || points.iter().any(|p| p.1 < 0.0) {
                -half
            } else {
                0.0
            };
            let mut c = ChartBuilder::on(area)
                .margin(10)
                .x_label_area_size(44)
                .y_label_area_size(72)
                .build_cartesian_2d(0.0..x_max, lo..half)
                .map_err(err)?;
            c.configure_mesh()
                .x_desc(x_label)
                .y_desc(y_label.as_str())
                .axis_desc_style(("sans-serif", AXIS_PX))
                .label_style(("sans-serif", TICK_PX))
                .light_line_style(RGBColor(235, 235, 235))
                .x_labels(4)
                .y_labels(5)
                .x_label_formatter(&|v| format_count(*v))
                .y_label_formatter(&|v| if *v == 0.0 { "0".to_owned() } else { format!("{v:.0e}") })
                .draw()
                .map_err(err)?;
            let color = PALETTE[i % PALETTE.len()];
            let label = if all_zero {
                "exactly 0 at every point".to_owned()
            } else {
                format!("largest: {largest:.2e}")
            };
            c.draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(3)))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(3)));
            legend(&mut c)?;
        }
        Ok(())
    })
}

/// One group of a strip plot: a value per seed.
#[derive(Clone, Debug)]
pub struct Strip {
    /// Group name on the x axis.
    pub name: String,
    /// `(seed, value)`, drawn left to right in this order.
    pub values: Vec<(u64, f64)>,
    /// Palette index.
    pub color: usize,
    /// Filled dots (else hollow).
    pub filled: bool,
}

/// Values per seed for a few groups side by side (one column each), the
/// seeds left to right in the order given, over a grey box from the mean
/// minus to the mean plus one standard deviation with a black bar at the
/// mean, both as wide as the group's dots.
pub fn strips(title: &str, y_label: &str, groups: &[Strip], log: bool) -> Result<String> {
    let all: Vec<f64> = groups.iter().flat_map(|g| g.values.iter().map(|v| v.1)).collect();
    let tr = |v: f64| if log { v.max(1e-300).log10() } else { v };
    let stats: Vec<(f64, f64)> = groups
        .iter()
        .map(|g| {
            let vals: Vec<f64> = g.values.iter().map(|v| v.1).collect();
            (mlp::stats::mean(&vals), mlp::stats::std_dev(&vals))
        })
        .collect();
    let spread = stats
        .iter()
        .flat_map(|&(m, s)| [m - s, m + s])
        .filter(|v| !log || *v > 0.0);
    let (y0, y1) = range_of(all.iter().copied().chain(spread).map(tr), 0.06);
    let n = groups.len();
    let entries = [
        (
            Mark::Line {
                color: 6,
                width: 3,
                dashed: false,
                alpha: 1.0,
            },
            "mean over seeds".to_owned(),
        ),
        (
            Mark::Line {
                color: 6,
                width: 10,
                dashed: false,
                alpha: 0.15,
            },
            "mean ± one standard deviation".to_owned(),
        ),
    ];
    let legend_h = legend_height(entries.len(), 2);
    svg((SIZE.0, SIZE.1 + legend_h), |root| {
        let (chart_area, legend_area) = root.split_vertically(SIZE.1);
        let mut c = ChartBuilder::on(&chart_area)
            .caption(title, ("sans-serif", TITLE_PX))
            .margin(10)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), y0..y1)
            .map_err(err)?;
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(n.max(1))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                    groups[i as usize].name.clone()
                } else {
                    String::new()
                }
            })
            .y_desc(if log {
                format!("{y_label}, log scale")
            } else {
                y_label.to_owned()
            })
            .y_label_formatter(&|v| if log { log_label(*v) } else { format!("{v:.4}") })
            .axis_desc_style(("sans-serif", AXIS_PX))
            .label_style(("sans-serif", TICK_PX))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        for (gi, (g, &(m, s))) in groups.iter().zip(&stats).enumerate() {
            let color = PALETTE[g.color % PALETTE.len()];
            let k = g.values.len().max(1);
            let (left, right) = (gi as f64 - 0.32, gi as f64 + 0.32);
            let x_of = |j: usize| left + (right - left) * (j as f64 + 0.5) / k as f64;
            let lo = if log { tr((m - s).max(m * 1e-3)) } else { m - s };
            c.draw_series(std::iter::once(Rectangle::new(
                [(left, lo), (right, tr(m + s))],
                BLACK.mix(0.1).filled(),
            )))
            .map_err(err)?;
            c.draw_series(std::iter::once(PathElement::new(
                [(left, tr(m)), (right, tr(m))],
                BLACK.stroke_width(3),
            )))
            .map_err(err)?;
            let style = if g.filled {
                color.filled()
            } else {
                color.stroke_width(2)
            };
            c.draw_series(
                g.values
                    .iter()
                    .enumerate()
                    .map(|(j, &(_, v))| Circle::new((x_of(j), tr(v)), 5, style)),
            )
            .map_err(err)?;
        }
        legend_below(&legend_area, &entries, 2)
    })
}

/// A scatter plot whose every point carries a text label.
pub fn labelled_scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[(f64, f64, String)],
    color_of: impl Fn(usize) -> usize,
    legend: &[(usize, String)],
) -> Result<String> {
    let (x0, x1) = range_of(points.iter().map(|p| p.0), 0.1);
    let (y0, y1) = range_of(points.iter().map(|p| p.1), 0.1);
    let entries: Vec<(Mark, String)> = legend
        .iter()
        .map(|(color, text)| {
            (
                Mark::Dot {
                    color: *color,
                    filled: true,
                },
                text.clone(),
            )
        })
        .collect();
    let legend_h = if entries.is_empty() {
        0
    } else {
        legend_height(entries.len(), 3)
    };
    svg((SIZE.0, SIZE.1 + legend_h), |root| {
        let (chart_area, legend_area) = root.split_vertically(SIZE.1);
        let mut c = xy_chart(&chart_area, title, (x0..x1, y0..y1), x_label, y_label)?;
        c.draw_series(
            points
                .iter()
                .enumerate()
                .map(|(i, p)| Circle::new((p.0, p.1), 5, PALETTE[color_of(i) % PALETTE.len()].filled())),
        )
        .map_err(err)?;
        // Each label to the right of its dot, clear of it.
        let style = ("sans-serif", NOTE_PX)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for p in points {
            let (px, py) = c.backend_coord(&(p.0, p.1));
            chart_area
                .draw(&Text::new(p.2.clone(), (px + 8, py), style.clone()))
                .map_err(err)?;
        }
        if !entries.is_empty() {
            legend_below(&legend_area, &entries, 3)?;
        }
        Ok(())
    })
}

/// How an image grid maps values to colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageScale {
    /// 0 white to 1 black.
    Gray,
    /// Symmetric around 0: blue (negative), white, red (positive), scaled to
    /// the largest magnitude.
    Diverging,
}

/// Small images (`rows x cols` each, row-major values) in a grid of
/// `per_row` images per row, each with a caption.
pub fn image_grid(
    title: &str,
    images: &[(String, Vec<f64>)],
    rows: usize,
    cols: usize,
    per_row: usize,
    scale: ImageScale,
    note: &str,
) -> Result<String> {
    let n_rows = images.len().div_ceil(per_row);
    // Wide enough for the longest caption line (about 7 px a character at
    // the note size), and no narrower than 88 px.
    let longest = images
        .iter()
        .flat_map(|(c, _)| c.lines())
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let lines = images.iter().map(|(c, _)| c.lines().count()).max().unwrap_or(1).max(1) as u32;
    let cell = (7 * longest as u32 + 10).max(88);
    let width = (per_row as u32 * cell + 40).max(600);
    // Each row: the caption's lines and the image, then a small gap; below
    // the grid, one line of note and, for signed values, a colour bar.
    let caption_px = 4 + 16 * lines;
    let image_px = cell - 24;
    let step = image_px + caption_px + 10;
    let foot_px = if scale == ImageScale::Diverging { 110 } else { 70 };
    let height = n_rows as u32 * step + foot_px;
    let max_abs = images
        .iter()
        .flat_map(|i| i.1.iter())
        .fold(0.0f64, |a, &b| a.max(b.abs()))
        .max(1e-12);
    let colour = |v: f64| -> RGBColor {
        match scale {
            ImageScale::Gray => {
                let g = (255.0 * (1.0 - v.clamp(0.0, 1.0))) as u8;
                RGBColor(g, g, g)
            }
            ImageScale::Diverging => {
                // white at 0, to red (178, 24, 43) for positive and blue
                // (33, 102, 172) for negative values, by magnitude
                let t = (v / max_abs).clamp(-1.0, 1.0);
                let (r, g, b) = if t >= 0.0 {
                    (178.0, 24.0, 43.0)
                } else {
                    (33.0, 102.0, 172.0)
                };
                let mix = |c: f64| (255.0 + t.abs() * (c - 255.0)).round() as u8;
                RGBColor(mix(r), mix(g), mix(b))
            }
        }
    };
    svg((width, height), |root| {
        let root = root.titled(title, ("sans-serif", TITLE_PX)).map_err(err)?;
        let (grid, foot) = root.split_vertically(height - foot_px);
        foot.draw(&Text::new(
            note.to_owned(),
            (20, 20),
            ("sans-serif", LEGEND_PX).into_font(),
        ))
        .map_err(err)?;
        if scale == ImageScale::Diverging {
            // The colour bar: -max at the left, 0 in the middle, +max at
            // the right, so a colour reads as a value.
            let (x0, y0, w, h) = (20, 44, 300, 14);
            for i in 0..w {
                let v = max_abs * (2.0 * (i as f64 + 0.5) / w as f64 - 1.0);
                foot.draw(&Rectangle::new(
                    [(x0 + i, y0), (x0 + i + 1, y0 + h)],
                    colour(v).filled(),
                ))
                .map_err(err)?;
            }
            foot.draw(&Rectangle::new(
                [(x0, y0), (x0 + w, y0 + h)],
                RGBColor(120, 120, 120).stroke_width(1),
            ))
            .map_err(err)?;
            for (at, label) in [
                (0, format!("{:.2}", -max_abs)),
                (w / 2, "0".to_owned()),
                (w, format!("{max_abs:.2}")),
            ] {
                let label = label.replace('-', "−");
                let shift = 7 * label.chars().count() as i32 / 2;
                foot.draw(&Text::new(
                    label,
                    (x0 + at - shift, y0 + h + 6),
                    ("sans-serif", NOTE_PX).into_font(),
                ))
                .map_err(err)?;
            }
        }
        let px = image_px as i32 / rows.max(cols) as i32;
        for (k, (caption, values)) in images.iter().enumerate() {
            let (gr, gc) = (k / per_row, k % per_row);
            // The grid centred under the title (the last column's image is
            // narrower than its cell by the gap).
            let x0 = (width as i32 - per_row as i32 * cell as i32 + 24) / 2 + gc as i32 * cell as i32;
            let y0 = gr as i32 * step as i32;
            for (l, line) in caption.lines().enumerate() {
                grid.draw(&Text::new(
                    line.to_owned(),
                    (x0, y0 + 2 + 16 * l as i32),
                    ("sans-serif", NOTE_PX).into_font(),
                ))
                .map_err(err)?;
            }
            let top = y0 + caption_px as i32;
            for r in 0..rows {
                for c in 0..cols {
                    let (x, y) = (x0 + c as i32 * px, top + r as i32 * px);
                    grid.draw(&Rectangle::new(
                        [(x, y), (x + px, y + px)],
                        colour(values[r * cols + c]).filled(),
                    ))
                    .map_err(err)?;
                }
            }
            grid.draw(&Rectangle::new(
                [(x0, top), (x0 + cols as i32 * px, top + rows as i32 * px)],
                RGBColor(120, 120, 120).stroke_width(1),
            ))
            .map_err(err)?;
        }
        Ok(())
    })
}

/// One series of [`against_sizes`]: a mean per size with a band from the
/// lowest to the highest value.
#[derive(Clone, Debug)]
pub struct SizeSeries {
    /// Legend text of the mean.
    pub label: String,
    /// Legend text of the band.
    pub band_label: String,
    /// Palette index.
    pub color: usize,
    /// `(size, mean, lowest, highest)`, sizes ascending.
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// Values against a size on a log axis (both axes log10), a band per
/// series, and dashed vertical lines at `marks` with their labels.
pub fn against_sizes(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[SizeSeries],
    marks: &[(f64, String)],
) -> Result<String> {
    let xs: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).collect();
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().flat_map(|p| [p.2, p.3]))
        .filter(|v| *v > 0.0)
        .collect();
    let (x0, x1) = range_of(xs.iter().map(|x| x.log10()), 0.04);
    let (y0, y1) = range_of(ys.iter().map(|y| y.log10()), 0.06);
    let ticks: Vec<f64> = {
        let mut t: Vec<f64> = xs.clone();
        t.sort_by(f64::total_cmp);
        t.dedup();
        t
    };
    let mut entries: Vec<(Mark, String)> = Vec::new();
    for s in series {
        entries.push((
            Mark::Line {
                color: s.color,
                width: 3,
                dashed: false,
                alpha: 1.0,
            },
            s.label.clone(),
        ));
        entries.push((
            Mark::Line {
                color: s.color,
                width: 10,
                dashed: false,
                alpha: 0.2,
            },
            s.band_label.clone(),
        ));
    }
    let legend_h = legend_height(entries.len(), 2);
    svg((SIZE.0, SIZE.1 + legend_h), |root| {
        let (chart_area, legend_area) = root.split_vertically(SIZE.1);
        let mut c = ChartBuilder::on(&chart_area)
            .caption(title, ("sans-serif", TITLE_PX))
            .margin(10)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc(x_label)
            .y_desc(format!("{y_label}, log scale"))
            .axis_desc_style(("sans-serif", AXIS_PX))
            .label_style(("sans-serif", TICK_PX))
            .light_line_style(RGBColor(235, 235, 235))
            .disable_x_mesh()
            .x_labels(0)
            .y_label_formatter(&|v| log_label(*v))
            .draw()
            .map_err(err)?;
        // The sizes themselves as ticks: a log axis of whole numbers.
        let tick_style = ("sans-serif", TICK_PX)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for &t in &ticks {
            let x = t.log10();
            c.draw_series(std::iter::once(PathElement::new(
                [(x, y0), (x, y1)],
                RGBColor(235, 235, 235).stroke_width(1),
            )))
            .map_err(err)?;
            let (px, py) = c.backend_coord(&(x, y0));
            chart_area
                .draw(&Text::new(format!("{t}"), (px, py + 6), tick_style.clone()))
                .map_err(err)?;
        }
        for (x, label) in marks {
            let x = x.log10();
            c.draw_series(DashedLineSeries::new(
                [(x, y0), (x, y1)],
                6,
                4,
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(err)?;
            let (px, py) = c.backend_coord(&(x, y1));
            chart_area
                .draw(&Text::new(
                    label.clone(),
                    (px + 4, py + 4),
                    ("sans-serif", NOTE_PX)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Top)),
                ))
                .map_err(err)?;
        }
        for s in series {
            let color = PALETTE[s.color % PALETTE.len()];
            let upper = s.points.iter().map(|p| (p.0.log10(), p.3.log10()));
            let lower = s.points.iter().rev().map(|p| (p.0.log10(), p.2.log10()));
            c.draw_series(std::iter::once(Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                color.mix(0.2).filled(),
            )))
            .map_err(err)?;
            c.draw_series(LineSeries::new(
                s.points.iter().map(|p| (p.0.log10(), p.1.log10())),
                color.stroke_width(3),
            ))
            .map_err(err)?;
            c.draw_series(
                s.points
                    .iter()
                    .map(|p| Circle::new((p.0.log10(), p.1.log10()), 4, color.filled())),
            )
            .map_err(err)?;
        }
        legend_below(&legend_area, &entries, 2)
    })
}

/// One row of [`small_multiples`]: its name and one curve per panel.
#[derive(Clone, Debug)]
pub struct PanelRow {
    /// Shown at the left of the row.
    pub name: String,
    /// Palette index of its curves.
    pub color: usize,
    /// `(panel title, curve points)`, left to right.
    pub panels: Vec<(String, Vec<(f64, f64)>)>,
}

/// Small multiples: a grid of panels on shared axes, a curve in each, the
/// same points (for example the data) drawn in every panel.
pub fn small_multiples(title: &str, rows: &[PanelRow], points: &Points, note: &str) -> Result<String> {
    let n_cols = rows.iter().map(|r| r.panels.len()).max().unwrap_or(1).max(1);
    let n_rows = rows.len().max(1);
    let xs = rows
        .iter()
        .flat_map(|r| r.panels.iter().flat_map(|p| p.1.iter().map(|q| q.0)))
        .chain(points.points.iter().map(|q| q.0));
    let ys = rows
        .iter()
        .flat_map(|r| r.panels.iter().flat_map(|p| p.1.iter().map(|q| q.1)))
        .chain(points.points.iter().map(|q| q.1));
    let (x0, x1) = range_of(xs, 0.02);
    let (y0, y1) = range_of(ys, 0.05);
    let row_h = 170u32;
    let height = 40 + n_rows as u32 * row_h + 34;
    svg((SIZE.0, height), |root| {
        let root = root.titled(title, ("sans-serif", TITLE_PX)).map_err(err)?;
        let (grid, foot) = root.split_vertically(n_rows as u32 * row_h);
        foot.draw(&Text::new(
            note.to_owned(),
            (12, 10),
            ("sans-serif", NOTE_PX).into_font().color(&BLACK),
        ))
        .map_err(err)?;
        let cells = grid.split_evenly((n_rows, n_cols));
        for (r, row) in rows.iter().enumerate() {
            for (c, (panel_title, curve)) in row.panels.iter().enumerate() {
                let area = &cells[r * n_cols + c];
                let first = c == 0;
                let mut chart = ChartBuilder::on(area)
                    .caption(
                        if first {
                            format!("{}: {panel_title}", row.name)
                        } else {
                            panel_title.clone()
                        },
                        ("sans-serif", NOTE_PX),
                    )
                    .margin(3)
                    .x_label_area_size(if r + 1 == n_rows { 22 } else { 6 })
                    .y_label_area_size(if first { 30 } else { 4 })
                    .build_cartesian_2d(x0..x1, y0..y1)
                    .map_err(err)?;
                let mut mesh = chart.configure_mesh();
                mesh.disable_mesh()
                    .label_style(("sans-serif", TICK_PX))
                    .x_labels(3)
                    .y_labels(3)
                    .x_label_formatter(&|v| format!("{v:.0}"))
                    .y_label_formatter(&|v| format!("{v:.0}"));
                if r + 1 != n_rows {
                    mesh.disable_x_axis();
                }
                if !first {
                    mesh.disable_y_axis();
                }
                mesh.draw().map_err(err)?;
                let color = PALETTE[points.color % PALETTE.len()];
                chart
                    .draw_series(points.points.iter().map(|&q| Circle::new(q, 2, color.filled())))
                    .map_err(err)?;
                chart
                    .draw_series(LineSeries::new(
                        curve.iter().copied(),
                        PALETTE[row.color % PALETTE.len()].stroke_width(2),
                    ))
                    .map_err(err)?;
            }
        }
        Ok(())
    })
}
