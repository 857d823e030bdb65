//! Spam simulation (#14): a bot that reads every security code (through the
//! hook that reveals answers, as the tests do) and solves every proof of
//! work posts 1,000 spam comments at full speed, mixed with 100 comments
//! from distinct readers, against a real majlis started in this process on
//! SQLite with the default settings, on a post-moderated site. Run three
//! times: the bot sends from 1, 10 and 200 addresses, spread over up to 10
//! networks (IPv4 /24s of the benchmarking range 198.18.0.0/15, given to
//! majlis through `X-Forwarded-For` from a trusted proxy on loopback).
//!
//!   nice cargo bench --bench spam
//!
//! The bot is patient about the fill-time trap: it fetches each code the
//! trap's minimum ahead of using it, which the simulation plays by
//! back-dating the code's issue time (a bot that posts at once is simply
//! stored as spam by the trap). Readers write at a human pace the same way:
//! their codes are back-dated by 30 s to 5 min. Nobody sleeps. A bot told
//! to wait (429 with Retry-After) skips that address until then, at no cost.
//!
//! Prints per run: spam that reaches publication (target ≤ 1 %); spam
//! stored where moderators see nothing against it, i.e. neither held,
//! rejected nor spam and without a spam or hold finding (target ≤ 5 %);
//! readers' comments held, trapped or refused (target 0); and the CPU
//! seconds the bot spent solving proofs of work per accepted submission.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use majlis::config::Settings;
use majlis::domain::{ModerationMode, Site, SiteKey};
use majlis::pow::{Issued, solve};
use majlis::startup::{Application, Hooks};
use serde_json::{Value, json};

const SPAM: usize = 1000;
const READERS: usize = 100;
const ARTICLES: usize = 20;
/// The bot aims at the first few articles (the front page).
const BOT_ARTICLES: usize = 4;

/// xorshift64*: a fixed, dependency-free sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn thread_cpu_secs() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

const SPAM_EN: [&str; 5] = [
    "Earn ${n} a day from home! Visit {link} now and join thousands of happy members",
    "Cheap followers and likes for your page, message me on WhatsApp 055{n}12 today {link}",
    "Best crypto signals, {n}% profit guaranteed every week, join our channel {link}",
    "Lose {n} kg in two weeks with this natural secret doctors hate, see {link}",
    "Fast loans with no guarantor and no interest up to ${n}000, apply now {link}",
];
const SPAM_AR: [&str; 5] = [
    "اربح {n} دولار يوميا من البيت، زوروا موقعنا {link} الآن واشتركوا مجانا",
    "متابعين ولايكات حقيقية بأرخص الأسعار، راسلنا على واتساب 055{n}12 اليوم {link}",
    "توصيات تداول مضمونة بربح {n}٪ أسبوعيا، انضم إلى قناتنا {link}",
    "خلطة طبيعية لإنقاص الوزن {n} كيلو في أسبوعين، اطلبها الآن {link}",
    "قروض سريعة بدون كفيل وبدون فوائد حتى {n} ألف، قدّم طلبك الآن {link}",
];
const SPAM_DOMAINS: [&str; 5] = [
    "cheap-pills.top",
    "win-big.click",
    "crypto-gain.xyz",
    "slim-fast.shop",
    "loans-now.top",
];

/// Spam number `i`: one of ten texts, half with a link, with small edits.
fn spam_body(i: usize, rng: &mut Rng) -> String {
    let t = i % 10;
    let template = if t < 5 { SPAM_EN[t] } else { SPAM_AR[t - 5] };
    let link = if rng.below(2) == 0 {
        format!("https://{}/{}", SPAM_DOMAINS[rng.below(5)], rng.below(1000))
    } else {
        String::new()
    };
    let mut body = template
        .replace("{n}", &(100 + rng.below(900)).to_string())
        .replace("{link}", &link);
    match rng.below(5) {
        0 => body.push_str("!!"),
        1 => body = body.to_uppercase(),
        2 => {
            body = body
                .replacen(" now", " today", 1)
                .replacen(" الآن", " فورا", 1)
        }
        3 => body = body.replacen('ا', "ـا", 1),
        _ => body.push_str(" 🔥"),
    }
    body.trim().to_string()
}

