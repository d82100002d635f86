//! The `thidua` command: serve the API, migrate, print the OpenAPI document,
//! bootstrap users and clients, checkpoint and verify the audit chain.

use std::process::ExitCode;

use actix_web::{HttpServer, web};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use thidua::auth::{Role, Scope};
use thidua::embedded_pg::EmbeddedPg;
use thidua::service::identity;
use thidua::{AppState, Config, Db, build_app};

#[derive(Parser)]
#[command(
    name = "thidua",
    version,
    about = "Thi đua – khen thưởng: the provincial emulation & commendation API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Every setting, also read from its environment variable (README's table).
    #[command(flatten)]
    settings: thidua::config::Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API (and Swagger UI).
    Serve {
        /// Load the 2021 demo (`seed demo`) before serving.
        #[arg(long)]
        demo: bool,
    },
    /// Load data sets.
    Seed {
        #[command(subcommand)]
        command: SeedCommand,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document (`thidua openapi > openapi/openapi.json`).
    Openapi,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage service clients.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password comes from THIDUA_PASSWORD or a prompt.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// admin, leader, officer or viewer (repeat for several).
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        #[arg(long)]
        organization_id: Option<uuid::Uuid>,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Register a service client and print its secret once.
    Add {
        #[arg(long)]
        client_id: String,
        #[arg(long)]
        name: String,
        /// read or write (repeat for both).
        #[arg(long = "scope", required = true, value_parser = parse_scope)]
        scopes: Vec<Scope>,
        #[arg(long)]
        organization_id: Option<uuid::Uuid>,
    },
}

#[derive(Subcommand)]
enum SeedCommand {
    /// The founding document's facts: the 2021 Culture–Society bloc of Vĩnh
    /// Phúc, its conference, and demo users (passwords printed once).
    Demo,
    /// A benchmark data set (see bench/README.md): S is the demo; M and L are
    /// bulk-generated into an empty database. Users `bench.admin` and an
    /// officer per unit get the password from THIDUA_PASSWORD.
    Bench {
        /// S, M or L.
        #[arg(long, value_parser = parse_scale)]
        scale: thidua::service::benchdata::Scale,
        /// The same seed (and year) gives the same rows.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The year of the pledges in force (default: this year in Vietnam).
        #[arg(long)]
        year: Option<i32>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and check it against the signed checkpoints: the
    /// server's own and, with --against, those an outside party kept.
    Verify {
        /// Checkpoints kept outside this system: a JSON array (or page) of
        /// them as `GET /api/v1/audit/checkpoints` lists them, or JSON lines
        /// of change-feed events (`audit.checkpoint`; other events are skipped).
        #[arg(long, value_name = "FILE")]
        against: Option<std::path::PathBuf>,
        /// A trusted Ed25519 public key (PEM, base64url or hex, or a file
        /// holding one); repeat for retired keys. Default: the configured
        /// audit signing key's.
        #[arg(long = "public-key", value_name = "KEY")]
        public_keys: Vec<String>,
    },
    /// Sign a checkpoint at the chain's head now (if it advanced) and publish it.
    Checkpoint,
    /// Print the public key that verifies checkpoints (to pin outside this system).
    Key,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>()
        .map_err(|_| format!("unknown role {s:?} (admin, leader, officer, viewer)"))
}

fn parse_scale(s: &str) -> Result<thidua::service::benchdata::Scale, String> {
    thidua::service::benchdata::Scale::parse(s)
        .ok_or_else(|| format!("unknown scale {s:?} (S, M, L)"))
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    s.parse::<Scope>()
        .map_err(|_| format!("unknown scope {s:?} (read, write)"))
}

/// glibc keeps freed memory in per-thread arenas and, after freeing a large
/// mmapped block, raises its mmap threshold: each login's 19 MiB Argon2
/// block then stays resident in whichever blocking thread hashed it (the
/// benchmark saw 216 MB peak RSS after a dozen logins). A fixed threshold
/// hands such blocks back to the system when freed; two arenas bound the rest.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; no thread runs yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    tune_malloc();
    let cli = match thidua::config::ignore_blank_env(Cli::command())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        // A bad setting is one line naming it; help, version and unknown
        // flags are clap's own answers.
        Err(e) => match thidua::config::describe_setting_error(&e) {
            Some(line) => {
                eprintln!("thidua: {line}");
                return ExitCode::from(2);
            }
            None => e.exit(),
        },
    };
    if let Command::Openapi = cli.command {
        print!("{}", thidua::api::openapi::render());
        return ExitCode::SUCCESS;
    }
    let config = match cli.settings.into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("thidua: {e}");
            return ExitCode::from(2);
        }
    };
    thidua::telemetry::init_logging(&config.log_format, &config.log_filter);
    let result = actix_web::rt::System::new().block_on(run(cli.command, config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thidua: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The database to use: `DATABASE_URL` (created if missing), or the private
/// server under `var/postgres`. Migrations are applied either way.
async fn open_database(config: &Config) -> Result<(String, Option<EmbeddedPg>), String> {
    let (url, pg) = match &config.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let data_dir = config.var_dir.join("postgres");
            let pg_bin = config.pg_bin.clone();
            let pg = tokio::task::spawn_blocking(move || {
                EmbeddedPg::start(&data_dir, pg_bin.as_deref())
            })
            .await
            .map_err(|e| e.to_string())??;
            tracing::info!(port = pg.port, data_dir = %pg.data_dir.display(), "private PostgreSQL started");
            (pg.url("thidua"), Some(pg))
        }
    };
    if thidua::db::migrate::create_database_if_missing(&url).await? {
        tracing::info!("database created");
    }
    let applied = thidua::db::migrate::run(&url).await?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "migrations applied");
    }
    Ok((url, pg))
}

