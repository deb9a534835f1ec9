//! One TCP connection seen from a client: any transport of core.telegram.org/mtproto/mtproto-transports
//! (through echo-mtproto's `ClientTransport`), raw writes for malformed input, reads with a
//! timeout, and the auth-key handshake of core.telegram.org/mtproto/auth_key over unencrypted
//! messages.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context};
use echo_mtproto::handshake::{ClientAuthKey, ClientHandshake, ClientOptions, ClientStep};
use echo_mtproto::message;
use echo_mtproto::rsa_key::ServerPublicKey;
use echo_mtproto::transport::{ClientObfuscation, ClientTransport, ServerFrame, TransportKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bound for any single wait in these tests: generous, since debug builds on a busy machine
/// are slow, and never part of what is asserted.
pub const WAIT: Duration = Duration::from_secs(60);

/// Which transport a connection uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransportChoice {
    pub kind: TransportKind,
    pub obfuscation: Option<ClientObfuscation>,
}

impl TransportChoice {
    pub const fn plain(kind: TransportKind) -> Self {
        Self {
            kind,
            obfuscation: None,
        }
    }

    pub const fn obfuscated(kind: TransportKind, secret: Option<[u8; 16]>) -> Self {
        Self {
            kind,
            obfuscation: Some(ClientObfuscation { secret, dc_id: 2 }),
        }
    }
}

impl Default for TransportChoice {
    fn default() -> Self {
        Self::plain(TransportKind::Intermediate)
    }
}

/// A client-side msg_id for `now` plus `shift_secs`: unixtime * 2^32 plus a sub-second part,
/// divisible by 4 as the spec requires of client messages.
pub fn msg_id_at(shift_secs: i64) -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64 + shift_secs;
    let frac = (u64::from(now.subsec_nanos()) << 32) / 1_000_000_000;
    ((secs << 32) | frac as i64) & !3
}

pub struct Wire {
    stream: TcpStream,
    transport: ClientTransport,
    buf: Vec<u8>,
}

impl Wire {
    pub async fn connect(addr: SocketAddr, choice: TransportChoice) -> anyhow::Result<Self> {
        let stream = tokio::time::timeout(WAIT, TcpStream::connect(addr))
            .await
            .context("connect timed out")??;
        stream.set_nodelay(true)?;
        let transport =
            ClientTransport::new(choice.kind, choice.obfuscation, &mut rand::thread_rng())
                .map_err(|e| anyhow!("client transport: {e}"))?;
        Ok(Self {
            stream,
            transport,
            buf: vec![0; 64 * 1024],
        })
    }

    /// Frames and sends one MTProto packet.
    pub async fn send(&mut self, payload: &[u8]) -> anyhow::Result<()> {
        self.send_with(payload, false).await
    }

    /// Frames and sends one packet, optionally asking for a quick ack.
    pub async fn send_with(&mut self, payload: &[u8], quick_ack: bool) -> anyhow::Result<()> {
        let mut out = Vec::new();
        self.transport
            .encode_packet(payload, quick_ack, &mut out)
            .map_err(|e| anyhow!("framing: {e}"))?;
        self.write_raw(&out).await
    }

    /// Frames several packets and sends them in one write (so the server reads them together).
    pub async fn send_batch(&mut self, payloads: &[Vec<u8>]) -> anyhow::Result<()> {
        let mut out = Vec::new();
        for payload in payloads {
            self.transport
                .encode_packet(payload, false, &mut out)
                .map_err(|e| anyhow!("framing: {e}"))?;
        }
        self.write_raw(&out).await
    }

    /// Writes bytes as they are, bypassing the transport.
    pub async fn write_raw(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.stream.write_all(bytes).await?;
        Ok(())
    }

    /// The next frame from the server; `None` when the server closed the connection.
    pub async fn recv(&mut self) -> anyhow::Result<Option<ServerFrame>> {
        tokio::time::timeout(WAIT, self.recv_unbounded())
            .await
            .context("no frame from the server in time")?
    }

    async fn recv_unbounded(&mut self) -> anyhow::Result<Option<ServerFrame>> {
        loop {
            if let Some(frame) = self
                .transport
                .next_frame()
                .map_err(|e| anyhow!("server framing: {e}"))?
            {
                return Ok(Some(frame));
            }
            match self.stream.read(&mut self.buf).await {
                Ok(0) => return Ok(None),
                Ok(n) => self.transport.feed(&self.buf[..n]),
                // A reset is the server closing too.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The next packet, skipping quick acks; an error on EOF.
    pub async fn recv_packet(&mut self) -> anyhow::Result<Vec<u8>> {
        loop {
            match self.recv().await? {
                Some(ServerFrame::Packet(p)) => return Ok(p),
                Some(ServerFrame::QuickAck(_)) => {}
                None => bail!("the server closed the connection"),
            }
        }
    }

    /// Reads raw bytes until the server closes the connection (bounded by `within`); true if it
    /// closed. Whatever arrives before is discarded.
    pub async fn closed_within(&mut self, within: Duration) -> bool {
        let drain = async {
            loop {
                match self.stream.read(&mut self.buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout(within, drain).await.is_ok()
    }

    /// Runs the auth-key handshake on this connection.
    pub async fn create_key(
        &mut self,
        server: ServerPublicKey,
        options: ClientOptions,
    ) -> anyhow::Result<ClientAuthKey> {
        self.create_key_with(server, options, || msg_id_at(0)).await
    }

    /// The handshake with the msg_ids of its unencrypted messages chosen by `plain_msg_id`.
    pub async fn create_key_with(
        &mut self,
        server: ServerPublicKey,
        options: ClientOptions,
        plain_msg_id: impl Fn() -> i64,
    ) -> anyhow::Result<ClientAuthKey> {
        let mut handshake = ClientHandshake::new(vec![server], options);
        let mut request = handshake.start(&mut rand::rngs::OsRng);
        loop {
            self.send(&message::build_plain(plain_msg_id(), &request))
                .await?;
            let packet = self.recv_packet().await?;
            if let Some(code) = ServerFrame::Packet(packet.clone()).transport_error() {
                bail!("transport error {code} during the handshake");
            }
            let (_, body) =
                message::parse_plain(&packet).map_err(|e| anyhow!("plain answer: {e}"))?;
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs() as i64;
            match handshake
                .handle(body, &mut rand::rngs::OsRng, now)
                .map_err(|e| anyhow!("handshake: {e}"))?
            {
                ClientStep::Send(next) => request = next,
                ClientStep::Done(key) => return Ok(key),
            }
        }
    }
}