const WORDS_EN: [&str; 40] = [
    "budget",
    "council",
    "water",
    "schools",
    "transport",
    "minister",
    "report",
    "hospital",
    "election",
    "taxes",
    "farmers",
    "rain",
    "prices",
    "housing",
    "rent",
    "teachers",
    "roads",
    "bridge",
    "museum",
    "library",
    "football",
    "coach",
    "season",
    "drought",
    "harvest",
    "exports",
    "factory",
    "workers",
    "union",
    "strike",
    "courts",
    "judges",
    "police",
    "festival",
    "theatre",
    "poetry",
    "history",
    "village",
    "coast",
    "tourism",
];
const WORDS_AR: [&str; 40] = [
    "الميزانية",
    "البلدية",
    "المياه",
    "المدارس",
    "النقل",
    "الوزير",
    "التقرير",
    "المستشفى",
    "الانتخابات",
    "الضرائب",
    "المزارعون",
    "المطر",
    "الأسعار",
    "السكن",
    "الإيجار",
    "المعلمون",
    "الطرق",
    "الجسر",
    "المتحف",
    "المكتبة",
    "الكرة",
    "المدرب",
    "الموسم",
    "الجفاف",
    "الحصاد",
    "الصادرات",
    "المصنع",
    "العمال",
    "النقابة",
    "الإضراب",
    "المحاكم",
    "القضاة",
    "الشرطة",
    "المهرجان",
    "المسرح",
    "الشعر",
    "التاريخ",
    "القرية",
    "الساحل",
    "السياحة",
];
const OPENERS_EN: [&str; 5] = [
    "I think the article misses one point about",
    "Thank you for this report, but what about",
    "As someone who lives here, I worry about",
    "Good analysis. The real question is",
    "I disagree with the writer on",
];
const OPENERS_AR: [&str; 5] = [
    "أعتقد أن المقال أغفل نقطة مهمة عن",
    "شكرا على هذا التقرير، لكن ماذا عن",
    "بصفتي من سكان المنطقة، يقلقني موضوع",
    "تحليل جيد، والسؤال الحقيقي هو",
    "أختلف مع الكاتب في مسألة",
];

/// Reader `n`'s comment: an opener and eight of forty words, their own.
fn reader_body(n: usize, rng: &mut Rng) -> String {
    let (openers, words, and) = if n.is_multiple_of(2) {
        (&OPENERS_EN, &WORDS_EN, " and ")
    } else {
        (&OPENERS_AR, &WORDS_AR, " و")
    };
    let mut picked: Vec<&str> = Vec::new();
    while picked.len() < 8 {
        let w = rng.pick(words);
        if !picked.contains(&w) {
            picked.push(w);
        }
    }
    format!(
        "{} {}{}{}, {}.",
        rng.pick(openers),
        picked[..3].join(", "),
        and,
        picked[3],
        picked[4..].join(" ")
    )
}

struct Sim {
    base: String,
    client: reqwest::Client,
    answers: Arc<Mutex<HashMap<String, String>>>,
    db: sqlx::AnyPool,
}

enum Posted {
    Accepted(String),
    Refused(u16, Option<u64>),
}

impl Sim {
    async fn start(dir: &std::path::Path) -> (Sim, Site) {
        let db_url = format!("sqlite://{}/majlis.db", dir.display());
        let toml = format!(
            r#"
            [server]
            port = 0
            workers = 2
            trusted_proxies = ["127.0.0.1"]
            [database]
            url = "{db_url}"
            [log]
            level = "error"
            [demo]
            enabled = false
            "#
        );
        let settings = Settings::from_toml_over_defaults(&toml).unwrap();
        let answers: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let sink = answers.clone();
        let hooks = Hooks {
            captcha_issued: Some(Arc::new(move |id: &str, answer: &str| {
                sink.lock()
                    .unwrap()
                    .insert(id.to_string(), answer.to_string());
            })),
        };
        let app = Application::build_with(settings, hooks).await.unwrap();
        let port = app.port();
        let store = app.store().clone();
        tokio::spawn(app.run_until_stopped());
        let mut site = Site::new(SiteKey::parse("news").unwrap());
        site.moderation_mode = ModerationMode::Post;
        site.allowed_origins = vec!["https://news.example".into()];
        store
            .insert_site(&site, majlis::service::now_ms())
            .await
            .unwrap();
        sqlx::any::install_default_drivers();
        let db = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&format!("{db_url}?mode=rw"))
            .await
            .unwrap();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        (
            Sim {
                base: format!("http://127.0.0.1:{port}"),
                client,
                answers,
                db,
            },
            site,
        )
    }

    /// A code as `ip` gets it, read through the hook, issued `age_ms` ago.
    async fn code(&self, ip: &str, age_ms: i64) -> Result<(String, String), Option<u64>> {
        let resp = self
            .client
            .get(format!("{}/api/v1/captcha?site=news", self.base))
            .header("X-Forwarded-For", ip)
            .send()
            .await
            .unwrap();
        if resp.status() != 200 {
            return Err(retry_after(&resp));
        }
        let v: Value = resp.json().await.unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        let answer = self.answers.lock().unwrap().get(&id).cloned().unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE captcha_challenges SET created_at = created_at - {age_ms} WHERE id = '{id}'"
        )))
        .execute(&self.db)
        .await
        .unwrap();
        Ok((id, answer))
    }

    /// A proof of work for `ip`, solved; the CPU seconds it took.
    async fn pow(&self, ip: &str) -> (String, f64) {
        let c: Issued = self
            .client
            .get(format!("{}/api/v1/pow?site=news", self.base))
            .header("X-Forwarded-For", ip)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let before = thread_cpu_secs();
        let proof = solve(&c).unwrap().encode();
        (proof, thread_cpu_secs() - before)
    }

    async fn post(&self, ip: &str, article: usize, body: &Value) -> Posted {
        let resp = self
            .client
            .post(format!(
                "{}/api/v1/sites/news/articles/story-{article}/comments",
                self.base
            ))
            .header("X-Forwarded-For", ip)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        if status == 201 || status == 202 {
            let v: Value = resp.json().await.unwrap();
            Posted::Accepted(v["id"].as_str().unwrap().to_string())
        } else {
            Posted::Refused(status, retry_after(&resp))
        }
    }

    /// (status, flagged, findings) of a stored comment.
    async fn stored(&self, id: &str) -> (String, Vec<Value>) {
        use sqlx::Row;
        let row = sqlx::query("SELECT status, findings FROM comments WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db)
            .await
            .unwrap();
        let findings: String = row.get("findings");
        (
            row.get("status"),
            serde_json::from_str(&findings).unwrap_or_default(),
        )
    }
}

