//! The posting-rules corpus (`tests/fixtures/moderation/posting-rules.tsv`), measured out of the
//! box: the seed policy only (`PolicyConfig::seed()`), nothing configured. Fails below the
//! lines of issue #13: ≥ 90 % of violations held or rejected, ≥ 80 % in every posting rule,
//! ≤ 1 % of benign comments held or rejected. Prints the table per posting rule and per
//! language (run with `--nocapture` to see it when it passes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use majlis::moderation::{Action, Policy, PolicyConfig, Signals, Submission, Verdict, evaluate};

const CORPUS: &str = include_str!("fixtures/moderation/posting-rules.tsv");
/// Written after the rules were tuned (see its header): printed, not asserted.
const HOLDOUT: &str = include_str!("fixtures/moderation/posting-rules-holdout.tsv");
/// Written before the vocabulary pass (see its header): printed, not asserted.
const FRESH: &str = include_str!("fixtures/moderation/posting-rules-fresh.tsv");
const CATEGORIES: [&str; 7] = [
    "writer",
    "person",
    "sacred",
    "religion",
    "sectarian",
    "racist",
    "obscenity",
];

struct Row<'a> {
    line: usize,
    expected: &'a str,
    language: &'a str,
    text: &'a str,
}

fn rows(corpus: &'static str) -> Vec<Row<'static>> {
    corpus
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "line {}: {l:?}", i + 1);
            assert!(
                cols[0] == "benign" || CATEGORIES.contains(&cols[0]),
                "line {}: unknown category {:?}",
                i + 1,
                cols[0]
            );
            Row {
                line: i + 1,
                expected: cols[0],
                language: cols[1],
                text: cols[2],
            }
        })
        .collect()
}

