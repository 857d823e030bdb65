use captcha::Captcha;
use captcha::filters::{Noise, Wave};

/// Characters of the built-in font shown in one case only, capitals (the
/// answer is still compared case-insensitively, so a reader may type
/// either; mixed case made readers doubt which to type), none that can be
/// mistaken for another: no 0/O/Q, 1/I/L/J, 2/Z, 5/S, 6/G-like 6, 8/B, 9,
/// U/V.
pub const ALPHABET: &[char] = &[
    'A', 'C', 'D', 'E', 'F', 'G', 'H', 'K', 'M', 'N', 'P', 'R', 'T', 'W', 'X', 'Y', '3', '4', '7',
];

/// Height of every security-code image, in pixels: the font's 40-pixel
/// letters plus the wave's 12-pixel swing above and below.
pub const HEIGHT: u32 = 64;

/// The wave filter's vertical swing, in pixels.
const WAVE_AMPLITUDE: f64 = 12.0;

/// The crate draws letters left to right from x = 100 on a 400-pixel canvas:
/// wider text is cut off by the canvas itself.
const CANVAS_ROOM: u32 = 300;

/// Draws of the letters tried before the narrowest glyphs are taken.
const DRAWS: usize = 1000;

/// Width of the image for codes of `length` characters: 200 pixels for the
/// default five (their letters measure 154 pixels at the median, 197 at the
/// 98th percentile), 40 per character beyond.
pub fn width(length: u32) -> u32 {
    40 * length.max(5)
}

/// The widest text that fits the image with nothing cut off, and whose
/// image, centred on the text, stays on the crate's canvas (the crate
/// panics on a view past the canvas's right edge, x = 100 + CANVAS_ROOM).
fn text_room(length: u32) -> u32 {
    let w = width(length);
    // Centred: 100 + text / 2 + w / 2 <= 100 + CANVAS_ROOM.
    w.min(CANVAS_ROOM).min((2 * CANVAS_ROOM).saturating_sub(w))
}

pub struct Rendered {
    pub answer: String,
    pub png: Vec<u8>,
}

/// The width of each glyph of the alphabet in the crate's font, measured
/// once: text is as wide as the sum of its glyphs (no spacing, no overlap).
static GLYPH_WIDTHS: std::sync::LazyLock<Vec<(char, u32)>> = std::sync::LazyLock::new(|| {
    ALPHABET
        .iter()
        .map(|&ch| {
            let mut c = Captcha::new();
            c.set_chars(&[ch]).add_char();
            let area = c.text_area();
            (ch, area.right.saturating_sub(area.left))
        })
        .collect()
});

/// The characters of one code, drawn at random until their glyphs fit
/// `room` pixels. Capitals are wide (35 pixels on average, W 53): some
/// draws would be cut at the image's edge or push its view off the crate's
/// canvas, where the crate panics, so a draw is checked before anything is
/// rendered.
fn pick(length: u32, room: u32) -> Vec<char> {
    use rand::RngExt;
    let widths = &*GLYPH_WIDTHS;
    let mut rng = rand::rng();
    for _ in 0..DRAWS {
        let drawn: Vec<&(char, u32)> = (0..length)
            .filter_map(|_| widths.get(rng.random_range(0..widths.len())))
            .collect();
        if drawn.iter().map(|(_, w)| w).sum::<u32>() <= room {
            return drawn.into_iter().map(|(ch, _)| *ch).collect();
        }
    }
    // Unreachable in practice: the narrowest glyph, repeated, always fits.
    let narrowest = widths
        .iter()
        .min_by_key(|(_, w)| *w)
        .map_or('7', |(ch, _)| *ch);
    vec![narrowest; length as usize]
}

/// The letters of one code, every one of them inside the image.
fn letters(length: u32) -> Captcha {
    let mut c = Captcha::new();
    for ch in pick(length, text_room(length)) {
        c.set_chars(&[ch]).add_char();
    }
    c
}

/// Draw one challenge. CPU-bound (about 1 ms on one core, three quarters of
/// it the `captcha` crate's PNG encoder, in proportion to the pixels): call
/// it off the async runtime. `None` only if the image encoder fails.
pub fn render(length: u32) -> Option<Rendered> {
    let mut c = letters(length);
    // Crop to the text first: the filters and the encoder then touch
    // 200x64 pixels instead of the crate's 400x300 canvas. Speckle and two
    // waves only: the crate's dots are black blobs that hid whole letters
    // from readers. The small vertical wave keeps stock OCR at about 1 %
    // (`benches/ocr.rs`) now that nothing covers the letters.
    c.view(width(length), HEIGHT)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, WAVE_AMPLITUDE).horizontal())
        .apply_filter(Wave::new(3.0, 4.0).vertical());
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
            // Letters are drawn from x = 100 on the crate's canvas: neither
            // the text nor the image centred on it may pass its right edge.
            let (room, w) = (text_room(length), width(length));
            assert!(room + 100 <= 400);
            assert!(100 + room / 2 + w / 2 <= 400, "{length}");
            // Room for at least 34 pixels a character (capitals average 35).
            assert!(room >= 34 * length, "{length}");
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
            assert!(area.right - area.left <= text_room(8));
            // The longest code, rendered: its view stays on the canvas.
            assert!(render(8).is_some());
        }
    }

    #[test]
    fn alphabet_has_no_case_insensitive_duplicates_that_look_different() {
        // Compared case-insensitively, each folded letter may appear in both
        // cases, but never as two different folded letters that look alike.
        for bad in [
            '0', 'o', 'O', 'Q', '1', 'l', 'I', 'i', 'J', '2', 'z', 'Z', '5', 's', 'S', '8', 'b',
            'B', '9', 'g', 'q', 'U', 'V', 'u', 'v',
        ] {
            assert!(!ALPHABET.contains(&bad), "{bad}");
        }
        // One case shown: capitals and digits only.
        assert!(
            ALPHABET
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
    }
}
