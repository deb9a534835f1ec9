//! Echo's service traits over gRPC (tonic), for roles running as separate processes
//! (`echod gnetway|session|bff|msg|sync|authsession|media`). For every trait there is a server
//! that serves any implementation (normally the local one) and a remote client that
//! implements the same trait, so callers never know where a service runs. No business
//! logic lives here: only conversions (`convert`), error mapping both ways (`status`) and
//! instance selection (`endpoints`).

pub mod api;
pub mod authsession;
mod convert;
pub mod endpoints;
pub mod fleet;
pub mod media;
pub mod msg;
pub mod session;
pub mod status;

/// The generated protobuf messages and gRPC stubs of `proto/echo.proto`.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod pb {
    tonic::include_proto!("echo.v1");
}

pub use api::{ApiServer, RemoteApi};
pub use authsession::{AuthSessionServer, RemoteAuthSession};
pub use convert::{send_request_from_pb, send_request_to_pb};
pub use endpoints::Endpoints;
pub use fleet::SessionFleet;
pub use media::{MediaServer, RemoteMedia};
pub use msg::{MsgServer, RemoteMsg};
pub use session::{RemoteSessions, SessionPusher, SessionServer};
pub use tonic;
