//! `cargo bench --bench evaluate`: single-threaded throughput of `evaluate` with a large
//! policy (seed lists + 5,000 generated entries) on 2,000-character Arabic bodies (the
//! longest a site allows), then on the dev batches' news comments at their own lengths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use majlis::moderation::{
    Action, Category, Entry, LexiconSpec, Policy, PolicyConfig, Signals, Submission, evaluate,
};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const LETTERS: &[char] = &[
    'ا', 'ب', 'ت', 'ث', 'ج', 'ح', 'خ', 'د', 'ذ', 'ر', 'ز', 'س', 'ش', 'ص', 'ض', 'ط', 'ظ', 'ع', 'غ',
    'ف', 'ق', 'ك', 'ل', 'م', 'ن', 'ه', 'و', 'ي',
];

const WORDS: &[&str] = &[
    "الحكومة",
    "أعلنت",
    "اليوم",
    "عن",
    "خطة",
    "جديدة",
    "لدعم",
    "التعليم",
    "في",
    "المناطق",
    "الريفية",
    "ارتفعت",
    "أسعار",
    "النفط",
    "الأسواق",
    "العالمية",
    "بعد",
    "قرار",
    "شكرا",
    "على",
    "هذا",
    "التقرير",
    "المفيد",
    "والمتوازن",
    "أتفق",
    "مع",
    "الكاتب",
    "معظم",
    "ما",
    "ذهب",
    "إليه",
    "لكن",
    "لدي",
    "ملاحظة",
    "المباراة",
    "كانت",
    "مثيرة",
    "وفاز",
    "الفريق",
    "بهدفين",
    "نتمنى",
    "أن",
    "تتحسن",
    "الخدمات",
    "الصحية",
    "المستشفيات",
    "الطقس",
    "حار",
    "جدا",
    "الأسبوع",
    "والقاهرة",
    "هل",
    "يمكن",
    "نشر",
    "المزيد",
    "من",
    "التفاصيل",
    "الموضوع",
    "الحوار",
    "بين",
    "الأديان",
    "ضروري",
    "لبناء",
    "السلام",
    "كسر",
    "عكس",
    "المكسيك",
    "كسب",
    "الزبون",
    "والله",
    "الإسلام",
    "المسيحية",
    "الاقتصاد",
    "المصري",
    "يواجه",
    "تحديات",
    "كبيرة",
    "المنتخب",
    "الوطني",
    "يستعد",
    "لكأس",
    "العالم",
    "وبالتالي",
    "فالحياة",
    "كالعادة",
    "للطلاب",
    "مستشفى",
];
const HITS: &[&str] = &["حمار", "يا غبي", "ح.م.ا.ر", "حمـــار", "7mar", "sh1t"];

/// A reader's submission of `body` (name, email and title as the form would send them).
fn reader(body: &str) -> Submission<'_> {
    Submission {
        name: "قارئ",
        email: "a@example.com",
        title: "تعليق",
        body,
    }
}

