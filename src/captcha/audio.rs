//! The spoken alternative of a security code: the `captcha` crate's clip for
//! each character (with its noise), joined into one WAV with short pauses.
//! Weak by nature (see README): each character always sounds alike.

use captcha::Captcha;

/// Silence between two characters, in seconds.
const PAUSE_SECS: f32 = 0.35;

/// Render `answer` as one WAV clip; `None` if a character has no recording.
pub fn render_audio(answer: &str) -> Option<Vec<u8>> {
    let mut c = Captcha::new();
    for ch in answer.chars() {
        c.set_chars(&[ch]).add_char();
    }
    let parts: Option<Vec<Vec<u8>>> = c.as_wav().into_iter().collect();
    concat_wav(&parts?)
}

struct Pcm<'a> {
    fmt: &'a [u8],
    data: &'a [u8],
}

/// The `fmt ` and `data` chunks of a RIFF/WAVE file.
fn parse(wav: &[u8]) -> Option<Pcm<'_>> {
    if wav.get(0..4)? != b"RIFF" || wav.get(8..12)? != b"WAVE" {
        return None;
    }
    let (mut fmt, mut data) = (None, None);
    let mut at = 12;
    while at + 8 <= wav.len() {
        let id = wav.get(at..at + 4)?;
        let len = u32::from_le_bytes(wav.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        let body = wav.get(at + 8..(at + 8 + len).min(wav.len()))?;
        match id {
            b"fmt " => fmt = Some(body),
            b"data" => data = Some(body),
            _ => {}
        }
        at += 8 + len + (len & 1);
    }
    Some(Pcm {
        fmt: fmt?,
        data: data?,
    })
}

/// Join clips of the same format, with `PAUSE_SECS` of silence between them.
pub fn concat_wav(parts: &[Vec<u8>]) -> Option<Vec<u8>> {
    let pcms: Vec<Pcm<'_>> = parts.iter().map(|p| parse(p)).collect::<Option<_>>()?;
    let first = pcms.first()?;
    if pcms.iter().any(|p| p.fmt != first.fmt) {
        return None;
    }
    // fmt: format(2) channels(2) rate(4) byte_rate(4) block_align(2) bits(2)
    let byte_rate = u32::from_le_bytes(first.fmt.get(8..12)?.try_into().ok()?);
    let block_align = u16::from_le_bytes(first.fmt.get(12..14)?.try_into().ok()?).max(1) as usize;
    let mut pause = (byte_rate as f32 * PAUSE_SECS) as usize;
    pause -= pause % block_align;
    let mut data = Vec::new();
    for (i, p) in pcms.iter().enumerate() {
        if i > 0 {
            data.resize(data.len() + pause, 0);
        }
        data.extend_from_slice(p.data);
    }
    let fmt_len = u32::try_from(first.fmt.len()).ok()?;
    let data_len = u32::try_from(data.len()).ok()?;
    let mut out = Vec::with_capacity(data.len() + 64);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(4 + 8 + fmt_len + 8 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&fmt_len.to_le_bytes());
    out.extend_from_slice(first.fmt);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend_from_slice(&data);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_clip_holds_every_character_with_pauses_between() {
        let single = render_audio("K").unwrap();
        let joined = render_audio("Kd7").unwrap();
        let one = parse(&single).unwrap().data.len();
        let all = parse(&joined).unwrap();
        assert!(all.data.len() > 3 * one / 2);
        assert_eq!(all.fmt, parse(&single).unwrap().fmt);
        // Declared RIFF size matches the bytes.
        let riff = u32::from_le_bytes(joined[4..8].try_into().unwrap()) as usize;
        assert_eq!(riff + 8, joined.len());
    }

    #[test]
    fn garbage_is_not_a_wav() {
        assert!(concat_wav(&[b"not a wav".to_vec()]).is_none());
    }
}
