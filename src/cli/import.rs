//! `majlis import --site KEY --format FORMAT FILE`: parse, plan, write in one
//! transaction with a progress bar, and print what was created and what was
//! skipped and why (`--dry-run` prints the same and writes nothing).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::import::{self, Format, UrlMap};
use crate::service::{ImportOptions, ImportReport, import_comments, now_ms};
use crate::storage::{Store, read_isso};

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The majlis site the comments go to.
    #[arg(long)]
    pub site: String,
    /// `disqus` (XML export), `wordpress` (WXR export), `isso` (its SQLite
    /// database) or `remark42` (a backup, JSON lines, gzipped or not).
    #[arg(long)]
    pub format: String,
    /// The export file (or Isso database).
    pub file: PathBuf,
    /// Lines `OLD_URL NEW_URL_OR_ARTICLE_KEY` for pages that moved or whose
    /// article key is not the last segment of their address.
    #[arg(long)]
    pub url_map: Option<PathBuf>,
    /// Report what would be created and skipped; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run the posting rules and queue the comments for moderators instead
    /// of keeping their source status.
    #[arg(long)]
    pub moderate: bool,
}

pub async fn run(store: &Store, args: ImportArgs) -> anyhow::Result<()> {
    let Some(format) = Format::parse(&args.format) else {
        anyhow::bail!("invalid_parameter: format must be one of disqus, wordpress, isso, remark42");
    };
    let url_map = match &args.url_map {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            UrlMap::parse(&text)?
        }
        None => UrlMap::default(),
    };
    let batch = read(format, &args.file).await?;
    let options = ImportOptions {
        dry_run: args.dry_run,
        moderate: args.moderate,
        url_map,
    };
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("importing [{bar:30}] {percent:>3}% {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("#>-"),
    );
    let report = import_comments(
        store,
        &args.site,
        format,
        batch,
        &options,
        now_ms(),
        &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )
    .await
    .map_err(|e| match e {
        crate::service::ImportFailure::NoSite(s) => anyhow::anyhow!("not_found: no site {s}"),
        e => anyhow::Error::new(e),
    })?;
    bar.finish_and_clear();
    print!("{}", render(&report, format));
    Ok(())
}

async fn read(format: Format, path: &Path) -> Result<import::ImportBatch, import::ImportError> {
    match format {
        Format::Isso => {
            let (threads, comments) = read_isso(path).await?;
            import::from_isso(threads, comments)
        }
        _ => import::parse_file(format, path),
    }
}

/// The report as printed: totals, then each reason with the first ids.
pub fn render(r: &ImportReport, format: Format) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let verb = if r.dry_run { "would create" } else { "created" };
    if r.dry_run {
        let _ = writeln!(s, "dry run: nothing was written");
    }
    let _ = writeln!(
        s,
        "{}: {} threads, {} comments in the file",
        format.as_str(),
        r.threads_in_file,
        r.comments_in_file
    );
    let by_status: Vec<String> = r.created.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        s,
        "{verb}: {} comments ({}) on {} articles ({} new, {} existing)",
        r.created_total(),
        if by_status.is_empty() {
            "none".to_string()
        } else {
            by_status.join(", ")
        },
        r.articles_new + r.articles_existing,
        r.articles_new,
        r.articles_existing
    );
    let _ = writeln!(s, "skipped: {}", r.skipped_total());
    for (why, ids) in &r.skipped {
        let shown: Vec<&str> = ids.iter().take(10).map(String::as_str).collect();
        let more = if ids.len() > shown.len() {
            format!(" and {} more", ids.len() - shown.len())
        } else {
            String::new()
        };
        let _ = writeln!(s, "  {why}: {} ({}{more})", ids.len(), shown.join(", "));
    }
    s
}
