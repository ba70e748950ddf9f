//! Reading properties off the images themselves (never off the targets), as
//! a student would with `imshow`: the candidates a target or an output may
//! encode.

/// The image's side length.
pub const SIDE: usize = 5;

/// A pixel is lit when it is above this.
pub const LIT: f64 = 0.5;

/// A property of an image that a target or an output may encode. The list
/// is the design document's: the bar positions first (what the sheet's bars
/// carry), then what any image has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Property {
    /// The row (0-based, from the top) of the one full row, if the image
    /// has exactly one.
    BarRow,
    /// The column (0-based, from the left) of the one full column.
    BarColumn,
    /// The mean row of the lit pixels.
    CentreRow,
    /// The mean column of the lit pixels.
    CentreColumn,
    /// How many pixels are lit.
    LitPixels,
}

impl Property {
    /// Every candidate, in the order in which a tie is resolved: the first
    /// of equally good candidates is named.
    pub const ALL: [Property; 5] = [
        Property::BarRow,
        Property::BarColumn,
        Property::CentreRow,
        Property::CentreColumn,
        Property::LitPixels,
    ];

    /// Its key in the metrics.
    pub fn key(self) -> &'static str {
        match self {
            Property::BarRow => "bar_row",
            Property::BarColumn => "bar_column",
            Property::CentreRow => "centre_row",
            Property::CentreColumn => "centre_column",
            Property::LitPixels => "lit_pixels",
        }
    }

    /// What it is, in words.
    pub fn name(self) -> &'static str {
        match self {
            Property::BarRow => "the row of the horizontal bar",
            Property::BarColumn => "the column of the vertical bar",
            Property::CentreRow => "the mean row of the lit pixels",
            Property::CentreColumn => "the mean column of the lit pixels",
            Property::LitPixels => "the number of lit pixels",
        }
    }

    /// Its value on a 5 x 5 image (row-major), or `None` where the image
    /// does not have it (no single full row; no lit pixel).
    pub fn of(self, image: &[f64]) -> Option<f64> {
        let on = |r: usize, c: usize| image[r * SIDE + c] > LIT;
        let lit: Vec<(usize, usize)> = (0..SIDE)
            .flat_map(|r| (0..SIDE).map(move |c| (r, c)))
            .filter(|&(r, c)| on(r, c))
            .collect();
        let single = |found: Vec<usize>| match found.as_slice() {
            [one] => Some(*one as f64),
            _ => None,
        };
        let mean = |f: fn(&(usize, usize)) -> usize| {
            (!lit.is_empty()).then(|| lit.iter().map(f).sum::<usize>() as f64 / lit.len() as f64)
        };
        match self {
            Property::BarRow => single((0..SIDE).filter(|&r| (0..SIDE).all(|c| on(r, c))).collect()),
            Property::BarColumn => single((0..SIDE).filter(|&c| (0..SIDE).all(|r| on(r, c))).collect()),
            Property::CentreRow => mean(|p| p.0),
            Property::CentreColumn => mean(|p| p.1),
            Property::LitPixels => Some(lit.len() as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row of the horizontal bar and the column of the vertical bar, where
    /// the image has exactly one full row and one full column.
    fn bar_positions(image: &[f64]) -> Option<(usize, usize)> {
        Some((
            Property::BarRow.of(image)? as usize,
            Property::BarColumn.of(image)? as usize,
        ))
    }

    fn image(h: usize, v: usize) -> Vec<f64> {
        (0..25)
            .map(|i| if i / 5 == h || i % 5 == v { 1.0 } else { 0.0 })
            .collect()
    }

    #[test]
    fn decodes_every_bar_pair() {
        for h in 0..5 {
            for v in 0..5 {
                assert_eq!(bar_positions(&image(h, v)), Some((h, v)));
                // nine lit pixels: the row's five and the column's four more
                assert_eq!(Property::LitPixels.of(&image(h, v)), Some(9.0));
                // the row h five times, the column its rows 0 to 4 but h
                let centre = (5 * h + 10 - h) as f64 / 9.0;
                assert_eq!(Property::CentreRow.of(&image(h, v)), Some(centre));
            }
        }
    }

    #[test]
    fn decodes_from_pixels_not_from_position_in_the_file() {
        // a noisy but clear image: off pixels at 0.2, on pixels at 0.9
        let img: Vec<f64> = image(3, 1).iter().map(|&p| if p > 0.0 { 0.9 } else { 0.2 }).collect();
        assert_eq!(bar_positions(&img), Some((3, 1)));
    }

    #[test]
    fn an_image_without_one_bar_each_way_has_no_bar_positions() {
        assert_eq!(bar_positions(&[0.0; 25]), None);
        assert_eq!(Property::CentreRow.of(&[0.0; 25]), None);
        assert_eq!(Property::LitPixels.of(&[0.0; 25]), Some(0.0));
        let mut two = image(0, 0);
        for c in 0..5 {
            two[5 + c] = 1.0;
        }
        assert_eq!(Property::BarRow.of(&two), None);
        assert_eq!(Property::BarColumn.of(&two), Some(0.0));
        // a single lit pixel: its row and column are the centre
        let mut dot = [0.0; 25];
        dot[7] = 1.0;
        assert_eq!(
            (Property::CentreRow.of(&dot), Property::CentreColumn.of(&dot)),
            (Some(1.0), Some(2.0))
        );
    }
}
