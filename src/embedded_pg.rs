//! The default local PostgreSQL: when `DATABASE_URL` is unset, `serve`
//! starts a private server from the machine's installed binaries with its
//! data under `var/postgres`, and stops it on exit. Tests use the same code
//! for a throwaway server.

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The one line printed when neither server binaries nor `DATABASE_URL` exist.
pub const HOW_TO_GET_POSTGRES: &str = "no PostgreSQL server binaries found (initdb, postgres): install them (Debian/Ubuntu: `apt install postgresql`; or set PG_BIN to their directory), or set DATABASE_URL=postgres://user:pass@host:5432/thidua to use an existing server";

/// A running private server.
pub struct EmbeddedPg {
    child: Option<Child>,
    /// A server left running by an earlier process, adopted by pid.
    adopted_pid: Option<i32>,
    pub port: u16,
    pub data_dir: PathBuf,
    bin: PathBuf,
    ids: Option<(u32, u32)>,
    /// Started with `ssl=on` (see `start_with_tls`).
    ssl: bool,
}

/// TLS for a private server: the server's certificate (chain) and its
/// private key, PEM. The TLS tests make both with a CA of their own.
pub struct ServerTls {
    pub cert_pem: String,
    pub key_pem: String,
}

fn has_server(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

/// `PG_BIN`, then `PATH`, then Debian's `/usr/lib/postgresql/<v>/bin`
/// (newest first), then `pg_config --bindir`.
pub fn find_bin_dir(pg_bin: Option<&Path>) -> Option<PathBuf> {
    if let Some(d) = pg_bin {
        return has_server(d).then(|| d.to_path_buf());
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_server(&dir) {
                // Resolve symlinks (Debian links initdb into /usr/local/bin or /usr/bin).
                let real = std::fs::canonicalize(dir.join("initdb"))
                    .ok()
                    .and_then(|p| p.parent().map(Path::to_path_buf))
                    .filter(|d| has_server(d));
                return Some(real.unwrap_or(dir));
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = rd
            .filter_map(Result::ok)
            .filter_map(|e| {
                let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
                let bin = e.path().join("bin");
                has_server(&bin).then_some((v, bin))
            })
            .collect();
        versions.sort();
        if let Some((_, bin)) = versions.pop() {
            return Some(bin);
        }
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    has_server(&dir).then_some(dir)
}

/// `initdb` a new data directory owned by the server's user (C.UTF-8,
/// or no locale where the system lacks it).
fn init_data_dir(bin: &Path, data_dir: &Path, ids: Option<(u32, u32)>) -> Result<(), String> {
    std::fs::create_dir_all(data_dir).map_err(|e| format!("create {}: {e}", data_dir.display()))?;
    std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| e.to_string())?;
    chown_r(data_dir, ids)?;
    let init = |locale: &[&str]| {
        command(bin, "initdb", ids)
            .arg("-D")
            .arg(data_dir)
            .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8"])
            .args(locale)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("initdb: {e}"))
    };
    let mut out = init(&["--locale=C.UTF-8"])?;
    if !out.status.success() {
        out = init(&["--no-locale"])?;
    }
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// The server's certificate and key, and a pg_hba that takes local
/// connections and TLS over TCP only.
fn write_tls(data_dir: &Path, tls: &ServerTls, ids: Option<(u32, u32)>) -> Result<(), String> {
    let write = |name: &str, text: &str, mode: u32| -> Result<(), String> {
        let path = data_dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("write {}: {e}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| e.to_string())?;
        chown_r(&path, ids)
    };
    // The names `ssl_cert_file` and `ssl_key_file` default to.
    write("server.crt", &tls.cert_pem, 0o644)?;
    write("server.key", &tls.key_pem, 0o600)?;
    write(
        "pg_hba.conf",
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
        0o600,
    )?;
    Ok(())
}

/// uid/gid of the `postgres` system user, when we run as root (the server
/// refuses to run as root).
fn postgres_user() -> Result<Option<(u32, u32)>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = std::ffi::CString::new("postgres").expect("no NUL");
    // SAFETY: getpwnam returns a pointer to static storage or null; read at once.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return Err(
            "running as root, but there is no `postgres` system user to run the server as".into(),
        );
    }
    // SAFETY: pw checked non-null above.
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok(Some((uid, gid)))
}

