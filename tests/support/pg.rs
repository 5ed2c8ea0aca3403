#![allow(dead_code)]
//! A throwaway PostgreSQL server for integration tests.
//!
//! Every [`PgServer`] owns its own temporary directory (data directory, unix
//! socket directory, log file, scratch scripts) and its own TCP port, so tests
//! may start servers in parallel. Dropping the value stops the server
//! (`pg_ctl stop -m immediate`) and removes the directory.
//!
//! Binaries are located via `CNPGC_PG_BIN` (a bin directory), else the highest
//! `/usr/lib/postgresql/*/bin` holding `initdb`, else `pg_config --bindir`.
//! When none is found, [`PgServer::start`] panics; [`PgServer::start_or_skip`]
//! returns `None` (with a note on stderr) only when `CNPGC_SKIP_PG=1`.
//!
//! When the test process runs as root, server-side commands (`initdb`,
//! `pg_ctl`) run as the `postgres` OS user through `runuser`, because initdb
//! refuses to run as root. `psql` always runs as the current user.
//!
//! All psql invocations use `-X -q -At -v ON_ERROR_STOP=1`, connect over the
//! unix socket (`-h <socket_dir> -p <port>`) and pass the database and user
//! through `PGDATABASE` / `PGUSER` (never `-d` / `-U`, which would interpret
//! values containing `=` as connection strings). Every other `PG*` variable
//! of the test process is removed from the child's environment.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// OS user that owns the server processes when the tests run as root.
const PG_OS_USER: &str = "postgres";
/// Bounded wait for the server to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a start is retried when the chosen port was taken meanwhile.
const PORT_ATTEMPTS: usize = 5;

pub struct PgServer {
    bin_dir: PathBuf,
    psql: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    port: u16,
    as_root: bool,
    running: bool,
    scripts: AtomicUsize,
    // Declared last: removed after `Drop::drop` has stopped the server.
    tmp: tempfile::TempDir,
}

impl PgServer {
    /// Starts a fresh server; panics (with install / skip instructions) when
    /// no PostgreSQL binaries can be found, or with the server log when the
    /// server does not come up.
    pub fn start() -> PgServer {
        match find_bin_dir() {
            Ok(bin) => PgServer::start_with(bin),
            Err(why) => panic!("{}", missing_message(&why)),
        }
    }

    /// Like [`PgServer::start`], but returns `None` when the binaries are
    /// missing *and* `CNPGC_SKIP_PG=1` is set (printing why on stderr).
    /// Without `CNPGC_SKIP_PG=1` a missing installation still panics: tests
    /// are never skipped silently.
    pub fn start_or_skip() -> Option<PgServer> {
        match find_bin_dir() {
            Ok(bin) => Some(PgServer::start_with(bin)),
            Err(why) => {
                if skip_requested() {
                    eprintln!(
                        "SKIPPED: PostgreSQL integration test skipped because CNPGC_SKIP_PG=1 \
                         is set and no PostgreSQL server binaries were found ({why})"
                    );
                    None
                } else {
                    panic!("{}", missing_message(&why));
                }
            }
        }
    }

    /// Like [`PgServer::start`], with `conf` appended to postgresql.conf
    /// (e.g. `archive_mode = on` and an `archive_command`).
    pub fn start_configured(conf: &str) -> PgServer {
        let bin = find_bin_dir().unwrap_or_else(|why| panic!("{}", missing_message(&why)));
        let mut server = PgServer::prepare(bin);
        server.init_db();
        server.append_conf(conf);
        server.launch();
        server
    }

