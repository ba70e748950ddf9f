//! Decoding the bars from the images themselves (not from the targets).

/// The image's side length.
pub const SIDE: usize = 5;

/// The row of the horizontal bar and the column of the vertical bar of a
/// 5 x 5 image (row-major): the one row whose pixels are all on and the one
/// column whose pixels are all on (a pixel is on when it is above 0.5).
pub fn decode(image: &[f64]) -> Result<(usize, usize), String> {
    if image.len() != SIDE * SIDE {
        return Err(format!("expected {} pixels, found {}", SIDE * SIDE, image.len()));
    }
    let on = |r: usize, c: usize| image[r * SIDE + c] > 0.5;
    let rows: Vec<usize> = (0..SIDE).filter(|&r| (0..SIDE).all(|c| on(r, c))).collect();
    let cols: Vec<usize> = (0..SIDE).filter(|&c| (0..SIDE).all(|r| on(r, c))).collect();
    match (rows.as_slice(), cols.as_slice()) {
        ([r], [c]) => Ok((*r, *c)),
        _ => Err(format!(
            "expected exactly one full row and one full column, found {} full row(s) and {} full column(s)",
            rows.len(),
            cols.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(h: usize, v: usize) -> Vec<f64> {
        (0..25)
            .map(|i| if i / 5 == h || i % 5 == v { 1.0 } else { 0.0 })
            .collect()
    }

    #[test]
    fn decodes_every_bar_pair() {
        for h in 0..5 {
            for v in 0..5 {
                assert_eq!(decode(&image(h, v)), Ok((h, v)));
            }
        }
    }

    #[test]
    fn decodes_from_pixels_not_from_position_in_the_file() {
        // a noisy but clear image: off pixels at 0.2, on pixels at 0.9
        let img: Vec<f64> = image(3, 1).iter().map(|&p| if p > 0.0 { 0.9 } else { 0.2 }).collect();
        assert_eq!(decode(&img), Ok((3, 1)));
    }

    #[test]
    fn refuses_images_without_exactly_one_bar_each_way() {
        assert!(
            decode(&[0.0; 25])
                .unwrap_err()
                .contains("0 full row(s) and 0 full column(s)")
        );
        let mut two = image(0, 0);
        for c in 0..5 {
            two[5 + c] = 1.0;
        }
        assert!(decode(&two).unwrap_err().contains("2 full row(s)"));
        assert!(decode(&[1.0; 24]).unwrap_err().contains("expected 25 pixels"));
    }
}
