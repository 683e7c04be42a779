//! `zhunru serve [--addr HOST:PORT] [POLICY|DIR…]`: the HTTP API and the reviewers' page.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use crate::server::{Config, Limits};

/// Arguments of `zhunru serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Policy files and folders (default: policies/): a file is a district named by its
    /// stem; a folder of one district's versions (files named by dates, `yingjiang/2021.policy`)
    /// is a district named by the folder; in any other folder, each `*.policy` file and each
    /// subfolder holding them (its dated versions) is a district. The first is the default.
    policies: Vec<PathBuf>,
    /// Address to listen on. Loopback by default: expose it deliberately (e.g. 0.0.0.0:8080
    /// behind a reverse proxy).
    /// A host name is resolved (`localhost:8080`), its first address taken.
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = listen_address)]
    addr: SocketAddr,
    /// Largest JSON Lines batch body, in MiB (one subject is limited to 1 MiB).
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=4096))]
    max_batch_mib: u32,
    /// `/v1` requests handled at once; more are answered 503 with `Retry-After`.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_concurrent: u32,
    /// Seconds a client may take to send its headers, or between two pieces of its body.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    read_timeout: u64,
    /// Seconds a whole JSON Lines batch body may take to arrive (a single subject's body must
    /// arrive within --read-timeout).
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86400))]
    batch_timeout: u64,
    /// Don't watch the policy files (reload with SIGHUP only).
    #[arg(long)]
    no_watch: bool,
    /// The district that decides requests naming none (default: the first loaded).
    #[arg(long, value_name = "NAME")]
    default_district: Option<String>,
}

/// Run `zhunru serve`.
pub fn run(args: ServeArgs) -> ExitCode {
    let limits = Limits {
        batch_body: (args.max_batch_mib as usize) << 20,
        max_concurrent: args.max_concurrent as usize,
        read_timeout: Duration::from_secs(args.read_timeout),
        batch_timeout: Duration::from_secs(args.batch_timeout),
        ..Limits::default()
    };
    crate::server::run(Config {
        addr: args.addr,
        sources: if args.policies.is_empty() {
            vec![PathBuf::from("policies")]
        } else {
            args.policies
        },
        limits,
        watch: !args.no_watch,
        grace: Duration::from_secs(30),
        default_district: args.default_district,
    })
}

/// `--addr`: an address (`127.0.0.1:8080`, `[::1]:8080`), or a host name and port resolved
/// (`localhost:8080`, refused before as "invalid socket address syntax").
fn listen_address(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    let mut found = text.to_socket_addrs().map_err(|e| {
        format!("`{text}` is not an address to listen on (HOST:PORT, e.g. 127.0.0.1:8080): {e}")
    })?;
    found
        .next()
        .ok_or_else(|| format!("`{text}` resolves to no address"))
}
