//! TLS as libpq's `sslmode` says, against a throwaway PostgreSQL with `ssl=on` and a
//! certificate from a CA made here: the runtime's connector, `squill migrate`, and the scratch
//! database `check --live` uses on `DATABASE_URL`.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use squill::tls::ConnectConfig;
use squill_codegen::live::{ScratchDatabase, ServerTls, TempServer};
use squill_codegen::migrate_cli::{self, MigrateArgs};

/// The server's certificate names `db.example` only: reached at 127.0.0.1, `verify-full`
/// must fail on the name while `verify-ca` accepts the chain.
struct Pki {
    ca_pem: String,
    other_ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

fn new_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn pki() -> Pki {
    let ca = new_ca("squill test CA");
    let other = new_ca("another CA");
    let mut params = CertificateParams::new(vec!["db.example".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "db.example");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        other_ca_pem: other.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

struct Setup {
    server: TempServer,
    dir: tempfile::TempDir,
}

impl Setup {
    fn start() -> Setup {
        let pki = pki();
        let server = TempServer::start_with_tls(ServerTls {
            cert_pem: &pki.cert_pem,
            key_pem: &pki.key_pem,
        })
        .expect("throwaway PostgreSQL starts with ssl=on");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), &pki.ca_pem).unwrap();
        std::fs::write(dir.path().join("other.pem"), &pki.other_ca_pem).unwrap();
        Setup { server, dir }
    }

    fn path(&self, file: &str) -> String {
        self.dir.path().join(file).display().to_string()
    }

    /// A keyword/value URL to 127.0.0.1 with `extra` settings.
    fn url(&self, extra: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres password={} dbname=postgres connect_timeout=10 {extra}",
            self.server.port(),
            self.server.password()
        )
    }
}

/// Connects through the runtime's connector; `Ok(true)` when the session is encrypted.
fn encrypted(url: &str) -> Result<bool, String> {
    let ConnectConfig { config, tls, .. } =
        ConnectConfig::from_url(url).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, connection) = squill::connect(config, tls)
            .await
            .map_err(|e| format!("{e}: {:?}", std::error::Error::source(&e)))?;
        let driving = tokio::spawn(connection);
        let row = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        drop(client);
        let _ = driving.await;
        Ok(row.get(0))
    })
}

#[test]
fn sslmode_is_honoured_as_libpq_does() {
    let setup = Setup::start();
    let ca = setup.path("ca.pem");
    let other = setup.path("other.pem");

    // prefer (the default) and require encrypt without checking the certificate.
    assert_eq!(encrypted(&setup.url("")), Ok(true));
    assert_eq!(encrypted(&setup.url("sslmode=prefer")), Ok(true));
    assert_eq!(encrypted(&setup.url("sslmode=require")), Ok(true));
    assert_eq!(encrypted(&setup.url("sslmode=disable")), Ok(false));

    // verify-ca: the chain, not the name (127.0.0.1 is not db.example).
    assert_eq!(
        encrypted(&setup.url(&format!("sslmode=verify-ca sslrootcert={ca}"))),
        Ok(true)
    );
    let wrong_ca = encrypted(&setup.url(&format!("sslmode=verify-ca sslrootcert={other}")));
    assert!(wrong_ca.is_err(), "{wrong_ca:?}");
    // require with a root certificate checks the chain, as libpq does.
    let wrong_ca = encrypted(&setup.url(&format!("sslmode=require sslrootcert={other}")));
    assert!(wrong_ca.is_err(), "{wrong_ca:?}");

    // verify-full: the chain and the name.
    let wrong_name = encrypted(&setup.url(&format!("sslmode=verify-full sslrootcert={ca}")));
    let message = wrong_name.expect_err("127.0.0.1 is not the certificate's name");
    assert!(message.to_lowercase().contains("name"), "{message}");
    let by_name = format!(
        "host=db.example hostaddr=127.0.0.1 port={} user=postgres password={} dbname=postgres sslmode=verify-full sslrootcert={ca}",
        setup.server.port(),
        setup.server.password()
    );
    assert_eq!(encrypted(&by_name), Ok(true));
}

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Migrate(MigrateArgs),
}

fn migrate(dir: &Path, url: &str) -> ExitCode {
    let argv = [
        "squill",
        "migrate",
        "--dir",
        dir.to_str().unwrap(),
        "--database-url",
        url,
    ];
    let Cli {
        command: Command::Migrate(args),
    } = Cli::try_parse_from(argv).expect("arguments parse");
    migrate_cli::run(args)
}

#[test]
fn squill_migrate_and_the_scratch_database_use_tls() {
    let setup = Setup::start();
    let ca = setup.path("ca.pem");
    let other = setup.path("other.pem");
    let migrations = setup.dir.path().join("schema");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(
        migrations.join("0001_init.sql"),
        "CREATE TABLE t (id int);\n",
    )
    .unwrap();

    // Before TLS in the CLI, `require` failed with "no TLS implementation configured".
    let wrong_ca = migrate(
        &migrations,
        &setup.url(&format!("sslmode=verify-ca sslrootcert={other}")),
    );
    assert_ne!(wrong_ca, ExitCode::SUCCESS);
    let ok = migrate(
        &migrations,
        &setup.url(&format!("sslmode=verify-ca sslrootcert={ca}")),
    );
    assert_eq!(ok, ExitCode::SUCCESS);
    let mut check = setup.server.connect("postgres").unwrap();
    let applied: i64 = check
        .query_one("SELECT count(*) FROM squill_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(applied, 1);

    // `check --live` / live analysis on DATABASE_URL.
    let mut scratch =
        ScratchDatabase::on_server(&setup.url(&format!("sslmode=verify-ca sslrootcert={ca}")))
            .unwrap();
    let ssl: bool = scratch
        .client()
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(ssl);
    drop(scratch);
    let refused =
        ScratchDatabase::on_server(&setup.url(&format!("sslmode=verify-full sslrootcert={ca}")));
    assert!(refused.is_err());
}