    /// A server started on a data directory another program writes, as a
    /// restore does: `fill` gets the (not yet existing) data directory and
    /// writes it, running its commands as the server's OS user
    /// ([`server_user_command`]); then the harness settings and `conf` (the
    /// `restore_command`, recovery targets, an `archive_command`) are
    /// appended to its postgresql.conf, `recovery.signal` is created and the
    /// server started. Returns once recovery has ended and the server was
    /// promoted; panics with the server log when it fails or takes longer
    /// than `timeout`.
    pub fn recover(
        fill: impl FnOnce(&Path) -> Result<(), String>,
        conf: &str,
        timeout: Duration,
    ) -> PgServer {
        let bin = find_bin_dir().unwrap_or_else(|why| panic!("{}", missing_message(&why)));
        let mut server = PgServer::prepare(bin);
        if let Err(e) = fill(&server.data_dir) {
            panic!("restoring the data directory failed: {e}");
        }
        let signal = server.data_dir.join("recovery.signal");
        fs::write(&signal, "").expect("cannot write recovery.signal");
        if server.as_root {
            let (uid, gid) = os_user_ids(PG_OS_USER);
            std::os::unix::fs::chown(&signal, Some(uid), Some(gid)).expect("chown recovery.signal");
        }
        server.append_conf(&server.harness_conf());
        server.append_conf(conf);
        server.launch();
        server.wait_promoted(timeout);
        server
    }