fn pool(config: &Config, url: &str) -> Result<Db, String> {
    Db::connect(
        url,
        config.pool_size,
        config.statement_timeout_ms,
        config.connect_timeout,
    )
    .map_err(|e| e.to_string())
}

fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("THIDUA_PASSWORD") {
        return Ok(p);
    }
    eprint!("Password (input hidden): ");
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdin());
    // SAFETY: termios calls on stdin with a zeroed struct filled by tcgetattr.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    let hidden = tty && unsafe { libc::tcgetattr(0, &mut term) } == 0;
    if hidden {
        let mut quiet = term;
        quiet.c_lflag &= !libc::ECHO;
        // SAFETY: as above.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &quiet) };
    }
    let mut line = String::new();
    let r = std::io::stdin().read_line(&mut line);
    if hidden {
        // SAFETY: restoring the settings read above.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &term) };
        eprintln!();
    }
    r.map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    // The keys `serve` needs are read before the database is touched: a bad
    // key fails at once, not after the migrations.
    let keys = match command {
        Command::Serve { .. } => Some(ServeKeys::resolve(&config)?),
        _ => None,
    };
    let (url, pg) = open_database(&config).await?;
    let db = pool(&config, &url)?;
    let result = match command {
        Command::Serve { demo } => {
            if demo {
                seed_demo(&db).await?;
            }
            let keys = keys.expect("resolved for serve");
            serve(config, db.clone(), keys).await
        }
        Command::Seed {
            command: SeedCommand::Demo,
        } => seed_demo(&db).await,
        Command::Seed {
            command: SeedCommand::Bench { scale, seed, year },
        } => {
            let password = read_password()?;
            thidua::service::benchdata::generate(&db, scale, seed, year, password, |line| {
                println!("{line}")
            })
            .await
            .map_err(|e| describe(&e))
        }
        Command::Migrate => {
            println!("migrations are up to date");
            Ok(())
        }
        Command::Openapi => unreachable!("handled before the runtime starts"),
        Command::User { command } => user_command(&db, command).await,
        Command::Client { command } => client_command(&db, command).await,
        Command::Audit { command } => audit(command, &config, &db, pg.is_some()).await,
    };
    drop(db);
    drop(pg);
    result
}

/// `thidua user add`.
async fn user_command(db: &Db, command: UserCommand) -> Result<(), String> {
    let UserCommand::Add {
        username,
        full_name,
        roles,
        organization_id,
    } = command;
    let password = read_password()?;
    let user = identity::bootstrap_user(
        db,
        identity::CreateUser {
            username,
            full_name,
            organization_id,
            roles,
            password,
            email: None,
        },
    )
    .await
    .map_err(|e| describe(&e))?;
    println!("created user {} ({})", user.username, user.id);
    Ok(())
}

