//! Regenerates the builtins data file from a PostgreSQL server's `pg_catalog` (and the
//! relations of `information_schema`):
//!
//! ```text
//! cargo run -p squill-codegen --bin squill-builtins -- codegen/builtins/pg15.tsv
//! ```
//!
//! Uses the server at `DATABASE_URL` when it is set (only reads its catalog), else a
//! throwaway server from the installed binaries. Writes atomically, and only when the content
//! changed. Without an argument it writes the checked-in file of this crate.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::ExitCode;

use squill_codegen::builtins::{self, Builtins};
use squill_codegen::live::{CONNECT_TIMEOUT, LiveError, TempServer};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let path = match (args.next(), args.next()) {
        (Some(arg), None) if arg != "-h" && arg != "--help" => PathBuf::from(arg),
        (None, _) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(builtins::DATA_PATH),
        _ => {
            eprintln!(
                "usage: squill-builtins [OUTPUT]\n\nWrites PostgreSQL's builtin catalog (from \
                 DATABASE_URL, else a throwaway server) to OUTPUT (default: {}).",
                builtins::DATA_PATH
            );
            return Err("bad arguments".into());
        }
    };

    // Keep the server alive while reading.
    let (_server, mut client) = match std::env::var("DATABASE_URL") {
        Ok(url) => {
            let mut config: postgres::Config = url
                .parse()
                .map_err(|e: postgres::Error| LiveError::BadUrl(e.to_string()))?;
            config.connect_timeout(CONNECT_TIMEOUT);
            let client = config
                .connect(postgres::NoTls)
                .map_err(LiveError::Connect)?;
            (None, client)
        }
        Err(_) => {
            let server = TempServer::start()?;
            let client = server.connect("postgres")?;
            (Some(server), client)
        }
    };

    let data = builtins::generate(&mut client)?;
    let parsed = Builtins::parse(&data)?;
    let changed = squill_codegen::write_if_changed(&path, &data)?;
    if changed {
        // The temp file behind the atomic write is private; this one is checked in.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
    }
    eprintln!(
        "{} {} (PostgreSQL {}: {} types, {} functions, {} operators, {} casts, {} relations, {} bytes)",
        if changed { "wrote" } else { "unchanged:" },
        path.display(),
        parsed.server_major(),
        parsed.types().len(),
        parsed.functions().len(),
        parsed.operators().len(),
        parsed.casts().len(),
        parsed.relations().len(),
        data.len()
    );
    Ok(())
}