fn chown_r(path: &Path, ids: Option<(u32, u32)>) -> Result<(), String> {
    let Some((uid, gid)) = ids else { return Ok(()) };
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .map_err(|e| format!("chown {}: {e}", path.display()))?;
    if path.is_dir() {
        for e in std::fs::read_dir(path)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            chown_r(&e.path(), ids)?;
        }
    }
    Ok(())
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free local port: {e}"))
}

fn pid_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn command(bin: &Path, name: &str, ids: Option<(u32, u32)>) -> Command {
    let mut cmd = Command::new(bin.join(name));
    if let Some((uid, gid)) = ids {
        cmd.uid(uid).gid(gid);
    }
    cmd.env("LC_ALL", "C.UTF-8");
    cmd
}

impl EmbeddedPg {
    /// Start (initdb on first use) the server whose data lives in `data_dir`.
    pub fn start(data_dir: &Path, pg_bin: Option<&Path>) -> Result<EmbeddedPg, String> {
        Self::start_inner(data_dir, pg_bin, None)
    }

    /// As `start`, with `ssl=on` and this certificate, and TLS required on
    /// TCP: `pg_hba.conf` lets the Unix socket in and, over TCP, only
    /// `hostssl` connections (a managed database's usual stance), so a
    /// client that connects over TCP at all did so with TLS.
    pub fn start_with_tls(
        data_dir: &Path,
        pg_bin: Option<&Path>,
        tls: &ServerTls,
    ) -> Result<EmbeddedPg, String> {
        Self::start_inner(data_dir, pg_bin, Some(tls))
    }

    fn start_inner(
        data_dir: &Path,
        pg_bin: Option<&Path>,
        tls: Option<&ServerTls>,
    ) -> Result<EmbeddedPg, String> {
        let bin = find_bin_dir(pg_bin).ok_or_else(|| HOW_TO_GET_POSTGRES.to_string())?;
        let ids = postgres_user()?;
        let data_dir = std::path::absolute(data_dir).map_err(|e| e.to_string())?;
        let parent = data_dir
            .parent()
            .ok_or("data directory has no parent")?
            .to_path_buf();
        std::fs::create_dir_all(&parent)
            .map_err(|e| format!("create {}: {e}", parent.display()))?;

        // A server left by a process that was killed: adopt it.
        if let Some((pid, port)) = read_postmaster_pid(&data_dir)
            && pid_alive(pid)
        {
            tracing::info!(pid, port, "reusing the private PostgreSQL already running");
            return Ok(EmbeddedPg {
                child: None,
                adopted_pid: Some(pid),
                port,
                data_dir,
                bin,
                ids,
                ssl: tls.is_some(),
            });
        }

        if !data_dir.join("PG_VERSION").exists() {
            init_data_dir(&bin, &data_dir, ids)?;
        }
        if let Some(tls) = tls {
            write_tls(&data_dir, tls, ids)?;
        }

        let mut pg = EmbeddedPg {
            child: None,
            adopted_pid: None,
            port: free_port()?,
            data_dir,
            bin,
            ids,
            ssl: tls.is_some(),
        };
        pg.launch()?;
        Ok(pg)
    }

    /// Start the server again after `stop`, on the same port and data, so
    /// that pools holding its URL reconnect (the reliability tests restart
    /// the database under load with it).
    pub fn start_again(&mut self) -> Result<(), String> {
        if self.pid().is_some_and(pid_alive) {
            return Err("the server is still running".into());
        }
        self.launch()
    }

