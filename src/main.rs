use clap::Parser;

fn main() -> std::process::ExitCode {
    fix_mmap_threshold();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("majlis: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let cli = majlis::cli::Cli::parse();
    match runtime.block_on(majlis::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("majlis: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// glibc raises its mmap threshold each time a large block is freed; large
/// buffers (a security-code canvas is 360 KB) then come from the heap arenas
/// and are seldom given back, so the resident size creeps up under load (to
/// over 150 MB under security-code load in the load benchmark). A fixed
/// threshold keeps blocks of 128 KB and more in their own mappings, returned
/// to the system when freed (78 MB in the same benchmark).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fix_mmap_threshold() {
    // SAFETY: mallopt only sets an allocator parameter; it runs before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fix_mmap_threshold() {}
