use captcha::Captcha;
use captcha::filters::{Dots, Noise, Wave};

/// Characters of the built-in font that cannot be mistaken for one another
/// once the answer is compared case-insensitively: no 0/O/o/Q, 1/l/I/i/j,
/// 2/Z/z, 5/S/s, 6/b, 8/B, 9/g/q, u/v/U/V.
pub const ALPHABET: &[char] = &[
    'A', 'C', 'D', 'E', 'F', 'G', 'H', 'K', 'M', 'N', 'P', 'R', 'T', 'W', 'X', 'Y', 'a', 'c', 'd',
    'e', 'f', 'h', 'k', 'm', 'n', 'p', 'r', 't', 'w', 'x', 'y', '3', '4', '7',
];

/// Size of every security-code image, in pixels.
pub const WIDTH: u32 = 200;
pub const HEIGHT: u32 = 80;

pub struct Rendered {
    pub answer: String,
    pub png: Vec<u8>,
}

/// Draw one challenge. CPU-bound (about 1.3 ms on one core, most of it the
/// PNG encoder): call it off the async runtime. `None` only if the image
/// encoder fails.
pub fn render(length: u32) -> Option<Rendered> {
    let mut c = Captcha::new();
    // Crop to the text first: the filters then touch 200x80 pixels instead
    // of the crate's 400x300 canvas. Most of the time goes to the PNG
    // encoder, in proportion to the pixels: 220x90 took 1.55 ms, 200x80
    // takes 1.3 ms (five letters still fit with the wave).
    c.set_chars(ALPHABET)
        .add_chars(length)
        .view(WIDTH, HEIGHT)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 12.0).horizontal())
        .apply_filter(Dots::new(8));
    let (answer, png) = c.as_tuple()?;
    Some(Rendered { answer, png })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_png_whose_answer_uses_only_the_unambiguous_alphabet() {
        let r = render(5).unwrap();
        assert_eq!(r.answer.chars().count(), 5);
        assert!(r.answer.chars().all(|c| ALPHABET.contains(&c)));
        assert_eq!(&r.png[1..4], b"PNG");
        // IHDR: width and height, big-endian, at bytes 16..24.
        let size = |at: usize| {
            u32::from_be_bytes([r.png[at], r.png[at + 1], r.png[at + 2], r.png[at + 3]])
        };
        assert_eq!((size(16), size(20)), (WIDTH, HEIGHT));
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