    fn launch(&mut self) -> Result<(), String> {
        let parent = self
            .data_dir
            .parent()
            .ok_or("data directory has no parent")?
            .to_path_buf();
        let log_path = parent.join("postgres.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("open {}: {e}", log_path.display()))?;
        chown_r(&log_path, self.ids)?;
        let child = command(&self.bin, "postgres", self.ids)
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-c", "listen_addresses=127.0.0.1", "-c"])
            .arg(format!(
                "unix_socket_directories={}",
                self.data_dir.display()
            ))
            .args(["-c", "max_connections=200"])
            .args(if self.ssl {
                &["-c", "ssl=on"][..]
            } else {
                &[][..]
            })
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            // Own process group: a terminal's Ctrl-C reaches us, and we stop it cleanly.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("start postgres: {e}"))?;
        self.child = Some(child);
        self.adopted_pid = None;
        self.wait_ready(Duration::from_secs(60))
            .map_err(|e| format!("{e} (see {})", log_path.display()))
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let start = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!("postgres exited at start ({status})"));
            }
            // Ready once the server accepts a startup packet for a query.
            // `standby`: a hot standby accepting read-only sessions.
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && matches!(
                    read_postmaster_status(&self.data_dir).as_deref(),
                    Some("ready" | "standby")
                )
            {
                return Ok(());
            }
            if start.elapsed() > limit {
                return Err("postgres did not become ready in time".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A streaming standby of this server in `data_dir` (issue 18's replica
    /// and failover tests): `pg_basebackup -R -X stream` (it writes
    /// `standby.signal` and `primary_conninfo`), then started as a hot
    /// standby on a port of its own. `settings` are `postgresql.conf`
    /// lines appended to the copy first (the copy has the primary's).
    pub fn start_standby(&self, data_dir: &Path, settings: &[&str]) -> Result<EmbeddedPg, String> {
        let data_dir = std::path::absolute(data_dir).map_err(|e| e.to_string())?;
        let parent = data_dir.parent().ok_or("data directory has no parent")?;
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        chown_r(parent, self.ids)?;
        let out = command(&self.bin, "pg_basebackup", self.ids)
            .arg("-D")
            .arg(&data_dir)
            .args([
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
            ])
            .arg("-p")
            .arg(self.port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("pg_basebackup: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "pg_basebackup failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        if !settings.is_empty() {
            let conf = data_dir.join("postgresql.conf");
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&conf)
                .map_err(|e| format!("open {}: {e}", conf.display()))?;
            for line in settings {
                writeln!(f, "{line}").map_err(|e| e.to_string())?;
            }
        }
        let mut standby = EmbeddedPg {
            child: None,
            adopted_pid: None,
            port: free_port()?,
            data_dir,
            bin: self.bin.clone(),
            ids: self.ids,
            ssl: self.ssl,
        };
        standby.launch()?;
        Ok(standby)
    }

    /// `pg_ctl promote`: a standby becomes a primary (waits until it is).
    pub fn promote(&self) -> Result<(), String> {
        let out = command(&self.bin, "pg_ctl", self.ids)
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-w", "promote"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("pg_ctl promote: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "pg_ctl promote failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn pid(&self) -> Option<i32> {
        self.child
            .as_ref()
            .map(|c| c.id() as i32)
            .or(self.adopted_pid)
    }

    /// Fast shutdown (SIGINT), then SIGKILL after 15 s.
    pub fn stop(&mut self) {
        let Some(pid) = self.pid() else { return };
        // SAFETY: sending a signal to our own child.
        unsafe { libc::kill(pid, libc::SIGINT) };
        let start = Instant::now();
        loop {
            let gone = match self.child.as_mut() {
                Some(c) => matches!(c.try_wait(), Ok(Some(_))),
                None => !pid_alive(pid),
            };
            if gone {
                break;
            }
            if start.elapsed() > Duration::from_secs(15) {
                // SAFETY: as above.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                if let Some(c) = self.child.as_mut() {
                    let _ = c.wait();
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child = None;
        self.adopted_pid = None;
    }
}

impl Drop for EmbeddedPg {
    fn drop(&mut self) {
        self.stop();
    }
}

fn read_postmaster_lines(data_dir: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    Some(text.lines().map(str::to_string).collect())
}

/// (pid, port) from `postmaster.pid`.
fn read_postmaster_pid(data_dir: &Path) -> Option<(i32, u16)> {
    let lines = read_postmaster_lines(data_dir)?;
    Some((
        lines.first()?.trim().parse().ok()?,
        lines.get(3)?.trim().parse().ok()?,
    ))
}

/// The status line of `postmaster.pid` (`starting`, `ready`, `stopping`).
fn read_postmaster_status(data_dir: &Path) -> Option<String> {
    read_postmaster_lines(data_dir)?
        .get(7)
        .map(|s| s.trim().to_string())
}

/// A secret generated once and kept in a file readable only by its owner.
pub fn persistent_secret(path: &Path, bytes: usize) -> Result<String, String> {
    if let Ok(s) = std::fs::read_to_string(path) {
        let s = s.trim().to_string();
        if s.len() >= 32 {
            return Ok(s);
        }
    }
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).map_err(|e| e.to_string())?;
    }
    let secret = crate::auth::password::random_secret(bytes);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("write {}: {e}", path.display()))?;
    f.write_all(secret.as_bytes()).map_err(|e| e.to_string())?;
    Ok(secret)
}

use std::os::unix::fs::OpenOptionsExt;
