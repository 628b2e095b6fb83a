//! A throwaway PostgreSQL server: `initdb` in a temp dir, `postgres` listening on a unix
//! socket only, stopped and deleted on drop. Works when run as root (the server runs as the
//! `postgres` user, as PostgreSQL refuses to run as root).
//!
//! Other local users must not reach it (a superuser runs programs as the server's account):
//! the directory and the socket are the owner's alone (0700), and the `postgres` role needs a
//! random password (SCRAM) that only this process knows.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::LiveError;

/// How long the server may take to accept connections before we give up.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running throwaway server. Dropping it stops the server and removes its files.
pub struct TempServer {
    child: Child,
    dir: tempfile::TempDir,
    socket_dir: PathBuf,
    /// The `postgres` role's password, made for this server.
    password: String,
    /// 127.0.0.1's port when TCP is on (TLS tests), else `None` (unix socket only).
    tcp_port: Option<u16>,
}

/// A server certificate and its private key (PEM), for [`TempServer::start_with_tls`].
pub struct ServerTls<'a> {
    pub cert_pem: &'a str,
    pub key_pem: &'a str,
}

/// 32 hex digits from the kernel's random source.
fn random_secret() -> Result<String, LiveError> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| LiveError::Server(format!("cannot read /dev/urandom: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The installed server binaries.
#[derive(Debug, Clone)]
pub struct ServerBinaries {
    pub initdb: PathBuf,
    pub postgres: PathBuf,
}

impl ServerBinaries {
    /// Finds `initdb` and `postgres`: only in `SQUILL_PG_BIN` when it is set, else on PATH,
    /// then in `/usr/lib/postgresql/<newest>/bin` (where Debian puts them, off PATH).
    pub fn locate() -> Result<Self, LiveError> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(dir) = std::env::var_os("SQUILL_PG_BIN") {
            candidates.push(PathBuf::from(dir));
        } else {
            if let Some(path) = std::env::var_os("PATH") {
                candidates.extend(std::env::split_paths(&path));
            }
            candidates.extend(debian_bin_dirs());
        }
        for dir in &candidates {
            let initdb = dir.join("initdb");
            let postgres = dir.join("postgres");
            if is_executable(&initdb) && is_executable(&postgres) {
                return Ok(Self { initdb, postgres });
            }
        }
        Err(LiveError::NoServer)
    }
}

fn debian_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    dirs.into_iter().map(|(_, d)| d).collect()
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// uid and gid of the `postgres` account, read from /etc/passwd.
pub fn postgres_account() -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 3 && fields[0] == "postgres")
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

impl TempServer {
    /// Creates a cluster in a fresh temp dir and starts a server on it.
    pub fn start() -> Result<Self, LiveError> {
        Self::start_inner(None)
    }

    /// The same server, also listening on 127.0.0.1 (a free port) with `ssl=on` and `tls`'s
    /// certificate: for testing clients' TLS. Authentication stays SCRAM with the random
    /// password.
    pub fn start_with_tls(tls: ServerTls<'_>) -> Result<Self, LiveError> {
        Self::start_inner(Some(tls))
    }