fn main() {
    let mut rng = Lcg(42);
    let mut cfg = PolicyConfig::seed();
    let entries: Vec<Entry> = (0..5_000)
        .map(|_| {
            let len = 4 + rng.below(5);
            Entry::Term(
                (0..len)
                    .map(|_| LETTERS[rng.below(LETTERS.len())])
                    .collect(),
            )
        })
        .collect();
    cfg.lexicons.push(LexiconSpec {
        lang: None,
        name: "generated".into(),
        category: Category::Custom,
        action: Action::Flag,
        version: 1,
        entries,
    });
    let t = Instant::now();
    let policy = Policy::compile(&cfg).expect("policy compiles");
    let compile = t.elapsed();
    if let Ok(path) = std::env::var("EVALUATE_DUMP") {
        dump(&policy, &path);
        return;
    }

    let bodies: Vec<String> = (0..200)
        .map(|i| {
            let mut s = String::new();
            while s.chars().count() < 2_000 {
                if i % 4 == 0 && rng.below(60) == 0 {
                    s.push_str(HITS[rng.below(HITS.len())]);
                } else {
                    s.push_str(WORDS[rng.below(WORDS.len())]);
                }
                s.push(' ');
            }
            s
        })
        .collect();
    let bytes_per_round: usize = bodies.iter().map(String::len).sum();
    let signals = Signals::default();

    // Warm-up.
    let mut flagged = 0usize;
    for b in &bodies {
        let sub = reader(b);
        if black_box(evaluate(&sub, &signals, &policy)).action != Action::Allow {
            flagged += 1;
        }
    }
    // `EVALUATE_ROUNDS=1` keeps a run under callgrind short (instruction counts of
    // `evaluate` alone: `--collect-atstart=no
    // --toggle-collect='majlis::moderation::engine::evaluate'`; a wildcard such as
    // `*engine*evaluate*` also matches the closure inside it, which toggles collection off).
    let rounds: usize = std::env::var("EVALUATE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(25);
    let cpu0 = thread_cpu_seconds();
    let t = Instant::now();
    for _ in 0..rounds {
        for b in &bodies {
            let sub = reader(b);
            black_box(evaluate(black_box(&sub), &signals, &policy));
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds() - cpu0;
    let n = rounds * bodies.len();
    let mb = (rounds * bytes_per_round) as f64 / 1_000_000.0;
    let lexicon = policy.lexicon();
    println!(
        "policy: {} entries (seed lists, protected terms, allow list and 5,000 generated), {} spellings with generated forms, {} read in Arabizi, {} automaton patterns; compiled in {:.1} ms; {} of {} bodies not allowed",
        lexicon.entry_count(),
        lexicon.form_count(),
        lexicon.arabizi_form_count(),
        policy.pattern_count(),
        compile.as_secs_f64() * 1000.0,
        flagged,
        bodies.len()
    );
    println!(
        "evaluate: {n} comments, {:.0} comments/s, {:.1} MB/s (single core, wall clock)",
        n as f64 / secs,
        mb / secs
    );
    // On a busy machine the wall clock counts the time other processes held the core; the
    // thread's own CPU time does not, so this line is the one to compare across loads.
    println!(
        "evaluate: {:.0} comments per CPU-second, {:.1} MB per CPU-second ({:.0} % of the wall time on CPU)",
        n as f64 / cpu,
        mb / cpu,
        100.0 * cpu / secs
    );
    news_comments(&policy, rounds);
}

/// The same policy over comments as readers write them: every text of the committed dev
/// batches (written blind as news comments; violations and benign alike), at their own
/// lengths.
fn news_comments(policy: &Policy, rounds: usize) {
    let texts: Vec<&str> = [
        include_str!("../tests/fixtures/moderation/posting-rules-dev.tsv"),
        include_str!("../tests/fixtures/moderation/posting-rules-dev3.tsv"),
        include_str!("../tests/fixtures/moderation/posting-rules-dev4.tsv"),
        include_str!("../tests/fixtures/moderation/posting-rules-dev5.tsv"),
        include_str!("../tests/fixtures/moderation/posting-rules-dev6.tsv"),
        include_str!("../tests/fixtures/moderation/posting-rules-dev7.tsv"),
        include_str!("../tests/fixtures/moderation/posting-rules-dev8.tsv"),
        include_str!("../tests/fixtures/moderation/posting-rules-dev9.tsv"),
        include_str!("../tests/fixtures/moderation/posting-rules-dev11.tsv"),
    ]
    .iter()
    .flat_map(|f| f.lines())
    .filter(|l| !l.starts_with('#'))
    .filter_map(|l| l.splitn(3, '\t').nth(2))
    .collect();
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let signals = Signals::default();
    let rounds = rounds.div_ceil(5).max(1);
    let cpu0 = thread_cpu_seconds();
    for _ in 0..rounds {
        for t in &texts {
            let sub = reader(t);
            black_box(evaluate(black_box(&sub), &signals, policy));
        }
    }
    let cpu = thread_cpu_seconds() - cpu0;
    println!(
        "evaluate, news comments as written ({} texts of the dev batches, {:.0} characters on average): {:.0} comments per CPU-second",
        texts.len(),
        chars as f64 / texts.len() as f64,
        (rounds * texts.len()) as f64 / cpu
    );
}

/// `EVALUATE_DUMP=/tmp/verdicts.txt cargo bench --bench evaluate`: instead of timing, writes
/// every verdict of the moderation fixtures to a file, to compare two versions of the engine
/// exactly (a faster engine must decide the same). Each text of every fixture (every
/// tab-separated column of every row) is evaluated as a body, and as a name and a title, alone
/// and joined with its neighbours into long bodies, with the seed policy and with this bench's
/// policy. The held-out (`sealed`) batches are written as one digest per batch, not row by row.
fn dump(bench_policy: &Policy, path: &str) {
    use std::fmt::Write as _;
    use std::hash::{DefaultHasher, Hash, Hasher};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/moderation");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    files.sort();
    let seed = Policy::compile(&PolicyConfig::seed()).expect("seed compiles");
    let policies = [("seed", &seed), ("bench", bench_policy)];
    let signals = Signals::default();
    let mut out = String::new();
    let mut verdicts = 0usize;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let sealed = name.contains("sealed");
        let corpus = std::fs::read_to_string(file).unwrap();
        let texts: Vec<&str> = corpus
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .flat_map(|l| l.split('\t'))
            .collect();
        let long: Vec<String> = texts.chunks(12).map(|c| c.join(" ")).collect();
        let mut digest = DefaultHasher::new();
        for (pname, policy) in policies {
            for t in texts.iter().copied().chain(long.iter().map(String::as_str)) {
                for sub in [
                    Submission {
                        name: "",
                        email: "",
                        title: "",
                        body: t,
                    },
                    Submission {
                        name: t,
                        email: "",
                        title: t,
                        body: "",
                    },
                ] {
                    let v = evaluate(&sub, &signals, policy);
                    verdicts += 1;
                    if sealed {
                        format!("{v:?}").hash(&mut digest);
                    } else {
                        writeln!(out, "{pname}\t{t}\n{v:?}").unwrap();
                    }
                }
            }
        }
        if sealed {
            writeln!(out, "{name}: digest {:016x}", digest.finish()).unwrap();
        } else {
            writeln!(out, "{name}: done").unwrap();
        }
    }
    std::fs::write(path, out).unwrap();
    println!("{verdicts} verdicts written to {path}");
}

/// CPU time this thread has used, in seconds.
fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}
