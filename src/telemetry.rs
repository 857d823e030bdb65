//! Logging: pretty for people, JSON for log shippers. Request spans (with a
//! request id) come from `tracing-actix-web`.

use tracing_subscriber::EnvFilter;

use crate::config::LogSettings;

/// Install the global subscriber once; later calls (tests) are no-ops.
///
/// `to_stderr`: an operator's command (export, apikey create ...) prints its
/// result on stdout, so its log lines (the database's notices among them) go
/// to stderr and never mix into that output; the server logs to stdout.
pub fn init(settings: &LogSettings, to_stderr: bool) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match (settings.format == "json", to_stderr) {
        (true, true) => builder.json().with_writer(std::io::stderr).try_init(),
        (true, false) => builder.json().try_init(),
        (false, true) => builder.with_writer(std::io::stderr).try_init(),
        (false, false) => builder.try_init(),
    };
}