    fn start_inner(tls: Option<ServerTls<'_>>) -> Result<Self, LiveError> {
        let bins = ServerBinaries::locate()?;
        let dir = tempfile::Builder::new()
            .prefix("squill-pg-")
            .tempdir()
            .map_err(|e| LiveError::Server(format!("cannot create a temp dir: {e}")))?;
        let run_as = if is_root() {
            let account = postgres_account().ok_or_else(|| {
                LiveError::Server(
                    "running as root, and PostgreSQL refuses to: create a `postgres` user \
                     (Debian's postgresql package does) or run as an unprivileged user"
                        .into(),
                )
            })?;
            chown_tree(dir.path(), account)?;
            Some(account)
        } else {
            None
        };
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))
            .map_err(|e| LiveError::Server(format!("cannot make the temp dir private: {e}")))?;
        let data = dir.path().join("data");
        let socket_dir = dir.path().to_path_buf();
        let password = random_secret()?;
        // initdb reads the superuser's password from a file; it is removed right after.
        let pwfile = dir.path().join("pwfile");
        fs::write(&pwfile, &password)
            .and_then(|()| fs::set_permissions(&pwfile, fs::Permissions::from_mode(0o600)))
            .map_err(|e| LiveError::Server(format!("cannot write the password file: {e}")))?;
        if let Some((uid, gid)) = run_as {
            let _ = std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid));
        }

        let mut initdb = Command::new(&bins.initdb);
        initdb
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .stdin(Stdio::null());
        as_user(&mut initdb, run_as);
        let out = initdb.output();
        let _ = fs::remove_file(&pwfile);
        let out = out
            .map_err(|e| LiveError::Server(format!("cannot run {}: {e}", bins.initdb.display())))?;
        if !out.status.success() {
            return Err(LiveError::Server(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }

        let log = fs::File::create(dir.path().join("server.log"))
            .map_err(|e| LiveError::Server(format!("cannot create the server log: {e}")))?;
        if let Some((uid, gid)) = run_as {
            let _ = std::os::unix::fs::chown(dir.path().join("server.log"), Some(uid), Some(gid));
        }
        let mut tcp_port = None;
        let mut listen = "listen_addresses=".to_string();
        let mut tls_args = Vec::new();
        if let Some(tls) = tls {
            let port = free_tcp_port()?;
            tcp_port = Some(port);
            listen = "listen_addresses=127.0.0.1".into();
            let cert = dir.path().join("server.crt");
            let key = dir.path().join("server.key");
            // PostgreSQL refuses a key others can read.
            fs::write(&cert, tls.cert_pem)
                .and_then(|()| fs::write(&key, tls.key_pem))
                .and_then(|()| fs::set_permissions(&key, fs::Permissions::from_mode(0o600)))
                .map_err(|e| LiveError::Server(format!("cannot write the TLS files: {e}")))?;
            if let Some((uid, gid)) = run_as {
                let _ = std::os::unix::fs::chown(&cert, Some(uid), Some(gid));
                let _ = std::os::unix::fs::chown(&key, Some(uid), Some(gid));
            }
            tls_args = vec![
                "-c".to_string(),
                "ssl=on".into(),
                "-c".into(),
                format!("ssl_cert_file={}", cert.display()),
                "-c".into(),
                format!("ssl_key_file={}", key.display()),
                "-p".into(),
                port.to_string(),
            ];
        }
        let mut postgres = Command::new(&bins.postgres);
        postgres
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&socket_dir)
            .args(&tls_args)
            // No TCP unless asked; durability is pointless for a throwaway cluster.
            .args(["-c", &listen, "-F", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=100"])
            .args(["-c", "unix_socket_permissions=0700"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        as_user(&mut postgres, run_as);
        let child = postgres.spawn().map_err(|e| {
            LiveError::Server(format!("cannot run {}: {e}", bins.postgres.display()))
        })?;
        let mut server = Self {
            child,
            dir,
            socket_dir,
            password,
            tcp_port,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> Result<(), LiveError> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(LiveError::Server(format!(
                    "the server exited ({status}) during startup: {}",
                    self.log_tail()
                )));
            }
            if self
                .socket_dir
                .join(format!(".s.PGSQL.{}", self.port()))
                .exists()
                && self.config("postgres").connect(postgres::NoTls).is_ok()
            {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(LiveError::Server(format!(
                    "the server did not accept connections within {}s: {}",
                    START_TIMEOUT.as_secs(),
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(5)..].join("\n")
    }

    /// Directory holding the server's unix socket (use it as `host`).
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// The port (of 127.0.0.1 too, when started with TLS).
    pub fn port(&self) -> u16 {
        self.tcp_port.unwrap_or(5432)
    }

    /// The `postgres` role's password (random, made for this server).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// A connection config for `dbname` as the `postgres` superuser.
    pub fn config(&self, dbname: &str) -> postgres::Config {
        let mut config = postgres::Config::new();
        config
            .host_path(&self.socket_dir)
            .port(self.port())
            .user("postgres")
            .password(&self.password)
            .dbname(dbname)
            .connect_timeout(Duration::from_secs(10));
        config
    }

    /// A libpq-style connection string for `dbname`.
    pub fn url(&self, dbname: &str) -> String {
        format!(
            "host={} port={} user=postgres password={} dbname={dbname}",
            self.socket_dir.display(),
            self.port(),
            self.password
        )
    }

    /// Connects (blocking) to `dbname`.
    pub fn connect(&self, dbname: &str) -> Result<postgres::Client, LiveError> {
        self.config(dbname)
            .connect(postgres::NoTls)
            .map_err(LiveError::Connect)
    }
}

impl Drop for TempServer {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's "fast shutdown": disconnect clients, stop, no recovery needed.
        signal(self.child.id(), libc::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        signal(self.child.id(), libc::SIGQUIT);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now (the kernel's choice).
fn free_tcp_port() -> Result<u16, LiveError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| LiveError::Server(format!("cannot find a free TCP port: {e}")))
}

fn as_user(command: &mut Command, account: Option<(u32, u32)>) {
    if let Some((uid, gid)) = account {
        command.uid(uid).gid(gid);
        command.env("HOME", "/tmp");
    }
}

fn chown_tree(path: &Path, (uid, gid): (u32, u32)) -> Result<(), LiveError> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .map_err(|e| LiveError::Server(format!("cannot hand {} to postgres: {e}", path.display())))
}

/// Whether this process runs as root (PostgreSQL and PgBouncer refuse to).
pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail and has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn signal(pid: u32, sig: libc::c_int) {
    // SAFETY: sending a signal to our own child process by pid; no memory is involved.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}