    /// Waits until the server has left recovery (`pg_is_in_recovery()` false).
    fn wait_promoted(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let out = self.psql_output(
                PG_OS_USER,
                "postgres",
                &["-c", "SELECT pg_is_in_recovery()"],
            );
            if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "f" {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "PostgreSQL on port {} did not finish recovery within {timeout:?}:\n--- server log ---\n{}",
                    self.port,
                    self.log_contents()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn start_with(bin_dir: PathBuf) -> PgServer {
        let mut server = PgServer::prepare(bin_dir);
        // From here on, a panic drops `server`, which stops whatever was
        // started and removes the temporary directory.
        server.init_db();
        server.launch();
        server
    }

    /// The temporary directory and paths of a server, nothing started.
    fn prepare(bin_dir: PathBuf) -> PgServer {
        let as_root = running_as_root();
        let psql = {
            let p = bin_dir.join("psql");
            if p.is_file() {
                p
            } else {
                PathBuf::from("psql")
            }
        };
        let tmp = tempfile::Builder::new()
            .prefix("cnpgc-pg-")
            .tempdir_in("/tmp")
            .or_else(|_| tempfile::Builder::new().prefix("cnpgc-pg-").tempdir())
            .expect("cannot create a temporary directory for PostgreSQL");
        let root = tmp.path().to_path_buf();
        let data_dir = root.join("data");
        let socket_dir = root.join("sock");
        let log_file = root.join("server.log");
        fs::create_dir(&socket_dir).expect("cannot create the socket directory");
        if as_root {
            let (uid, gid) = os_user_ids(PG_OS_USER);
            for dir in [&root, &socket_dir] {
                std::os::unix::fs::chown(dir, Some(uid), Some(gid)).unwrap_or_else(|e| {
                    panic!("cannot chown {} to {PG_OS_USER}: {e}", dir.display())
                });
            }
        }

        PgServer {
            bin_dir,
            psql,
            data_dir,
            socket_dir,
            log_file,
            port: 0,
            as_root,
            running: false,
            scripts: AtomicUsize::new(0),
            tmp,
        }
    }

    /// The harness's own settings: loopback only, its socket directory,
    /// no durability (throwaway data), small memory.
    fn harness_conf(&self) -> String {
        format!(
            "\n# cnpgc test harness\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             max_connections = 50\n\
             shared_buffers = 32MB\n\
             logging_collector = off\n\
             log_min_messages = warning\n",
            self.socket_dir.to_string_lossy().replace('\'', "''")
        )
    }

    fn append_conf(&self, conf: &str) {
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(self.data_dir.join("postgresql.conf"))
            .expect("cannot open postgresql.conf");
        f.write_all(conf.as_bytes())
            .expect("cannot write postgresql.conf");
    }

    fn init_db(&self) {
        let mut cmd = self.server_command("initdb");
        cmd.arg("-D")
            .arg(&self.data_dir)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--encoding=UTF8",
                "--locale=C",
            ])
            .arg("--no-sync");
        let out = run(&mut cmd, "initdb");
        if !out.status.success() {
            panic!(
                "initdb failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        self.append_conf(&self.harness_conf());
    }

    fn launch(&mut self) {
        for attempt in 1..=PORT_ATTEMPTS {
            self.port = free_port();
            let mut cmd = self.server_command("pg_ctl");
            cmd.arg("-D")
                .arg(&self.data_dir)
                .arg("-l")
                .arg(&self.log_file)
                .arg("-o")
                .arg(format!("-p {}", self.port))
                .arg("-w")
                .arg("-t")
                .arg(START_TIMEOUT.as_secs().to_string())
                .arg("start");
            let out = run(&mut cmd, "pg_ctl start");
            // Even a failed start may have left a postmaster behind
            // (e.g. on timeout); make Drop try to stop it.
            self.running = true;
            if out.status.success() {
                self.wait_ready();
                return;
            }
            let log = self.log_contents();
            let port_clash =
                log.contains("could not bind") || log.contains("Address already in use");
            if port_clash && attempt < PORT_ATTEMPTS {
                self.stop();
                let _ = fs::remove_file(&self.log_file);
                continue;
            }
            panic!(
                "PostgreSQL did not start (pg_ctl: {}):\n--- pg_ctl stdout ---\n{}\n\
                 --- pg_ctl stderr ---\n{}\n--- server log {} ---\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                self.log_file.display(),
                log
            );
        }
    }

    /// pg_ctl -w already waits for "ready"; double-check with a real query.
    fn wait_ready(&self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let out = self.psql_output(PG_OS_USER, "postgres", &["-c", "SELECT 1"]);
            if out.status.success() {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "PostgreSQL on port {} does not accept connections after {:?}:\n\
                     --- psql stderr ---\n{}\n--- server log ---\n{}",
                    self.port,
                    START_TIMEOUT,
                    String::from_utf8_lossy(&out.stderr),
                    self.log_contents()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        let mut cmd = self.server_command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.data_dir)
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let stopped = cmd.status().map(|s| s.success()).unwrap_or(false);
        if stopped {
            return;
        }
        // Last resort: SIGQUIT (immediate shutdown) to the postmaster recorded
        // in this server's own postmaster.pid, but only if that pid still is
        // a postmaster for this data directory (a stale pid may be reused).
        let Ok(pidfile) = fs::read_to_string(self.data_dir.join("postmaster.pid")) else {
            return;
        };
        let pid = pidfile.lines().next().unwrap_or("").trim();
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            return;
        }
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let data_dir = self.data_dir.to_string_lossy();
        if String::from_utf8_lossy(&cmdline).contains(data_dir.as_ref()) {
            let _ = Command::new("kill")
                .args(["-QUIT", pid])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }

    /// A command for a server-side binary, run as `postgres` when we are root.
    fn server_command(&self, name: &str) -> Command {
        let mut cmd = server_user_command(self.bin_dir.join(name));
        cmd.current_dir(self.tmp.path());
        cmd
    }

    /// A command that reaches this server through libpq's defaults
    /// (`PGHOST` the socket directory, `PGPORT`), run as the server's OS user
    /// (it may read the data directory, as a backup tool must).
    pub fn client_command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = server_user_command(program);
        cmd.env("PGHOST", &self.socket_dir)
            .env("PGPORT", self.port.to_string())
            .current_dir(self.tmp.path());
        cmd
    }

    /// Writes an executable file (a wrapper script) into the server's temp
    /// dir, readable only by the server's OS user; gives its path.
    pub fn write_private_script(&self, name: &str, text: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.tmp.path().join(name);
        fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).expect("chmod script");
        if self.as_root {
            let (uid, gid) = os_user_ids(PG_OS_USER);
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).expect("chown script");
        }
        path
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server's temporary directory (data, socket, log, scripts).
    pub fn temp_dir(&self) -> &Path {
        self.tmp.path()
    }