fn stopped(v: &Verdict) -> bool {
    v.action >= Action::Hold
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// Per category: (caught, total); benign: (stopped, total).
struct Report {
    by_cat: BTreeMap<&'static str, (usize, usize)>,
    caught: usize,
    total: usize,
    fp: usize,
    benign: usize,
}

#[test]
fn the_seed_policy_stops_nine_in_ten_violations_and_almost_no_benign_comment() {
    let policy = Policy::compile(&PolicyConfig::seed()).expect("seed compiles");
    println!("## Second batch (written after tuning)\n");
    let holdout = measure(&policy, rows(HOLDOUT));
    assert!(holdout.total > 0 && holdout.benign > 0);
    println!("\n## Third batch (written before the vocabulary pass)\n");
    let fresh = measure(&policy, rows(FRESH));
    assert!(fresh.total > 0 && fresh.benign > 0);
    println!("\n## Corpus\n");
    let Report {
        by_cat,
        caught,
        total,
        fp,
        benign,
    } = measure(&policy, rows(CORPUS));
    assert!(total >= 300 && benign >= 600, "corpus too small");
    for c in CATEGORIES {
        let (n, d) = by_cat.get(c).copied().unwrap_or_default();
        assert!(d >= 40, "{c}: only {d} violations in the corpus");
        assert!(
            pct(n, d) >= 80.0,
            "{c}: {n}/{d} held or rejected, below 80 %"
        );
    }
    assert!(
        pct(caught, total) >= 90.0,
        "{caught}/{total} violations held or rejected, below 90 %"
    );
    assert!(
        pct(fp, benign) <= 1.0,
        "{fp}/{benign} benign comments held or rejected, above 1 %"
    );
}

/// Evaluates every row, checks the pattern findings' shape and prints the tables.
fn measure(policy: &Policy, rows: Vec<Row<'static>>) -> Report {
    // (caught, total) per category and per language; benign: (stopped, total) per language.
    let mut by_cat: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut by_lang: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut benign_by_lang: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut false_hits = Vec::new();
    for r in &rows {
        let v = evaluate(
            &Submission {
                body: r.text,
                ..Submission::default()
            },
            &Signals::default(),
            policy,
        );
        for f in v.findings.iter().filter(|f| f.rule.starts_with("pattern:")) {
            assert_eq!(
                f.action,
                Action::Hold,
                "line {}: pattern rules hold, never reject or flag: {f:?}",
                r.line
            );
            assert!(!f.spans.is_empty(), "line {}: {f:?}", r.line);
            for s in &f.spans {
                assert!(r.text.is_char_boundary(s.start) && r.text.is_char_boundary(s.end));
            }
        }
        let hit = stopped(&v);
        if r.expected == "benign" {
            let e = benign_by_lang.entry(r.language).or_default();
            e.1 += 1;
            if hit {
                e.0 += 1;
                let why: Vec<String> = v
                    .findings
                    .iter()
                    .filter(|f| f.action >= Action::Hold)
                    .map(|f| format!("{} {}", f.rule, f.explanation_en))
                    .collect();
                false_hits.push(format!(
                    "line {} [{}] {}  <- {why:?}",
                    r.line, r.language, r.text
                ));
            }
        } else {
            for e in [
                by_cat.entry(r.expected).or_default(),
                by_lang.entry(r.language).or_default(),
            ] {
                e.1 += 1;
                if hit {
                    e.0 += 1;
                }
            }
            if !hit {
                misses.push(format!(
                    "line {} [{} {}] {}",
                    r.line, r.expected, r.language, r.text
                ));
            }
        }
    }
    let (caught, total) = by_cat
        .values()
        .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
    let (fp, benign) = benign_by_lang
        .values()
        .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));

    println!("| Posting rule | Held or rejected | % |\n|---|---:|---:|");
    for c in CATEGORIES {
        let (n, d) = by_cat.get(c).copied().unwrap_or_default();
        println!("| {c} | {n}/{d} | {:.1} |", pct(n, d));
    }
    println!(
        "| **all violations** | {caught}/{total} | {:.1} |",
        pct(caught, total)
    );
    println!(
        "| benign (false positives) | {fp}/{benign} | {:.1} |\n",
        pct(fp, benign)
    );
    println!(
        "| Language | Violations held or rejected | Benign held or rejected |\n|---|---:|---:|"
    );
    let langs: std::collections::BTreeSet<&str> = by_lang
        .keys()
        .chain(benign_by_lang.keys())
        .copied()
        .collect();
    for l in langs {
        let (n, d) = by_lang.get(l).copied().unwrap_or_default();
        let (bn, bd) = benign_by_lang.get(l).copied().unwrap_or_default();
        println!(
            "| {l} | {n}/{d} ({:.1} %) | {bn}/{bd} ({:.1} %) |",
            pct(n, d),
            pct(bn, bd)
        );
    }
    println!("\nmissed violations ({}):", misses.len());
    for m in &misses {
        println!("  {m}");
    }
    println!("benign comments held or rejected ({}):", false_hits.len());
    for m in &false_hits {
        println!("  {m}");
    }

    Report {
        by_cat,
        caught,
        total,
        fp,
        benign,
    }
}

/// An allow-list phrase covers the pattern-class terms inside it: the name
/// "عبد الله" is a man, not God, so calling him a sheep is an insult to a
/// person (if anything), never mockery of God; the same words about God hold.
#[test]
fn an_allowed_name_hides_its_sacred_word_from_the_pattern_rules() {
    let policy = Policy::compile(&PolicyConfig::seed()).unwrap();
    let verdict = |body: &str| {
        evaluate(
            &Submission {
                body,
                ..Submission::default()
            },
            &Signals::default(),
            &policy,
        )
    };
    let name = verdict("فاز عبد الله الخروف بالمركز الأول في المسابقة");
    assert!(
        !name.findings.iter().any(|f| f.rule.starts_with("pattern:")),
        "{:?}",
        name.findings
    );
    let god = verdict("الله خروف");
    assert!(stopped(&god), "{:?}", god.findings);
}