fn retry_after(resp: &reqwest::Response) -> Option<u64> {
    resp.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

#[derive(Default)]
struct Tally {
    sent: usize,
    accepted: usize,
    /// Stored status → count.
    status: HashMap<String, usize>,
    /// Stored, yet neither held, rejected nor spam, and without a spam or
    /// hold finding: nothing tells the moderators.
    unmarked: usize,
    /// Refused by HTTP status (429 includes codes refused and addresses
    /// the bot skipped while told to wait).
    refused: HashMap<u16, usize>,
    /// Finding code → stored comments carrying it.
    findings: HashMap<String, usize>,
}

impl Tally {
    fn count(&mut self, status: String, findings: &[Value]) {
        let marked = status == "held"
            || status == "rejected"
            || status == "spam"
            || findings
                .iter()
                .any(|f| f["action"] == "hold" || f["category"] == "spam");
        if !marked {
            self.unmarked += 1;
        }
        *self.status.entry(status).or_default() += 1;
        let mut seen: Vec<&str> = Vec::new();
        for f in findings {
            let c = f["code"].as_str().unwrap_or("");
            if !seen.contains(&c) {
                seen.push(c);
                *self.findings.entry(c.to_string()).or_default() += 1;
            }
        }
    }
    fn status(&self, s: &str) -> usize {
        self.status.get(s).copied().unwrap_or(0)
    }
    fn refused(&self) -> usize {
        self.refused.values().sum()
    }
}

fn pct(n: usize, of: usize) -> f64 {
    100.0 * n as f64 / of.max(1) as f64
}

async fn run(addresses: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (sim, _site) = Sim::start(dir.path()).await;
    let min_fill_ms = 3_000 + 1_000;
    let bot_ip = |i: usize| {
        let a = i % addresses;
        // Up to 10 networks, the addresses spread evenly over them.
        format!("198.18.{}.{}", a % 10, 10 + a / 10)
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ addresses as u64);
    let mut wait_until: HashMap<String, Instant> = HashMap::new();
    let mut spam = Tally::default();
    let mut readers = Tally::default();
    let mut bot_cpu = 0.0;
    let mut spam_ids = Vec::new();
    let mut reader_ids = Vec::new();
    let started = Instant::now();
    for i in 0..SPAM {
        // A reader every tenth spam: spread over the run.
        if i % (SPAM / READERS) == 5 {
            let n = i / (SPAM / READERS);
            let ip = format!("198.19.{n}.7");
            readers.sent += 1;
            let age = 30_000 + rng.below(270_000) as i64;
            let (id, answer) = sim.code(&ip, age).await.expect("a reader's code");
            let (pow, _) = sim.pow(&ip).await;
            let (name, email) = if n.is_multiple_of(2) {
                (format!("Reader {n}"), format!("reader{n}@mail.example"))
            } else {
                (format!("قارئ {n}"), format!("qari{n}@mail.example"))
            };
            let body = json!({
                "name": name, "email": email, "title": "رأي",
                "body": reader_body(n, &mut rng), "accept_terms": true,
                "captcha_id": id, "captcha_answer": answer, "pow": pow,
            });
            match sim.post(&ip, rng.below(ARTICLES), &body).await {
                Posted::Accepted(id) => {
                    readers.accepted += 1;
                    reader_ids.push(id);
                }
                Posted::Refused(s, _) => *readers.refused.entry(s).or_default() += 1,
            }
        }
        let ip = bot_ip(i);
        spam.sent += 1;
        if wait_until.get(&ip).is_some_and(|t| *t > Instant::now()) {
            *spam.refused.entry(429).or_default() += 1;
            continue;
        }
        let told_to_wait = |w: &mut HashMap<String, Instant>, secs: Option<u64>| {
            w.insert(
                ip.clone(),
                Instant::now() + Duration::from_secs(secs.unwrap_or(60)),
            );
        };
        let (id, answer) = match sim.code(&ip, min_fill_ms).await {
            Ok(c) => c,
            Err(secs) => {
                told_to_wait(&mut wait_until, secs);
                *spam.refused.entry(429).or_default() += 1;
                continue;
            }
        };
        let (pow, cpu) = sim.pow(&ip).await;
        bot_cpu += cpu;
        let body = json!({
            "name": rng.pick(&["Sara", "Mike", "سارة", "أحمد", "Promo"]),
            "email": format!("deal{i}x{}@mail{}.example", rng.below(1000), i % 7),
            "title": rng.pick(&["Great offer", "عرض خاص", "Hello", "مرحبا"]),
            "body": spam_body(i, &mut rng), "accept_terms": true,
            "captcha_id": id, "captcha_answer": answer, "pow": pow,
        });
        match sim.post(&ip, rng.below(BOT_ARTICLES), &body).await {
            Posted::Accepted(id) => {
                spam.accepted += 1;
                spam_ids.push(id);
            }
            Posted::Refused(s, secs) => {
                if s == 429 {
                    told_to_wait(&mut wait_until, secs);
                }
                *spam.refused.entry(s).or_default() += 1;
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    for id in &spam_ids {
        let (status, findings) = sim.stored(id).await;
        spam.count(status, &findings);
    }
    for id in &reader_ids {
        let (status, findings) = sim.stored(id).await;
        readers.count(status, &findings);
    }
    let networks = addresses.min(10);
    println!("\n== bot from {addresses} address(es) over {networks} network(s), {wall:.0} s ==");
    println!(
        "spam sent {}: refused {} {:?}; accepted {}: published {} ({:.1} %, target <= 1 %), \
         held {}, spam {}, rejected {}, pending {}",
        spam.sent,
        spam.refused(),
        spam.refused,
        spam.accepted,
        spam.status("published"),
        pct(spam.status("published"), spam.sent),
        spam.status("held"),
        spam.status("spam"),
        spam.status("rejected"),
        spam.status("pending"),
    );
    println!(
        "spam stored without a spam or hold finding (not held/spam/rejected): {} ({:.1} %, target <= 5 %)",
        spam.unmarked,
        pct(spam.unmarked, spam.sent)
    );
    let mut f: Vec<_> = spam.findings.iter().collect();
    f.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("spam findings (comments carrying each): {f:?}");
    let not_published = readers.sent - readers.status("published");
    println!(
        "readers sent {}: published {}, held {}, trapped (spam) {}, rejected {}, refused {} {:?} \
         -> not published {} (target 0)",
        readers.sent,
        readers.status("published"),
        readers.status("held"),
        readers.status("spam"),
        readers.status("rejected"),
        readers.refused(),
        readers.refused,
        not_published,
    );
    if not_published > 0 {
        for id in &reader_ids {
            let (status, findings) = sim.stored(id).await;
            if status != "published" {
                let codes: Vec<_> = findings.iter().map(|f| f["code"].clone()).collect();
                println!("  reader comment {id}: {status} {codes:?}");
            }
        }
    }
    let mut f: Vec<_> = readers.findings.iter().collect();
    f.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("reader findings (comments carrying each): {f:?}");
    println!(
        "bot CPU solving proofs of work: {bot_cpu:.2} s for {} accepted submissions = {:.3} s each \
         ({:.3} s per proof solved)",
        spam.accepted,
        bot_cpu / spam.accepted.max(1) as f64,
        bot_cpu / (spam.sent - spam.refused.get(&429).copied().unwrap_or(0)).max(1) as f64,
    );
    sim.db.close().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let only: Option<usize> = std::env::var("MAJLIS_SPAM_ADDRESSES")
        .ok()
        .and_then(|v| v.parse().ok());
    for addresses in [1, 10, 200] {
        if only.is_some_and(|o| o != addresses) {
            continue;
        }
        rt.block_on(run(addresses));
    }
}