    /// Current contents of the server log (empty if it cannot be read).
    pub fn log_contents(&self) -> String {
        fs::read(&self.log_file)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// A psql command preconfigured for this server: `-X -q -At -v
    /// ON_ERROR_STOP=1 -h <socket_dir> -p <port>`, with `PGUSER` and
    /// `PGDATABASE` set and all other inherited `PG*` variables removed.
    /// Add e.g. `-c`, `-f` and run it yourself.
    pub fn psql_command(&self, user: &str, db: &str) -> Command {
        let mut cmd = Command::new(&self.psql);
        clean_pg_env(&mut cmd);
        cmd.env("PGUSER", user)
            .env("PGDATABASE", db)
            .env("PGCLIENTENCODING", "UTF8")
            .env("PGCONNECT_TIMEOUT", "10")
            .env("LC_ALL", "C")
            .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.socket_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .stdin(Stdio::null());
        cmd
    }

    fn psql_output<S: AsRef<OsStr>>(&self, user: &str, db: &str, args: &[S]) -> Output {
        let mut cmd = self.psql_command(user, db);
        cmd.args(args);
        run(&mut cmd, "psql")
    }

    /// Runs `sql` (fed as a script, so several statements, `CREATE DATABASE`
    /// and meta-commands all work) as superuser `postgres` in database `db`.
    /// Panics with psql's stderr on failure; returns trimmed `-At` stdout.
    pub fn sql(&self, db: &str, sql: &str) -> String {
        match self.try_sql_as(PG_OS_USER, db, sql) {
            Ok(out) => out,
            Err(err) => panic!("SQL failed in database {db:?}:\n{sql}\n--- psql stderr ---\n{err}"),
        }
    }

    /// Runs `sql` as role `user` (trust auth) in database `db`. Returns the
    /// trimmed stdout, or `Err(stderr)` if psql failed.
    pub fn try_sql_as(&self, user: &str, db: &str, sql: &str) -> Result<String, String> {
        let path = self.write_script(sql);
        let out = self.psql_output(user, db, &[OsStr::new("-f"), path.as_os_str()]);
        let _ = fs::remove_file(&path);
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() {
            Ok(stdout)
        } else {
            let mut err = String::from_utf8_lossy(&out.stderr).into_owned();
            if err.trim().is_empty() {
                err = format!(
                    "psql exited with {} and no stderr; stdout:\n{stdout}",
                    out.status
                );
            }
            Err(err)
        }
    }

    /// Runs `psql -f path` as `postgres` in database `db` (ON_ERROR_STOP,
    /// `-At`, quiet), so `\connect` and other meta-commands work.
    pub fn run_file(&self, db: &str, path: &Path) -> Output {
        self.psql_output(PG_OS_USER, db, &[OsStr::new("-f"), path.as_os_str()])
    }

    /// Writes `script` to a file in the server's temp dir and [`run_file`]s it.
    ///
    /// [`run_file`]: PgServer::run_file
    pub fn run_script(&self, db: &str, script: &str) -> Output {
        let path = self.write_script(script);
        let out = self.run_file(db, &path);
        let _ = fs::remove_file(&path);
        out
    }

    /// Writes `files` (name, text) to a fresh directory in the server's temp
    /// dir and runs the first one, as psql `-f` would from a mounted
    /// ConfigMap (so `\\ir` finds the others next to it).
    pub fn run_files(&self, db: &str, files: &[(&str, String)]) -> Output {
        let n = self.scripts.fetch_add(1, Ordering::Relaxed);
        let dir = self.tmp.path().join(format!("files-{n}"));
        fs::create_dir(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        for (name, text) in files {
            fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("cannot write {name}: {e}"));
        }
        let out = self.run_file(db, &dir.join(files[0].0));
        let _ = fs::remove_dir_all(&dir);
        out
    }

    /// `CREATE DATABASE <name> OWNER <owner>` with both names quoted.
    pub fn create_database(&self, name: &str, owner: &str) {
        self.sql(
            "postgres",
            &format!(
                "CREATE DATABASE {} OWNER {};",
                quote_ident(name),
                quote_ident(owner)
            ),
        );
    }

    fn write_script(&self, text: &str) -> PathBuf {
        let n = self.scripts.fetch_add(1, Ordering::Relaxed);
        let path = self.tmp.path().join(format!("script-{n}.sql"));
        fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        // Must not panic: this also runs while a failing test unwinds.
        self.stop();
    }
}

/// Quotes an SQL identifier: `"…"` with embedded `"` doubled.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Quotes an SQL string literal: `'…'` with `'` doubled; when the text holds
/// a backslash, the `E'…'` form with backslashes doubled as well.
pub fn quote_literal(s: &str) -> String {
    let body = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

/// The major version of the PostgreSQL binaries the harness runs.
pub fn server_major() -> u32 {
    let bin = find_bin_dir().unwrap_or_else(|why| panic!("{}", missing_message(&why)));
    let out = Command::new(bin.join("postgres"))
        .arg("--version")
        .output()
        .expect("postgres --version");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|w| w.split('.').next().and_then(|m| m.parse().ok()))
        .unwrap_or_else(|| panic!("no version in {text:?}"))
}

/// A command run as the OS user that owns the server processes (`postgres`
/// through `runuser` when the tests run as root), with no inherited `PG*`
/// variable and `LC_ALL=C`.
pub fn server_user_command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = if running_as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", PG_OS_USER, "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    clean_pg_env(&mut cmd);
    cmd.env("LC_ALL", "C");
    cmd
}

