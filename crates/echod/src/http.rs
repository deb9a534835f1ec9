//! The HTTP listener (port 8801 by default). The routes (admin API, probes, metrics, OpenAPI)
//! live in `echo-admin`; echod binds the socket after the MTProto gateway, so `/healthz`
//! answering means MTProto is accepting.

use std::net::SocketAddr;

pub async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    Ok(tokio::net::TcpListener::bind(addr).await?)
}
