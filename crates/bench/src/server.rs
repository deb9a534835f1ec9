//! The echod under test: started by the tool (`--spawn PATH`, a fresh data dir, development
//! codes, free ports) or an already running one (`--addr`, `--pid`). Reads the process's RSS
//! (/proc/PID/status VmRSS) and CPU time (/proc/PID/stat utime + stime) for the figures.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use echo_mtproto::rsa_key::ServerPublicKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How echod is reached and observed.
pub struct Echod {
    pub addr: SocketAddr,
    pub http: Option<SocketAddr>,
    pub pid: Option<u32>,
    pub public_key: ServerPublicKey,
    pub data_dir: Option<PathBuf>,
    child: Option<Child>,
}

/// A port nobody listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Runs `echod public-key` (which creates the key on first use) and parses the PEM it prints.
pub fn public_key_of(echod: &Path, data_dir: &Path) -> anyhow::Result<ServerPublicKey> {
    let out = Command::new(echod)
        .arg("public-key")
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .with_context(|| format!("running {} public-key", echod.display()))?;
    if !out.status.success() {
        bail!(
            "echod public-key failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let end = text
        .find("-----END RSA PUBLIC KEY-----")
        .ok_or_else(|| anyhow!("no PEM in echod public-key output"))?;
    let pem = &text[..end + "-----END RSA PUBLIC KEY-----".len()];
    ServerPublicKey::from_pkcs1_pem(pem).map_err(|e| anyhow!("server key: {e}"))
}

/// `GET /healthz` answered 200.
pub async fn healthz(http: SocketAddr) -> bool {
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(http).await?;
        s.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await?;
        Ok::<bool, std::io::Error>(
            out.starts_with(b"HTTP/1.0 200") || out.starts_with(b"HTTP/1.1 200"),
        )
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), attempt).await,
        Ok(Ok(true))
    )
}

/// Options for a spawned echod.
#[derive(Clone, Debug)]
pub struct SpawnOptions {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    /// Default: SQLite in the data dir.
    pub database_url: Option<String>,
    /// Fixed ports (a restart keeps them); `None` picks free ones.
    pub ports: Option<(u16, u16)>,
    /// Per-user sends per minute (ECHO_SEND_MESSAGE_PER_MINUTE; 0 is no limit); `None`
    /// keeps the server's default.
    pub send_message_per_minute: Option<u32>,
}

impl Echod {
    /// An echod someone else started.
    pub fn attach(addr: SocketAddr, pid: Option<u32>, public_key: ServerPublicKey) -> Self {
        Self {
            addr,
            http: None,
            pid,
            public_key,
            data_dir: None,
            child: None,
        }
    }

    /// Starts `echod run` and waits until /healthz answers; returns it and the time that took.
    pub async fn spawn(opts: &SpawnOptions) -> anyhow::Result<(Self, Duration)> {
        std::fs::create_dir_all(&opts.data_dir)?;
        let public_key = public_key_of(&opts.binary, &opts.data_dir)?;
        let (port, http_port) = match opts.ports {
            Some(p) => p,
            None => (free_port()?, free_port()?),
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let http = SocketAddr::from(([127, 0, 0, 1], http_port));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(opts.data_dir.join("echod.log"))?;
        let mut cmd = Command::new(&opts.binary);
        cmd.arg("run")
            .arg("--data-dir")
            .arg(&opts.data_dir)
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--http")
            .arg(http.to_string())
            .env("ECHO_DEV_CODES", "1")
            .env("ECHO_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if let Some(limit) = opts.send_message_per_minute {
            cmd.env("ECHO_SEND_MESSAGE_PER_MINUTE", limit.to_string());
        }
        if let Some(url) = &opts.database_url {
            cmd.arg("--database-url").arg(url);
        }
        let started = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", opts.binary.display()))?;
        let mut echod = Self {
            addr,
            http: Some(http),
            pid: Some(child.id()),
            public_key,
            data_dir: Some(opts.data_dir.clone()),
            child: Some(child),
        };
        let ready = echod.wait_ready(Duration::from_secs(600)).await;
        let took = started.elapsed();
        ready?;
        Ok((echod, took))
    }

    async fn wait_ready(&mut self, limit: Duration) -> anyhow::Result<()> {
        let http = self.http.ok_or_else(|| anyhow!("no HTTP address"))?;
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if healthz(http).await {
                return Ok(());
            }
            if let Some(child) = &mut self.child {
                if let Some(status) = child.try_wait()? {
                    bail!("echod exited during start-up: {status}");
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        bail!("echod did not answer /healthz in time")
    }

    /// Resident set size in KiB (VmRSS), if the pid is known.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// CPU time used so far (user + system), if the pid is known.
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid?)).ok()?;
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        // SAFETY: sysconf only reads a configuration value.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        let ticks = u64::try_from(ticks).ok().filter(|t| *t > 0)?;
        Some(Duration::from_millis((utime + stime) * 1000 / ticks))
    }

    /// SIGKILL, no chance to flush anything (the crash-safety test).
    pub fn kill_hard(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// SIGTERM and wait for a clean exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: kill(2) on our own child's pid.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Echod {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Raises the soft open-files limit to the hard one (each client connection is a descriptor);
/// returns the limit now in force.
pub fn raise_nofile_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        if lim.rlim_cur < lim.rlim_max {
            let wanted = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    lim.rlim_cur
}
