//! Everything that runs only on the server: settings, the database, credentials and sessions,
//! email, the HTTP layers and the services the server functions call.

pub mod access;
pub mod account;
pub mod admin;
pub mod audit_text;
pub mod auth;
pub mod config;
pub mod dashboard;
pub mod find;
pub mod db;
pub mod demo;
pub mod directory;
pub mod expiring;
pub mod http;
pub mod import;
pub mod licenses;
pub mod mail;
pub mod offboarding;
pub mod org;
pub mod passkey;
pub mod records;
pub mod reminders;
pub mod reports;
pub mod rest;
pub mod scim;
pub mod reviews;
pub mod second_factor;
pub mod services;
pub mod state;
pub mod store;
pub mod time;
pub mod tokens;
pub mod totp;
pub mod usage;
pub mod users;
pub mod welcome;

pub use config::Settings;
pub use state::AppState;

/// Starts the console: settings from the environment, logs, database (with migrations), then
/// HTTP. A failure before serving prints one clear line and exits with status 1.
pub fn run() {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gatehouse: bad setting: {e}");
            std::process::exit(1);
        }
    };
    http::init_logging(&settings.log_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gatehouse: the async runtime did not start: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(async move {
        let state = match AppState::open(settings.clone()).await {
            Ok(state) => state,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "start-up failed");
                eprintln!("gatehouse: start-up failed: {e:#}");
                std::process::exit(1);
            }
        };
        if settings.demo {
            if let Err(e) = demo::fill_if_empty(&state).await {
                tracing::error!(error = %e, "GATEHOUSE_DEMO: the demo organisation could not be created");
            }
        }
        let listener = match tokio::net::TcpListener::bind(&settings.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("gatehouse: cannot listen on {}: {e}", settings.listen);
                std::process::exit(1);
            }
        };
        tracing::info!(
            address = %settings.listen,
            public_url = %settings.public_url,
            database = %settings.database_url_for_log(),
            mail = %state.mailer.describe(),
            "gatehouse is serving"
        );
        if let Err(e) = serve_on(listener, state, http::Assets::FromBuild, http::shutdown_signal()).await {
            eprintln!("gatehouse: server stopped: {e}");
            std::process::exit(1);
        }
    });
}

/// Serves the console on a bound listener until `shutdown` completes (tests use this with a
/// random port and an in-memory database).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    assets: http::Assets,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = http::router(state, assets);
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await
}
