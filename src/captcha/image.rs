use captcha::Captcha;
use captcha::filters::{Dots, Noise, Wave};

/// Characters of the built-in font that cannot be mistaken for one another
/// once the answer is compared case-insensitively: no 0/O/o/Q, 1/l/I/i/j,
/// 2/Z/z, 5/S/s, 6/b, 8/B, 9/g/q, u/v/U/V.
pub const ALPHABET: &[char] = &[
    'A', 'C', 'D', 'E', 'F', 'G', 'H', 'K', 'M', 'N', 'P', 'R', 'T', 'W', 'X', 'Y', 'a', 'c', 'd',
    'e', 'f', 'h', 'k', 'm', 'n', 'p', 'r', 't', 'w', 'x', 'y', '3', '4', '7',
];

/// Height of every security-code image, in pixels: the font's 40-pixel
/// letters plus the wave's 12-pixel swing above and below.
pub const HEIGHT: u32 = 64;

/// The wave filter's vertical swing, in pixels.
const WAVE_AMPLITUDE: f64 = 12.0;

/// The crate draws letters left to right from x = 100 on a 400-pixel canvas:
/// wider text is cut off by the canvas itself.
const CANVAS_ROOM: u32 = 300;

/// Draws of the letters tried before the narrowest one is taken.
const DRAWS: usize = 32;

/// Width of the image for codes of `length` characters: 200 pixels for the
/// default five (their letters measure 154 pixels at the median, 197 at the
/// 98th percentile), 40 per character beyond.
pub fn width(length: u32) -> u32 {
    40 * length.max(5)
}

/// The widest text that fits the image with nothing cut off.
fn text_room(length: u32) -> u32 {
    width(length).min(CANVAS_ROOM)
}

pub struct Rendered {
    pub answer: String,
    pub png: Vec<u8>,
}

/// The letters of one code. A draw whose letters would not fit the image
/// (about 2 % at the default length: "MWmWH" is 238 pixels wide) is drawn
/// again, so no reader ever gets a code with a letter cut off at the edge.
fn letters(length: u32) -> Captcha {
    let room = text_room(length);
    let mut best: Option<(u32, Captcha)> = None;
    for _ in 0..DRAWS {
        let mut c = Captcha::new();
        c.set_chars(ALPHABET).add_chars(length);
        let area = c.text_area();
        let wide = area.right.saturating_sub(area.left);
        if wide <= room {
            return c;
        }
        if best.as_ref().is_none_or(|(w, _)| wide < *w) {
            best = Some((wide, c));
        }
    }
    // Unreachable in practice (32 misses in a row at 2 % each); the
    // narrowest draw is the least cut.
    best.map_or_else(Captcha::new, |(_, c)| c)
}

/// Draw one challenge. CPU-bound (about 1 ms on one core, three quarters of
/// it the `captcha` crate's PNG encoder, in proportion to the pixels): call
/// it off the async runtime. `None` only if the image encoder fails.
pub fn render(length: u32) -> Option<Rendered> {
    let mut c = letters(length);
    // Crop to the text first: the filters and the encoder then touch
    // 200x64 pixels instead of the crate's 400x300 canvas.
    c.view(width(length), HEIGHT)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, WAVE_AMPLITUDE).horizontal())
        .apply_filter(Dots::new(8));
    let (answer, png) = c.as_tuple()?;
    Some(Rendered { answer, png })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Width and height from the PNG's IHDR chunk (big-endian, bytes 16..24).
    fn png_size(png: &[u8]) -> (u32, u32) {
        let at = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
        (at(16), at(20))
    }

    #[test]
    fn renders_a_png_whose_answer_uses_only_the_unambiguous_alphabet() {
        let r = render(5).unwrap();
        assert_eq!(r.answer.chars().count(), 5);
        assert!(r.answer.chars().all(|c| ALPHABET.contains(&c)));
        assert_eq!(&r.png[1..4], b"PNG");
        assert_eq!(png_size(&r.png), (200, HEIGHT));
    }

    #[test]
    fn every_configurable_length_gets_an_image_its_letters_fit() {
        for length in 1..=8 {
            let r = render(length).unwrap();
            assert_eq!(r.answer.chars().count(), length as usize);
            assert_eq!(png_size(&r.png), (width(length), HEIGHT));
            // Letters are drawn from x = 100 on the crate's canvas, so the
            // room for text can never pass its right edge.
            assert!(text_room(length) + 100 <= 400);
            assert!(text_room(length) >= 37 * length, "{length}");
        }
    }

    #[test]
    fn no_code_has_a_letter_cut_off() {
        // About 2 % of plain draws of five letters are wider than the image:
        // over 1,000 codes, a missing redraw fails this with near certainty.
        for _ in 0..1000 {
            let area = letters(5).text_area();
            assert!(
                area.right - area.left <= width(5),
                "{}",
                area.right - area.left
            );
        }
        for _ in 0..200 {
            let area = letters(8).text_area();
            assert!(area.right - area.left <= CANVAS_ROOM);
        }
    }

    #[test]
    fn alphabet_has_no_case_insensitive_duplicates_that_look_different() {
        // Compared case-insensitively, each folded letter may appear in both
        // cases, but never as two different folded letters that look alike.
        for bad in [
            '0', 'o', 'O', '1', 'l', 'I', 'i', '2', 'z', '5', 's', '8', 'b', '9', 'g', 'q',
        ] {
            assert!(!ALPHABET.contains(&bad), "{bad}");
        }
    }
}