fn skip_requested() -> bool {
    std::env::var("CNPGC_SKIP_PG").is_ok_and(|v| v.trim() == "1")
}

fn missing_message(why: &str) -> String {
    format!(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: {why}.\n\
         Install them (Debian/Ubuntu: `apt-get install -y postgresql`), or point \
         CNPGC_PG_BIN at a directory containing initdb, pg_ctl and postgres.\n\
         To skip the PostgreSQL integration tests explicitly, set CNPGC_SKIP_PG=1."
    )
}

fn has_server_bins(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|b| dir.join(b).is_file())
}

/// `CNPGC_PG_BIN`, else the highest `/usr/lib/postgresql/*/bin` with initdb,
/// else `pg_config --bindir`.
fn find_bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CNPGC_PG_BIN").filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has_server_bins(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "CNPGC_PG_BIN={} does not contain initdb, pg_ctl and postgres",
                dir.display()
            ))
        };
    }

    let mut candidates: Vec<(Vec<u64>, PathBuf)> = Vec::new();
    if let Ok(entries) = fs::read_dir("/usr/lib/postgresql") {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(version) = name
                .split('.')
                .map(|p| p.parse::<u64>().ok())
                .collect::<Option<Vec<u64>>>()
            else {
                continue;
            };
            let bin = entry.path().join("bin");
            if has_server_bins(&bin) {
                candidates.push((version, bin));
            }
        }
    }
    if let Some((_, bin)) = candidates.into_iter().max() {
        return Ok(bin);
    }

    match Command::new("pg_config").arg("--bindir").output() {
        Ok(out) if out.status.success() => {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if has_server_bins(&dir) {
                Ok(dir)
            } else {
                Err(format!(
                    "CNPGC_PG_BIN is unset, no /usr/lib/postgresql/*/bin has initdb, and \
                     `pg_config --bindir` ({}) lacks initdb/pg_ctl/postgres",
                    dir.display()
                ))
            }
        }
        _ => Err(
            "CNPGC_PG_BIN is unset, no /usr/lib/postgresql/*/bin has initdb, and \
             pg_config is not available"
                .to_string(),
        ),
    }
}

pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the effective uid of this process.
    if let Ok(meta) = fs::metadata("/proc/self") {
        return meta.uid() == 0;
    }
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn os_user_ids(user: &str) -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, user])
            .output()
            .unwrap_or_else(|e| panic!("cannot run `id {flag} {user}`: {e}"));
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| {
                panic!(
                    "running as root, but OS user {user:?} does not exist (`id {flag} {user}`: {}); \
                     initdb refuses to run as root. Install PostgreSQL with \
                     `apt-get install -y postgresql` (creates the user) or run tests as non-root.",
                    String::from_utf8_lossy(&out.stderr).trim()
                )
            })
    };
    (id("-u"), id("-g"))
}

/// Removes every inherited `PG*` variable (PGHOST, PGPORT, PGDATA, PGOPTIONS,
/// PGSERVICE, …) so the environment of the test run cannot redirect us.
fn clean_pg_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(key);
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("cannot bind 127.0.0.1:0 to find a free port")
}

fn run(cmd: &mut Command, what: &str) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {what} ({:?}): {e}", cmd.get_program()))
}
