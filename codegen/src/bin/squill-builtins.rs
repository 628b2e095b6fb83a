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
//!
//! With `--contrib`, writes what each contrib extension creates instead
//! (`codegen/builtins/contrib15.tsv` by default), always from a throwaway server: it creates
//! every extension (in a transaction it rolls back), which needs a superuser. Extensions that
//! are not available or fail to install are listed on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use squill_codegen::builtins::{self, Builtins, contrib};
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
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let contrib = match args.iter().position(|a| a == "--contrib") {
        Some(at) => {
            args.remove(at);
            true
        }
        None => false,
    };
    let default = if contrib {
        contrib::DATA_PATH
    } else {
        builtins::DATA_PATH
    };
    let path = match args.as_slice() {
        [arg] if arg != "-h" && arg != "--help" => PathBuf::from(arg),
        [] => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(default),
        _ => {
            eprintln!(
                "usage: squill-builtins [--contrib] [OUTPUT]\n\nWrites PostgreSQL's builtin \
                 catalog (from DATABASE_URL, else a throwaway server) to OUTPUT (default: {}).\n\
                 With --contrib, what each contrib extension creates (always from a throwaway \
                 server) to OUTPUT (default: {}).",
                builtins::DATA_PATH,
                contrib::DATA_PATH
            );
            return Err("bad arguments".into());
        }
    };
    if contrib {
        return write_contrib(&path);
    }

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

/// `--contrib`: creates every contrib extension on a throwaway server and writes what each
/// creates.
fn write_contrib(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let server = TempServer::start()?;
    let mut client = server.connect("postgres")?;
    let generated = contrib::generate_contrib(&mut client)?;
    let parsed = contrib::Contrib::parse(&generated.data)?;
    let changed = squill_codegen::write_if_changed(path, &generated.data)?;
    for (name, why) in &generated.skipped {
        eprintln!("skipped extension {name}: {why}");
    }
    let count =
        |f: fn(&contrib::Extension) -> usize| -> usize { parsed.extensions().iter().map(f).sum() };
    eprintln!(
        "{} {} (PostgreSQL {}: {} extensions, {} types, {} functions, {} operators, {} casts, {} bytes)",
        if changed { "wrote" } else { "unchanged:" },
        path.display(),
        parsed.server_major(),
        parsed.extensions().len(),
        count(|e| e.types.len()),
        count(|e| e.functions.len()),
        count(|e| e.operators.len()),
        count(|e| e.casts.len()),
        generated.data.len()
    );
    Ok(())
}