/// `thidua client add`.
async fn client_command(db: &Db, command: ClientCommand) -> Result<(), String> {
    let ClientCommand::Add {
        client_id,
        name,
        scopes,
        organization_id,
    } = command;
    let (row, secret) = identity::create_client(
        db,
        &thidua::auth::Principal::system(),
        identity::CreateClient {
            client_id,
            name,
            scopes,
            organization_id,
        },
    )
    .await
    .map_err(|e| describe(&e))?;
    println!(
        "created client {} ({})\nclientSecret (shown once): {secret}",
        row.client_id, row.id
    );
    Ok(())
}

/// The checkpoints an outside party kept, from `--against` (none without it).
fn kept_checkpoints(
    against: Option<&std::path::Path>,
) -> Result<Vec<thidua::domain::audit::Checkpoint>, String> {
    let Some(path) = against else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    thidua::domain::audit::read_kept(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// `--public-key`: each a file or the key itself.
fn parse_public_keys(keys: &[String]) -> Result<Vec<thidua::domain::audit::PublicKey>, String> {
    keys.iter()
        .map(|k| {
            let text = std::fs::read_to_string(k).unwrap_or_else(|_| k.clone());
            thidua::domain::audit::PublicKey::parse(&text)
                .map_err(|e| format!("--public-key {k}: {e}"))
        })
        .collect()
}

async fn audit(
    command: AuditCommand,
    config: &Config,
    db: &Db,
    private_db: bool,
) -> Result<(), String> {
    use thidua::domain::audit::PublicKey;
    use thidua::service::audit::{Checkpointed, checkpoint, verify_anchored};
    let signing_key = |generate: bool| {
        thidua::config::audit_signing_key(config, private_db, generate).map_err(|e| e.to_string())
    };
    match command {
        AuditCommand::Verify {
            against,
            public_keys,
        } => {
            let kept = kept_checkpoints(against.as_deref())?;
            let trusted: Vec<PublicKey> = if public_keys.is_empty() {
                signing_key(false)?
                    .map(|(k, _)| *k.public())
                    .into_iter()
                    .collect()
            } else {
                parse_public_keys(&public_keys)?
            };
            if let Some(path) = &against {
                println!(
                    "kept checkpoints: {} read from {}",
                    kept.len(),
                    path.display()
                );
            }
            let verdict = verify_anchored(db, &kept, &trusted)
                .await
                .map_err(|e| describe(&e))?;
            for line in verdict.lines() {
                println!("{line}");
            }
            if verdict.ok() {
                Ok(())
            } else {
                Err("audit chain verification failed".into())
            }
        }
        AuditCommand::Checkpoint => {
            let (key, _) = signing_key(true)?.ok_or("no audit signing key")?;
            match checkpoint(db, &key).await.map_err(|e| describe(&e))? {
                Checkpointed::Created(c) => println!(
                    "checkpoint {} signed: row {}, hash {}, key {}",
                    c.id,
                    c.audit_id,
                    hex::encode(&c.hash),
                    c.key_id
                ),
                Checkpointed::Unchanged(c) => println!(
                    "the chain has not advanced since checkpoint {} (row {}): nothing to sign",
                    c.id, c.audit_id
                ),
                Checkpointed::Empty => println!("the audit trail is empty: nothing to sign"),
            }
            Ok(())
        }
        AuditCommand::Key => {
            let (key, source) = signing_key(true)?.ok_or("no audit signing key")?;
            let public = key.public();
            println!("keyId: {}\nsource: {source:?}", public.key_id());
            print!("{}", public.pem());
            Ok(())
        }
    }
}

async fn seed_demo(db: &Db) -> Result<(), String> {
    let report = thidua::service::demo::seed(db)
        .await
        .map_err(|e| describe(&e))?;
    if report.created.is_empty() {
        println!("demo data already loaded: nothing to do");
        return Ok(());
    }
    println!("demo data loaded: {}", report.created.join(", "));
    if !report.credentials.is_empty() {
        println!("demo users (passwords are shown only now):");
        for (user, password) in &report.credentials {
            println!("  {user:<18} {password}");
        }
    }
    Ok(())
}

fn describe(e: &thidua::error::AppError) -> String {
    let p = e.problem(thidua::i18n::Lang::En);
    let fields: Vec<String> = p
        .errors
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    if fields.is_empty() {
        format!("{} ({})", p.detail, p.code)
    } else {
        format!("{} ({}): {}", p.detail, p.code, fields.join("; "))
    }
}

/// What `serve` signs with: the token keys and the audit checkpoint key.
struct ServeKeys {
    jwt: thidua::auth::jwt::JwtKeys,
    audit_key: std::sync::Arc<thidua::domain::audit::SigningKey>,
    audit_key_source: thidua::config::AuditKeySource,
}

impl ServeKeys {
    fn resolve(config: &Config) -> Result<ServeKeys, String> {
        let private_db = config.database_url.is_none();
        let jwt = thidua::config::jwt_keys(config, private_db).map_err(|e| e.to_string())?;
        let (audit_key, audit_key_source) =
            thidua::config::audit_signing_key(config, private_db, true)
                .map_err(|e| e.to_string())?
                .ok_or("no audit signing key")?;
        Ok(ServeKeys {
            jwt,
            audit_key: std::sync::Arc::new(audit_key),
            audit_key_source,
        })
    }
}

async fn serve(config: Config, db: Db, keys: ServeKeys) -> Result<(), String> {
    let ServeKeys {
        jwt,
        audit_key,
        audit_key_source,
    } = keys;
    let rate = config.rate_limit_per_minute;
    let bind = config.bind_addr.clone();
    let public = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bind}"));
    match &audit_key_source {
        thidua::config::AuditKeySource::DerivedFromJwt => tracing::warn!(
            key_id = %audit_key.public().key_id(),
            "AUDIT_SIGNING_KEY is not set: audit checkpoints are signed with a key derived from the JWT key, which changes when that key is rotated"
        ),
        source => {
            tracing::info!(key_id = %audit_key.public().key_id(), ?source, "audit checkpoint signing key")
        }
    }
    let checkpoint_every = config.audit_checkpoint;
    let reads = match &config.database_replica_url {
        None => thidua::service::reads::Reads::primary_only(db.clone()),
        Some(url) => {
            let replica = pool(&config, url)?;
            let reads = thidua::service::reads::Reads::with_replica(
                db.clone(),
                replica,
                config.replica_max_lag,
            );
            reads.spawn_poller(std::time::Duration::from_millis(100));
            tracing::info!(
                max_lag_ms = config.replica_max_lag.as_millis() as u64,
                "heavy reads use the read replica while it keeps up"
            );
            reads
        }
    };
    let settle_every = config.settle_interval;
    let account_cache_ttl = config.account_cache_ttl;
    let state = web::Data::new(
        AppState::new(config, db.clone(), jwt, rate)
            .with_audit_key(audit_key.clone())
            .with_reads(reads),
    );

    match identity::admin_exists(&db).await {
        Ok(false) => tracing::warn!(
            command = "THIDUA_PASSWORD='…' thidua user add --username admin --full-name 'Quản trị' --role admin",
            "no admin user exists: create one with this command"
        ),
        Ok(true) => {}
        Err(e) => tracing::warn!(error = %e, "could not check for an admin user"),
    }

    thidua::service::identity::start_account_cache(&db, &state.accounts, account_cache_ttl);
    thidua::service::background::spawn_settler(db.clone(), settle_every);
    thidua::service::background::spawn_purges(db.clone());
    if let Some(every) = checkpoint_every {
        thidua::service::background::spawn_checkpoints(db.clone(), every, audit_key);
    }

    // Webhook deliveries: this instance's share of the work (none when
    // WEBHOOK_CONCURRENCY is 0); stopped when `serve` returns.
    let _webhook_workers = thidua::service::webhooks::worker::start(
        db.clone(),
        thidua::service::webhooks::worker::WorkerSettings::from_config(&state.config),
    );

    let app_state = state.clone();
    let server = HttpServer::new(move || build_app(app_state.clone()))
        .bind(&bind)
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?
        .shutdown_timeout(10)
        .run();
    tracing::info!(address = %bind, "listening");
    println!("thidua is serving on {public} — Swagger UI: {public}/swagger-ui/");
    server.await.map_err(|e| e.to_string())
}
