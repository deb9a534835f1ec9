//! One TCP connection seen from a client: a transport of core.telegram.org/mtproto/mtproto-transports
//! (echo-mtproto's sans-IO `ClientTransport`) over a tokio socket, plus the auth-key handshake of
//! core.telegram.org/mtproto/auth_key over unencrypted messages.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context};
use echo_mtproto::handshake::{ClientAuthKey, ClientHandshake, ClientOptions, ClientStep};
use echo_mtproto::message;
use echo_mtproto::rsa_key::ServerPublicKey;
use echo_mtproto::transport::{ClientTransport, ServerFrame, TransportKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bound for any single wait: generous, since a loaded 2-core machine is slow; never asserted.
pub const WAIT: Duration = Duration::from_secs(120);

/// Read buffer per connection: small, so ten thousand idle clients stay cheap in the tool.
const READ_BUF: usize = 4 * 1024;

/// A client-side msg_id for now: unixtime * 2^32 plus a sub-second part, divisible by 4.
pub fn msg_id_now() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let frac = (u64::from(now.subsec_nanos()) << 32) / 1_000_000_000;
    ((now.as_secs() as i64) << 32 | frac as i64) & !3
}

/// Seconds since the epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64
}

pub struct Wire {
    stream: TcpStream,
    transport: ClientTransport,
    buf: Vec<u8>,
}

impl Wire {
    pub async fn connect(addr: SocketAddr, kind: TransportKind) -> anyhow::Result<Self> {
        let stream = tokio::time::timeout(WAIT, TcpStream::connect(addr))
            .await
            .context("connect timed out")??;
        stream.set_nodelay(true)?;
        let transport = ClientTransport::new(kind, None, &mut rand::thread_rng())
            .map_err(|e| anyhow!("client transport: {e}"))?;
        Ok(Self {
            stream,
            transport,
            buf: vec![0; READ_BUF],
        })
    }

    /// Frames and sends one MTProto packet.
    pub async fn send(&mut self, payload: &[u8]) -> anyhow::Result<()> {
        let mut out = Vec::with_capacity(payload.len() + 8);
        self.transport
            .encode_packet(payload, false, &mut out)
            .map_err(|e| anyhow!("framing: {e}"))?;
        self.stream.write_all(&out).await?;
        Ok(())
    }

    /// The next packet (quick acks skipped); an error on EOF or after [`WAIT`].
    pub async fn recv_packet(&mut self) -> anyhow::Result<Vec<u8>> {
        tokio::time::timeout(WAIT, self.recv_unbounded())
            .await
            .context("no packet from the server in time")?
    }

    async fn recv_unbounded(&mut self) -> anyhow::Result<Vec<u8>> {
        loop {
            match self
                .transport
                .next_frame()
                .map_err(|e| anyhow!("server framing: {e}"))?
            {
                Some(ServerFrame::Packet(p)) => {
                    if let Some(code) = ServerFrame::Packet(p.clone()).transport_error() {
                        bail!("transport error {code}");
                    }
                    return Ok(p);
                }
                Some(ServerFrame::QuickAck(_)) => continue,
                None => {}
            }
            let n = self.stream.read(&mut self.buf).await?;
            if n == 0 {
                bail!("the server closed the connection");
            }
            let read = self.buf.get(..n).unwrap_or_default();
            self.transport.feed(read);
        }
    }

    /// Runs the auth-key handshake (permanent key, RSA_PAD) on this connection.
    pub async fn create_key(&mut self, server: ServerPublicKey) -> anyhow::Result<ClientAuthKey> {
        let mut handshake = ClientHandshake::new(vec![server], ClientOptions::default());
        let mut request = handshake.start(&mut rand::rngs::OsRng);
        loop {
            self.send(&message::build_plain(msg_id_now(), &request))
                .await?;
            let packet = self.recv_packet().await?;
            let (_, body) =
                message::parse_plain(&packet).map_err(|e| anyhow!("plain answer: {e}"))?;
            match handshake
                .handle(body, &mut rand::rngs::OsRng, unix_now())
                .map_err(|e| anyhow!("handshake: {e}"))?
            {
                ClientStep::Send(next) => request = next,
                ClientStep::Done(key) => return Ok(key),
            }
        }
    }
}
