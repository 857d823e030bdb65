use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = majlis::cli::Cli::parse();
    match majlis::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("majlis: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
