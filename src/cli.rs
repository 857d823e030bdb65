//! The command line: `majlis [--config FILE] <command>`.

mod import;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Settings;
use crate::domain::{Actor, Block, BlockDto, Lang, SiteChange, SiteKey, SiteSettingsDto};
use crate::routes::ApiError;
use crate::service::{
    self, AdminError, Commenting, ErasureRequest, NewModeratorDto, NewWebhook, NewWebhookDto,
    Wakes, WebhookUpdate, WebhookUpdateDto, now_ms,
};
use crate::startup::Application;
use crate::storage::{StorageError, Store};

#[derive(Parser, Debug)]
#[command(
    name = "majlis",
    version,
    about = "A self-hosted, moderated comment backend for news sites"
)]
pub struct Cli {
    /// Configuration file layered over the built-in defaults.
    #[arg(long, global = true, env = "MAJLIS_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

// Parsed once at start-up: the size of the largest variant (a site's
// settings) costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API, the embed pages and the demo (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage sites.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Apikey(ApiKeyCommand),
    /// Manage instance-level keys of the admin API (sites, site keys, accounts).
    #[command(subcommand)]
    Rootkey(RootKeyCommand),
    /// Block an email, a domain or an address range on a site.
    #[command(subcommand)]
    Block(BlockCommand),
    /// Manage dashboard accounts (passwords are read from the terminal or stdin).
    #[command(subcommand)]
    Moderator(ModeratorCommand),
    /// Open or close commenting on an article (as the dashboard's articles page).
    #[command(subcommand)]
    Article(ArticleCommand),
    /// Privacy requests about one person, by email, on a site (as
    /// `POST .../privacy/export` and `.../privacy/erase`).
    #[command(subcommand)]
    Privacy(PrivacyCommand),
    /// Manage a site's webhook subscriptions (as `.../webhooks` of the API).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Replace a site's word list (as `PUT .../lexicons/{name}` and the dashboard's list editor).
    #[command(subcommand)]
    Wordlist(WordlistCommand),
    /// Replace a site's pattern rules (as the dashboard's pattern-rules editor).
    #[command(subcommand)]
    Patterns(PatternsCommand),
    /// Fix a comment's text (as `PATCH .../comments/{id}` and the dashboard's edit form).
    #[command(subcommand)]
    Comment(CommentCommand),
    /// When reader reports hold a comment (as `PUT .../reports/settings`).
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// Write every comment of a site to stdout as NDJSON (as `GET .../export`).
    Export {
        #[arg(long)]
        site: String,
        /// Write to this file (with a progress bar on stderr) instead of stdout.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Bring comments from Disqus, WordPress, Isso or Remark42 into a site.
    Import(import::ImportArgs),
    /// SQLite: write a consistent, checked copy of the database to a new
    /// file while majlis serves. (PostgreSQL: pg_dump, see the README.)
    Backup {
        #[arg(long, short)]
        output: std::path::PathBuf,
    },
    /// SQLite: restore a copy made by `majlis backup` into the configured
    /// database, which must be empty. Stop majlis first.
    Restore { file: std::path::PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum ModeratorCommand {
    /// Create an account.
    Add {
        #[arg(long)]
        email: String,
        /// `admin` (every site when no --site is given) or `moderator`.
        #[arg(long, default_value = "moderator")]
        role: String,
        /// A site the account works on (repeatable).
        #[arg(long = "site")]
        sites: Vec<String>,
        /// Dashboard language: `ar` or `en`.
        #[arg(long, default_value = "ar")]
        lang: String,
    },
    /// Set a new password (ends the account's sessions).
    Passwd {
        #[arg(long)]
        email: String,
    },
    /// Disable an account (ends its sessions; its audit trail stays).
    Disable {
        #[arg(long)]
        email: String,
    },
    /// List accounts.
    List,
}

#[derive(Subcommand, Debug)]
pub enum ArticleCommand {
    /// Close commenting on an article.
    Close {
        #[arg(long)]
        site: String,
        /// The article's key on the site.
        article: String,
    },
    /// Open commenting on an article again.
    Open {
        #[arg(long)]
        site: String,
        article: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum WordlistCommand {
    /// Replace the list's entries (one a line: `term | hold substring forms=a,b` for
    /// options; a bare line keeps the options its entry had).
    Set {
        #[arg(long)]
        site: String,
        /// The list's name (an existing list keeps its category and action).
        name: String,
        /// An entry line (repeatable).
        #[arg(long = "entry")]
        entries: Vec<String>,
        /// A file of entry lines, read after the `--entry` ones.
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PatternsCommand {
    /// Replace the classes and rules (`{"classes": [...], "rules": [...]}`, the document the
    /// dashboard's editor shows).
    Set {
        #[arg(long)]
        site: String,
        /// The document itself.
        #[arg(long, conflicts_with = "file")]
        json: Option<String>,
        /// A file holding the document.
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CommentCommand {
    /// Replace a comment's title or body (the field rules of a submission; the audit
    /// row keeps the original).
    Edit {
        #[arg(long)]
        site: String,
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        body: Option<String>,
        /// Why, for the audit trail.
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportsCommand {
    /// Change the site's report settings (what is not given stays).
    Set {
        #[arg(long)]
        site: String,
        /// Open reports from distinct networks that hold a published comment (0: never).
        #[arg(long)]
        hold_after: Option<u32>,
        /// Whether readers may choose "illegal content".
        #[arg(long)]
        illegal_reason: Option<bool>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PrivacyCommand {
    /// Print everything the site stores about an address as JSON.
    Export {
        #[arg(long)]
        site: String,
        #[arg(long)]
        email: String,
    },
    /// Anonymize everything the site stores about an address.
    Erase {
        #[arg(long)]
        site: String,
        #[arg(long)]
        email: String,
        /// Remove the comments' title and body too (they become `deleted`).
        #[arg(long)]
        remove_text: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum WebhookCommand {
    /// Subscribe a URL to events; the signing secret is printed once.
    Add {
        #[arg(long)]
        site: String,
        /// Where deliveries are POSTed (`https`, public addresses, unless
        /// the `webhooks` settings allow otherwise).
        #[arg(long)]
        url: String,
        /// An event type to deliver, e.g. `comment.published` (repeatable).
        #[arg(long = "event")]
        events: Vec<String>,
        /// A note for people (at most 200 characters).
        #[arg(long)]
        description: Option<String>,
    },
    /// List the subscriptions of a site (never the secrets).
    List {
        #[arg(long)]
        site: String,
    },
    /// Change a subscription (only the options given).
    Update {
        #[arg(long)]
        site: String,
        id: String,
        #[arg(long)]
        url: Option<String>,
        /// The event types it now receives (repeatable; replaces the list).
        #[arg(long = "event")]
        events: Vec<String>,
        #[arg(long)]
        description: Option<String>,
        /// `false` pauses the subscription, `true` resumes it.
        #[arg(long)]
        enabled: Option<bool>,
    },
    /// Remove a subscription with its delivery log.
    Remove {
        #[arg(long)]
        site: String,
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum BlockCommand {
    /// Add or renew a block.
    Add {
        #[arg(long)]
        site: String,
        /// `email`, `domain`, `ip` (address or CIDR range) or `ip_hash`.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        value: String,
        /// Hours (at most a year); absent = until removed.
        #[arg(long)]
        hours: Option<String>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Remove a block by id.
    Remove {
        #[arg(long)]
        site: String,
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SiteCommand {
    /// Create a site.
    Add(SiteArgs),
    /// Change settings of an existing site (only the options given).
    Set(SiteArgs),
    /// List sites.
    List,
}

#[derive(Args, Debug)]
pub struct SiteArgs {
    /// The site key used in URLs, e.g. `alwatan`.
    pub key: String,
    #[arg(long)]
    pub name: Option<String>,
    /// An origin allowed to embed the comments (repeatable), e.g. https://www.example.com
    #[arg(long = "origin")]
    pub origins: Vec<String>,
    /// `ar` or `en`.
    #[arg(long)]
    pub lang: Option<String>,
    /// `pre` (every comment waits for a moderator) or `post`.
    #[arg(long)]
    pub moderation: Option<String>,
    /// Maximum comment length in characters.
    #[arg(long)]
    pub max_body: Option<String>,
    #[arg(long)]
    pub terms_url: Option<String>,
    #[arg(long)]
    pub terms_version: Option<String>,
    /// `always` (or `on`), `when-suspicious` or `off` (for sites with their
    /// own bot check in front).
    #[arg(long)]
    pub captcha: Option<String>,
    /// Spam score at which a comment is held with spam suggested (0 = never).
    #[arg(long)]
    pub spam_threshold: Option<String>,
    /// Close commenting this many days after an article's first comment (0 = never).
    #[arg(long)]
    pub auto_close_days: Option<String>,
    /// The posting rules shown on the form in Arabic ("" = the built-in text).
    #[arg(long)]
    pub rules_ar: Option<String>,
    /// The posting rules shown on the form in English ("" = the built-in text).
    #[arg(long)]
    pub rules_en: Option<String>,
    /// Readers may like comments: `on` or `off` (the default).
    #[arg(long)]
    pub likes: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create a key; it is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        site: String,
        /// `moderator` or `admin`.
        #[arg(long, default_value = "moderator")]
        role: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List the keys of a site (never the secrets).
    List {
        #[arg(long)]
        site: String,
    },
    /// Revoke a key by id.
    Revoke {
        #[arg(long)]
        site: String,
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RootKeyCommand {
    /// Create a root key; it is printed once and stored only as a hash.
    Create {
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List the root keys (never the secrets).
    List,
    /// Revoke a root key by id.
    Revoke { id: String },
}

/// An operator's command waits this long for the database, where a request
/// waits `database.acquire_timeout_ms`: a running server may hold SQLite's
/// write lock for a moment, and a terminal would rather wait than fail.
const CLI_ACQUIRE_TIMEOUT_MS: u64 = 30_000;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    let command = cli.command.unwrap_or(Command::Serve);
    crate::telemetry::init(&settings.log, !matches!(command, Command::Serve));
    if !matches!(command, Command::Serve) {
        settings.database.acquire_timeout_ms = settings
            .database
            .acquire_timeout_ms
            .max(CLI_ACQUIRE_TIMEOUT_MS);
    }
    match command {
        Command::Serve => {
            let app = Application::build(settings).await?;
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let store = Store::connect(&settings.database).await?;
            store.migrate().await?;
            println!("migrations applied ({})", store.backend().name());
        }
        Command::Site(cmd) => site_command(&open(&settings).await?, cmd).await?,
        Command::Apikey(cmd) => apikey_command(&open(&settings).await?, cmd).await?,
        Command::Rootkey(cmd) => rootkey_command(&open(&settings).await?, cmd).await?,
        Command::Block(cmd) => block_command(&open(&settings).await?, cmd).await?,
        Command::Moderator(cmd) => moderator_command(&open(&settings).await?, cmd).await?,
        Command::Article(cmd) => article_command(&open(&settings).await?, cmd).await?,
        Command::Privacy(cmd) => privacy_command(&open(&settings).await?, cmd).await?,
        Command::Wordlist(cmd) => wordlist_command(&open(&settings).await?, cmd).await?,
        Command::Comment(cmd) => comment_command(&open(&settings).await?, cmd).await?,
        Command::Patterns(cmd) => patterns_command(&open(&settings).await?, cmd).await?,
        Command::Reports(cmd) => reports_command(&open(&settings).await?, cmd).await?,
        Command::Webhook(cmd) => {
            webhook_command(&open(&settings).await?, &settings.webhooks, cmd).await?
        }
        Command::Export { site, output } => {
            export_command(&open(&settings).await?, &site, output.as_deref()).await?
        }
        Command::Import(args) => import::run(&open(&settings).await?, args).await?,
        Command::Backup { output } => {
            // Only reads: it must not take the write lock a serving majlis needs.
            let mut options = crate::storage::ConnectOptions::from(&settings.database);
            options.refresh_statistics = false;
            let store = Store::connect(options).await?;
            let started = std::time::Instant::now();
            let report = store.backup_to(&output).await;
            store.close().await;
            let report = report?;
            println!(
                "backup written to {} and checked: {} comments, {} bytes, {:.1} s",
                output.display(),
                report.comments,
                report.bytes,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Restore { file } => {
            use secrecy::ExposeSecret;
            let url = settings.database.url.expose_secret().to_string();
            let report = crate::storage::restore_sqlite(&file, &url).await?;
            let store = Store::connect(&settings.database).await?;
            store.migrate().await?;
            store.close().await;
            println!(
                "restored {} ({} comments) and applied migrations",
                file.display(),
                report.comments
            );
        }
    }
    Ok(())
}

/// This process runs no delivery loop: what a command queues (an
/// `article.closed`, a `comment.erased`) goes out at the serving instance's
/// next poll of the shared tables.
fn no_loops() -> Wakes {
    Wakes::unheard()
}

async fn open(settings: &Settings) -> Result<Store, StorageError> {
    let store = Store::connect(&settings.database).await?;
    store.migrate().await?;
    Ok(store)
}

/// A refused or failed admin use case, with the stable code the API and the
/// dashboard answer with (`invalid_parameter: origins (invalid_origin)`).
fn admin_err(e: AdminError) -> anyhow::Error {
    api_err(ApiError::admin(e, Lang::En))
}

/// An error as the API would answer it: `<code>: <fields or detail>`.
fn api_err(e: ApiError) -> anyhow::Error {
    let mut msg = e.code.as_str().to_string();
    if let Some(fields) = &e.fields {
        let list: Vec<String> = fields
            .0
            .iter()
            .flat_map(|(f, errs)| errs.iter().map(move |x| format!("{f} ({})", x.code)))
            .collect();
        msg = format!("{msg}: {}", list.join(", "));
    } else if let Some(detail) = &e.detail {
        msg = format!("{msg}: {detail}");
    }
    match e.cause {
        Some(cause) => cause.context(msg),
        None => anyhow::anyhow!(msg),
    }
}

/// `admin_err`, naming the record in the operator's words where the code
/// is `not_found` or `conflict`.
fn admin_err_about(what: String) -> impl FnOnce(AdminError) -> anyhow::Error {
    move |e| match e {
        AdminError::NotFound | AdminError::Conflict => {
            anyhow::anyhow!("{}: {what}", ApiError::admin(e, Lang::En).code.as_str())
        }
        e => admin_err(e),
    }
}

fn site_change(args: &SiteArgs) -> anyhow::Result<SiteChange> {
    SiteChange::parse(SiteSettingsDto {
        name: args.name.clone(),
        origins: (!args.origins.is_empty()).then(|| args.origins.clone()),
        lang: args.lang.clone(),
        moderation: args.moderation.clone(),
        max_body: args.max_body.clone(),
        terms_url: args.terms_url.clone(),
        terms_version: args.terms_version.clone(),
        captcha: args.captcha.clone(),
        spam_threshold: args.spam_threshold.clone(),
        auto_close_days: args.auto_close_days.clone(),
        rules_text_ar: args.rules_ar.clone(),
        rules_text_en: args.rules_en.clone(),
        likes: args.likes.clone(),
    })
    .map_err(|e| admin_err(AdminError::InvalidParameter(e)))
}

async fn site_command(store: &Store, cmd: SiteCommand) -> anyhow::Result<()> {
    match cmd {
        SiteCommand::Add(args) => {
            let key = SiteKey::parse(&args.key).map_err(anyhow::Error::msg)?;
            let change = site_change(&args)?;
            let site = service::create_site(store, &Actor::Cli, key, &change, now_ms())
                .await
                .map_err(admin_err_about(format!("site {} already exists", args.key)))?;
            println!("site {} created", site.key);
        }
        SiteCommand::Set(args) => {
            let change = site_change(&args)?;
            let site = service::change_site(store, &Actor::Cli, &args.key, &change, now_ms())
                .await
                .map_err(admin_err)?;
            println!("site {} updated", site.key);
        }
        SiteCommand::List => {
            println!(
                "{:<20} {:<4} {:<5} {:<15} {:<6} origins",
                "key", "lang", "mode", "captcha", "max"
            );
            for s in store.sites().await? {
                println!(
                    "{:<20} {:<4} {:<5} {:<15} {:<6} {}",
                    s.key.as_str(),
                    s.default_lang.code(),
                    s.moderation_mode.as_str(),
                    s.captcha.as_str(),
                    s.max_body_chars,
                    s.allowed_origins.join(" ")
                );
            }
        }
    }
    Ok(())
}

/// The NDJSON export of `GET /api/v1/sites/{site}/export`, to stdout or to a
/// file with a progress bar on stderr.
async fn export_command(
    store: &Store,
    site: &str,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use std::io::Write;
    service::start_export(store, &Actor::Cli, site, now_ms())
        .await
        .map_err(admin_err)?;
    let (mut out, total): (Box<dyn Write>, Option<u64>) = match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
            let total = store.count_site_comments(site).await?;
            (Box::new(std::io::BufWriter::new(file)), Some(total))
        }
        None => (
            Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            None,
        ),
    };
    let bar = total.map(|total| {
        indicatif::ProgressBar::new(total).with_style(
            indicatif::ProgressStyle::with_template("[{bar:30}] {percent:>3}% {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("#>-"),
        )
    });
    let mut cursor: Option<crate::storage::Cursor> = None;
    let mut done: u64 = 0;
    loop {
        let page = crate::service::export_page(store, site, cursor.as_ref())
            .await
            .map_err(admin_err)?;
        if page.comments.is_empty() {
            break;
        }
        done += page.comments.len() as u64;
        cursor = page.next.clone();
        out.write_all(&crate::routes::export_ndjson(page))?;
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    }
    out.flush()?;
    if let (Some(bar), Some(path)) = (bar, output) {
        bar.set_length(done.max(bar.length().unwrap_or(0)));
        bar.finish();
        if bar.is_hidden() {
            // Not a terminal: the final state as one line.
            let total = bar.length().unwrap_or(done).max(1);
            eprintln!("{:>3}% {done}/{total}", done * 100 / total);
        }
        eprintln!("{done} comments written to {}", path.display());
    }
    Ok(())
}

async fn article_command(store: &Store, cmd: ArticleCommand) -> anyhow::Result<()> {
    let (site, article, closed) = match cmd {
        ArticleCommand::Close { site, article } => (site, article, true),
        ArticleCommand::Open { site, article } => (site, article, false),
    };
    let change =
        Commenting::parse(&article, closed).map_err(|e| admin_err(AdminError::Validation(e)))?;
    service::set_commenting(store, &no_loops(), &Actor::Cli, &site, &change, now_ms())
        .await
        .map_err(admin_err)?;
    let state = if closed { "closed" } else { "open" };
    println!("commenting on {article} is {state}");
    Ok(())
}

async fn wordlist_command(store: &Store, cmd: WordlistCommand) -> anyhow::Result<()> {
    let WordlistCommand::Set {
        site,
        name,
        entries,
        file,
    } = cmd;
    let mut lines = entries;
    if let Some(path) = file {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        lines.extend(text.lines().map(str::to_string));
    }
    let put = service::LexiconPut::from_lines(lines.iter().map(String::as_str));
    let saved = service::put_lexicon(store, &Actor::Cli, &site, &name, put, now_ms())
        .await
        .map_err(admin_err)?;
    println!(
        "word list {name}: version {}, {} entries",
        saved.version, saved.entries
    );
    Ok(())
}

async fn patterns_command(store: &Store, cmd: PatternsCommand) -> anyhow::Result<()> {
    let PatternsCommand::Set { site, json, file } = cmd;
    let text = match (json, file) {
        (Some(j), _) => j,
        (None, Some(path)) => std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
        (None, None) => anyhow::bail!("give the rules with --json or --file"),
    };
    let patterns = service::parse_patterns(&text).map_err(admin_err)?;
    let version = service::put_patterns(store, &Actor::Cli, &site, patterns, now_ms())
        .await
        .map_err(admin_err)?;
    println!("pattern rules of {site} saved (policy version {version})");
    Ok(())
}

async fn comment_command(store: &Store, cmd: CommentCommand) -> anyhow::Result<()> {
    let CommentCommand::Edit {
        site,
        id,
        title,
        body,
        note,
    } = cmd;
    let dto = crate::domain::CommentEditDto { title, body, note };
    let status = service::edit_comment(
        store,
        &service::PolicyCache::default(),
        &no_loops(),
        &Actor::Cli,
        &site,
        &id,
        dto,
        now_ms(),
    )
    .await
    .map_err(admin_err_about(format!("comment {id}")))?;
    println!("comment {id} edited ({})", status.as_str());
    Ok(())
}

async fn reports_command(store: &Store, cmd: ReportsCommand) -> anyhow::Result<()> {
    let ReportsCommand::Set {
        site,
        hold_after,
        illegal_reason,
    } = cmd;
    store
        .site(&site)
        .await?
        .ok_or(AdminError::SiteNotFound)
        .map_err(admin_err)?;
    let current = store.report_settings(&site).await?;
    let settings = crate::storage::ReportSettings {
        hold_after: hold_after.unwrap_or(current.hold_after),
        illegal_reason: illegal_reason.unwrap_or(current.illegal_reason),
    };
    service::set_report_settings(store, &Actor::Cli, &site, settings, now_ms())
        .await
        .map_err(|e| match e {
            service::ReportError::Validation(errors) => {
                api_err(ApiError::invalid_fields(errors, Lang::En))
            }
            other => anyhow::Error::new(other),
        })?;
    println!("report settings of {site} saved");
    Ok(())
}

async fn privacy_command(store: &Store, cmd: PrivacyCommand) -> anyhow::Result<()> {
    match cmd {
        PrivacyCommand::Export { site, email } => {
            let email = service::parse_person(Some(&email))
                .map_err(|e| admin_err(AdminError::Validation(e)))?;
            let records = service::person_records(store, &Actor::Cli, &site, &email, now_ms())
                .await
                .map_err(admin_err)?;
            let doc = crate::routes::person_json(&email, records);
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        PrivacyCommand::Erase {
            site,
            email,
            remove_text,
        } => {
            let request = ErasureRequest::parse(Some(&email), remove_text)
                .map_err(|e| admin_err(AdminError::Validation(e)))?;
            let outcome =
                service::erase_person(store, &no_loops(), &Actor::Cli, &site, &request, now_ms())
                    .await
                    .map_err(admin_err)?;
            println!(
                "{} comments anonymized, {} emails deleted",
                outcome.comments, outcome.mail
            );
        }
    }
    Ok(())
}

async fn apikey_command(store: &Store, cmd: ApiKeyCommand) -> anyhow::Result<()> {
    match cmd {
        ApiKeyCommand::Create { site, role, label } => {
            let (record, secret) =
                service::create_api_key(store, &Actor::Cli, &site, &role, &label, now_ms())
                    .await
                    .map_err(admin_err)?;
            eprintln!(
                "API key {} ({}) for site {site}. Shown once; store it now:",
                record.id, record.role
            );
            println!("{secret}");
        }
        ApiKeyCommand::List { site } => {
            for k in store.api_keys(&site).await? {
                println!(
                    "{}  {:<9} {:<8} {}",
                    k.id,
                    k.role,
                    if k.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    },
                    k.label
                );
            }
        }
        ApiKeyCommand::Revoke { site, id } => {
            service::revoke_api_key(store, &Actor::Cli, &site, &id, now_ms())
                .await
                .map_err(admin_err_about(format!(
                    "no active key {id} on site {site}"
                )))?;
            println!("key {id} revoked");
        }
    }
    Ok(())
}

async fn rootkey_command(store: &Store, cmd: RootKeyCommand) -> anyhow::Result<()> {
    match cmd {
        RootKeyCommand::Create { label } => {
            let (record, secret) = service::create_root_key(store, &Actor::Cli, &label, now_ms())
                .await
                .map_err(admin_err)?;
            eprintln!(
                "Root key {} for the admin API (/api/v1/admin). Shown once; store it now:",
                record.id
            );
            println!("{secret}");
        }
        RootKeyCommand::List => {
            for k in store.root_keys().await? {
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!("{}  {state:<8} {}", k.id, k.label);
            }
        }
        RootKeyCommand::Revoke { id } => {
            service::revoke_root_key(store, &Actor::Cli, &id, now_ms())
                .await
                .map_err(admin_err_about(format!("no active root key {id}")))?;
            println!("root key {id} revoked");
        }
    }
    Ok(())
}

async fn block_command(store: &Store, cmd: BlockCommand) -> anyhow::Result<()> {
    match cmd {
        BlockCommand::Add {
            site,
            kind,
            value,
            hours,
            reason,
        } => {
            let block = Block::parse(BlockDto {
                kind: Some(kind),
                value: Some(value),
                hours,
                reason,
            })
            .map_err(|e| admin_err(AdminError::InvalidParameter(e)))?;
            let entry = service::add_block(store, &Actor::Cli, &site, &block, now_ms())
                .await
                .map_err(admin_err)?;
            println!("block {} added ({} {})", entry.id, entry.kind, entry.value);
        }
        BlockCommand::Remove { site, id } => {
            service::remove_block(store, &Actor::Cli, &site, &id, now_ms())
                .await
                .map_err(admin_err)?;
            println!("block {id} removed");
        }
    }
    Ok(())
}

/// A password from the terminal (asked twice, not echoed) or the first line
/// of stdin.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password(format!(
        "Password (not shown as you type; at least {} characters): ",
        crate::auth::password::MIN_LEN
    ))?;
    let second = rpassword::prompt_password("Again: ")?;
    anyhow::ensure!(first == second, "the passwords differ");
    Ok(first)
}

async fn account(store: &Store, email: &str) -> anyhow::Result<crate::storage::ModeratorRecord> {
    store
        .moderator_by_email(&email.trim().to_lowercase())
        .await?
        .ok_or_else(|| anyhow::anyhow!("not_found: no account {email}"))
}

async fn moderator_command(store: &Store, cmd: ModeratorCommand) -> anyhow::Result<()> {
    match cmd {
        ModeratorCommand::Add {
            email,
            role,
            sites,
            lang,
        } => {
            let dto = NewModeratorDto {
                email: email.clone(),
                role,
                sites,
                lang: Some(lang),
                password: read_password()?,
            };
            let record = service::add_moderator(store, &Actor::Cli, dto, now_ms())
                .await
                .map_err(admin_err_about(format!("{email} already has an account")))?;
            println!("moderator {} created ({})", record.email, record.id);
        }
        ModeratorCommand::Passwd { email } => {
            let m = account(store, &email).await?;
            service::set_moderator_password(store, &Actor::Cli, &m.id, &read_password()?, now_ms())
                .await
                .map_err(admin_err)?;
            println!("password of {email} changed; its sessions ended");
        }
        ModeratorCommand::Disable { email } => {
            let m = account(store, &email).await?;
            service::disable_moderator(store, &Actor::Cli, &m.id, now_ms())
                .await
                .map_err(admin_err_about(format!("{email} is already disabled")))?;
            println!("{email} disabled; its sessions ended");
        }
        ModeratorCommand::List => {
            for m in store.moderators().await? {
                println!(
                    "{}  {:<30} {:<9} {:<8} {}",
                    m.id,
                    m.email,
                    m.role,
                    if m.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    },
                    if m.sites.is_empty() {
                        "*".to_string()
                    } else {
                        m.sites.join(",")
                    }
                );
            }
        }
    }
    Ok(())
}

async fn webhook_command(
    store: &Store,
    settings: &crate::config::WebhookSettings,
    cmd: WebhookCommand,
) -> anyhow::Result<()> {
    let invalid = |e| admin_err(AdminError::Validation(e));
    match cmd {
        WebhookCommand::Add {
            site,
            url,
            events,
            description,
        } => {
            let dto = NewWebhookDto {
                url,
                events,
                description,
            };
            let new = NewWebhook::parse(dto, &settings.policy())
                .await
                .map_err(invalid)?;
            let record = service::create_webhook(
                store,
                &Actor::Cli,
                &site,
                new,
                settings.max_per_site,
                now_ms(),
            )
            .await
            .map_err(admin_err)?;
            eprintln!(
                "webhook {} for site {site} ({}). Its signing secret is shown once; store it now:",
                record.id,
                record.events.join(", ")
            );
            println!("{}", record.secret);
        }
        WebhookCommand::List { site } => {
            for h in service::list_webhooks(store, &site)
                .await
                .map_err(admin_err)?
            {
                let state = if h.enabled { "active" } else { "paused" };
                println!(
                    "{}  {state:<6} {} {}  {}",
                    h.id,
                    h.url,
                    h.events.join(","),
                    h.description
                );
            }
        }
        WebhookCommand::Update {
            site,
            id,
            url,
            events: listed,
            description,
            enabled,
        } => {
            let dto = WebhookUpdateDto {
                url,
                // No `--event`: the events stay as they are.
                events: (!listed.is_empty()).then_some(listed),
                description,
                enabled,
            };
            let update = WebhookUpdate::parse(dto, &settings.policy())
                .await
                .map_err(invalid)?;
            service::update_webhook(store, &Actor::Cli, &site, &id, &update, now_ms())
                .await
                .map_err(admin_err_about(format!("no webhook {id} on site {site}")))?;
            println!("webhook {id} updated");
        }
        WebhookCommand::Remove { site, id } => {
            service::delete_webhook(store, &Actor::Cli, &site, &id, now_ms())
                .await
                .map_err(admin_err_about(format!("no webhook {id} on site {site}")))?;
            println!("webhook {id} removed");
        }
    }
    Ok(())
}
