//! How well stock OCR reads majlis's security codes: renders codes (200 by
//! default, `OCR_CODES=n` for more) and asks Debian's `tesseract-ocr` to read
//! each one as a single line (`--psm 7`) and as a single word (`--psm 8`).
//! Prints the hit rate of each; a code counts as read when the characters
//! match case-insensitively, as the server compares them. Target: ≤ 1 %.
//!
//!     apt-get install tesseract-ocr
//!     cargo bench --bench ocr        # or: cargo test --bench ocr (debug build)

#![allow(clippy::expect_used)]

use std::process::Command;

fn read(path: &std::path::Path, psm: &str) -> Option<String> {
    let out = Command::new("tesseract")
        .arg(path)
        .arg("-")
        .args(["--psm", psm])
        .output()
        .ok()?;
    Some(
        String::from_utf8_lossy(&out.stdout)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase(),
    )
}

fn main() {
    if Command::new("tesseract").arg("--version").output().is_err() {
        println!("ocr: SKIPPED (tesseract not installed: apt-get install tesseract-ocr)");
        return;
    }
    let codes: usize = std::env::var("OCR_CODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut hits = [0usize; 2];
    let mut chars = [0usize; 2];
    for i in 0..codes {
        let code = majlis::captcha::render(5).expect("a rendered code");
        let path = dir.path().join(format!("{i}.png"));
        std::fs::write(&path, &code.png).expect("the image written");
        let want = code.answer.to_lowercase();
        for (k, psm) in ["7", "8"].into_iter().enumerate() {
            let got = read(&path, psm).unwrap_or_default();
            hits[k] += usize::from(got == want);
            chars[k] += want
                .chars()
                .zip(got.chars())
                .filter(|(a, b)| a == b)
                .count();
        }
    }
    let total_chars = codes * 5;
    for (k, psm) in ["7", "8"].into_iter().enumerate() {
        println!(
            "ocr --psm {psm}: {} of {codes} codes read ({:.1} %), {:.1} % of characters in place",
            hits[k],
            100.0 * hits[k] as f64 / codes as f64,
            100.0 * chars[k] as f64 / total_chars as f64,
        );
    }
}
