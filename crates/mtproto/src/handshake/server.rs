//! Server side of the auth-key handshake (core.telegram.org/mtproto/auth_key): a state machine
//! fed with the TL bodies of unencrypted messages. Per handshake it costs one RSA private
//! operation and two 2048-bit modular exponentiations (g^a and g_b^a).

use std::sync::Arc;

use echo_tl::functions::{ReqDhParams, ReqPq, ReqPqMulti, SetClientDhParams};
use echo_tl::{enums, types, Cursor, Deserializable, Identifiable, Serializable};
use rand::{CryptoRng, RngCore};

use super::dh::{self, DhConfig, DhKeyPair};
use super::pq;
use super::rsa_schemes::decrypt_inner_data;
use super::{AuthKeyKind, HandshakeError};
use crate::crypto::AuthKey;
use crate::rsa_key::ServerRsaKey;

/// Longest set_client_DH_params ciphertext accepted: client_DH_inner_data with a 256-byte g_b
/// plus hash and padding is 336 bytes.
const MAX_CLIENT_DH_CIPHERTEXT: usize = 1024;

/// A key the handshake produced, for the caller to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuthKey {
    pub auth_key: AuthKey,
    /// new_nonce[0..8] XOR server_nonce[0..8]: valid for the key's first messages.
    pub first_server_salt: i64,
    pub kind: AuthKeyKind,
    /// The DC the client said it connects to (the `_dc` inner data variants).
    pub dc: Option<i32>,
}

/// What to do after a handshake message.
// One value per handshake step: boxing the key would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakeOutput {
    /// Send this body as an unencrypted message and wait for the next step.
    Reply(Vec<u8>),
    /// Send `response` (dh_gen_ok); `key` is established.
    Done { response: Vec<u8>, key: NewAuthKey },
}

impl HandshakeOutput {
    /// The body to send in either case.
    pub fn response(&self) -> &[u8] {
        match self {
            Self::Reply(response) | Self::Done { response, .. } => response,
        }
    }
}

/// After resPQ: what the client must prove it solved.
struct PqChallenge {
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    p: u64,
    q: u64,
}

/// After server_DH_params_ok: everything needed to finish (or retry) the exchange.
struct DhExchange {
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
    tmp_aes_key: [u8; 32],
    tmp_aes_iv: [u8; 32],
    dh: DhKeyPair,
    kind: AuthKeyKind,
    dc: Option<i32>,
    /// 0 at first; after dh_gen_retry, the aux hash of the rejected key.
    expected_retry_id: i64,
}

enum State {
    AwaitingReqPq,
    AwaitingReqDh(PqChallenge),
    AwaitingClientDh(Box<DhExchange>),
    /// dh_gen_ok was produced for a key with this aux hash.
    Finished(Box<DhExchange>, u64),
    Failed,
}

/// One connection's handshake, server side.
pub struct ServerHandshake {
    key: Arc<ServerRsaKey>,
    dh: DhConfig,
    state: State,
}

impl ServerHandshake {
    pub fn new(key: Arc<ServerRsaKey>, dh: DhConfig) -> Self {
        Self {
            key,
            dh,
            state: State::AwaitingReqPq,
        }
    }

    /// Whether an unencrypted message body is one of the handshake requests.
    pub fn is_handshake_request(body: &[u8]) -> bool {
        let Some(id) = body.get(..4) else {
            return false;
        };
        let id = u32::from_le_bytes([id[0], id[1], id[2], id[3]]);
        [
            ReqPqMulti::CONSTRUCTOR_ID,
            ReqPq::CONSTRUCTOR_ID,
            ReqDhParams::CONSTRUCTOR_ID,
            SetClientDhParams::CONSTRUCTOR_ID,
        ]
        .contains(&id)
    }

    /// Whether dh_gen_ok was produced (and not since rejected).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished(..))
    }

    /// Handles one request body. Any error leaves the handshake failed for good: the caller
    /// should close the connection.
    pub fn handle<R: RngCore + CryptoRng>(
        &mut self,
        request: &[u8],
        rng: &mut R,
        now: i64,
    ) -> Result<HandshakeOutput, HandshakeError> {
        if matches!(self.state, State::Failed) {
            return Err(HandshakeError::Aborted);
        }
        let result = self.dispatch(request, rng, now);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// Instead of keeping the key just produced (its auth_key_id collides with a stored key),
    /// answers dh_gen_retry; the client then resends set_client_DH_params with a new g_b.
    pub fn reject_colliding_key(&mut self) -> Result<Vec<u8>, HandshakeError> {
        let State::Finished(mut exchange, aux_hash) =
            std::mem::replace(&mut self.state, State::Failed)
        else {
            return Err(HandshakeError::UnexpectedStep("dh_gen_retry"));
        };
        let response = enums::SetClientDhParamsAnswer::DhGenRetry(types::DhGenRetry {
            nonce: exchange.nonce,
            server_nonce: exchange.server_nonce,
            new_nonce_hash2: dh::new_nonce_hash(&exchange.new_nonce, 2, aux_hash),
        })
        .to_bytes();
        exchange.expected_retry_id = aux_hash as i64;
        self.state = State::AwaitingClientDh(exchange);
        Ok(response)
    }

    fn dispatch<R: RngCore + CryptoRng>(
        &mut self,
        request: &[u8],
        rng: &mut R,
        now: i64,
    ) -> Result<HandshakeOutput, HandshakeError> {
        let mut cursor = Cursor::from_slice(request);
        match cursor.read_u32()? {
            ReqPqMulti::CONSTRUCTOR_ID => {
                let req = ReqPqMulti::deserialize(&mut cursor)?;
                Ok(self.on_req_pq(req.nonce, rng))
            }
            ReqPq::CONSTRUCTOR_ID => {
                let req = ReqPq::deserialize(&mut cursor)?;
                Ok(self.on_req_pq(req.nonce, rng))
            }
            ReqDhParams::CONSTRUCTOR_ID => {
                let req = ReqDhParams::deserialize(&mut cursor)?;
                self.on_req_dh_params(req, rng, now)
            }
            SetClientDhParams::CONSTRUCTOR_ID => {
                let req = SetClientDhParams::deserialize(&mut cursor)?;
                self.on_set_client_dh_params(req)
            }
            other => Err(HandshakeError::UnexpectedConstructor(other)),
        }
    }

    /// Steps 1–2. A new req_pq restarts the handshake, as a client that lost the answer would.
    fn on_req_pq(&mut self, nonce: [u8; 16], rng: &mut impl RngCore) -> HandshakeOutput {
        let mut server_nonce = [0u8; 16];
        rng.fill_bytes(&mut server_nonce);
        let (p, q) = pq::generate_pq(rng);
        let response = enums::ResPq::Pq(types::ResPq {
            nonce,
            server_nonce,
            pq: pq::to_be_minimal(p * q),
            server_public_key_fingerprints: vec![self.key.fingerprint()],
        })
        .to_bytes();
        self.state = State::AwaitingReqDh(PqChallenge {
            nonce,
            server_nonce,
            p,
            q,
        });
        HandshakeOutput::Reply(response)
    }

    /// Steps 4–5.
    fn on_req_dh_params(
        &mut self,
        req: ReqDhParams,
        rng: &mut (impl RngCore + CryptoRng),
        now: i64,
    ) -> Result<HandshakeOutput, HandshakeError> {
        let State::AwaitingReqDh(challenge) = &self.state else {
            return Err(HandshakeError::UnexpectedStep("req_DH_params"));
        };
        check_nonces(
            &req.nonce,
            &req.server_nonce,
            &challenge.nonce,
            &challenge.server_nonce,
        )?;
        check_factors(&req.p, &req.q, challenge)?;
        if req.public_key_fingerprint != self.key.fingerprint() {
            return Err(HandshakeError::UnknownFingerprint(
                req.public_key_fingerprint,
            ));
        }
        let (inner, _scheme) = decrypt_inner_data(&self.key, &req.encrypted_data, rng)?;
        let inner = InnerData::from(inner);
        check_nonces(
            &inner.nonce,
            &inner.server_nonce,
            &challenge.nonce,
            &challenge.server_nonce,
        )?;
        check_factors(&inner.p, &inner.q, challenge)?;
        if pq::from_be(&inner.pq) != Some(challenge.p * challenge.q) {
            return Err(HandshakeError::PqMismatch);
        }
        let kind = match inner.expires_in {
            None => AuthKeyKind::Perm,
            Some(expires_in) if expires_in > 0 => AuthKeyKind::Temp { expires_in },
            Some(bad) => return Err(HandshakeError::InvalidExpiresIn(bad)),
        };

        let (tmp_aes_key, tmp_aes_iv) =
            dh::tmp_aes_key_iv(&inner.new_nonce, &challenge.server_nonce);
        let dh_pair = DhKeyPair::generate(self.dh.g(), self.dh.prime(), rng)?;
        let answer = enums::ServerDhInnerData::Data(types::ServerDhInnerData {
            nonce: challenge.nonce,
            server_nonce: challenge.server_nonce,
            g: self.dh.g(),
            dh_prime: self.dh.prime_bytes(),
            g_a: dh_pair.public.to_vec(),
            // TL `int` time; wraps in 2038 exactly as every client expects.
            server_time: now as i32,
        })
        .to_bytes();
        let response = enums::ServerDhParams::Ok(types::ServerDhParamsOk {
            nonce: challenge.nonce,
            server_nonce: challenge.server_nonce,
            encrypted_answer: dh::seal_with_sha1(&answer, &tmp_aes_key, &tmp_aes_iv, rng),
        })
        .to_bytes();
        self.state = State::AwaitingClientDh(Box::new(DhExchange {
            nonce: challenge.nonce,
            server_nonce: challenge.server_nonce,
            new_nonce: inner.new_nonce,
            tmp_aes_key,
            tmp_aes_iv,
            dh: dh_pair,
            kind,
            dc: inner.dc,
            expected_retry_id: 0,
        }));
        Ok(HandshakeOutput::Reply(response))
    }

    /// Steps 6–9.
    fn on_set_client_dh_params(
        &mut self,
        req: SetClientDhParams,
    ) -> Result<HandshakeOutput, HandshakeError> {
        let State::AwaitingClientDh(exchange) = &self.state else {
            return Err(HandshakeError::UnexpectedStep("set_client_DH_params"));
        };
        check_nonces(
            &req.nonce,
            &req.server_nonce,
            &exchange.nonce,
            &exchange.server_nonce,
        )?;
        if req.encrypted_data.len() > MAX_CLIENT_DH_CIPHERTEXT {
            return Err(HandshakeError::InnerHashMismatch);
        }
        let enums::ClientDhInnerData::Data(inner) = dh::open_with_sha1::<enums::ClientDhInnerData>(
            &req.encrypted_data,
            &exchange.tmp_aes_key,
            &exchange.tmp_aes_iv,
        )?;
        check_nonces(
            &inner.nonce,
            &inner.server_nonce,
            &exchange.nonce,
            &exchange.server_nonce,
        )?;
        if inner.retry_id != exchange.expected_retry_id {
            return Err(HandshakeError::RetryIdMismatch {
                got: inner.retry_id,
                expected: exchange.expected_retry_id,
            });
        }
        let g_b = dh::parse_public_value(&inner.g_b, self.dh.prime())?;
        let auth_key = AuthKey::from_bytes(exchange.dh.shared_key(&g_b, self.dh.prime())?);
        let aux_hash = auth_key.aux_hash();
        let response = enums::SetClientDhParamsAnswer::DhGenOk(types::DhGenOk {
            nonce: exchange.nonce,
            server_nonce: exchange.server_nonce,
            new_nonce_hash1: dh::new_nonce_hash(&exchange.new_nonce, 1, aux_hash),
        })
        .to_bytes();
        let key = NewAuthKey {
            auth_key,
            first_server_salt: dh::first_server_salt(&exchange.new_nonce, &exchange.server_nonce),
            kind: exchange.kind,
            dc: exchange.dc,
        };
        let State::AwaitingClientDh(exchange) = std::mem::replace(&mut self.state, State::Failed)
        else {
            return Err(HandshakeError::UnexpectedStep("set_client_DH_params"));
        };
        self.state = State::Finished(exchange, aux_hash);
        Ok(HandshakeOutput::Done { response, key })
    }
}

impl std::fmt::Debug for ServerHandshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::AwaitingReqPq => "awaiting req_pq",
            State::AwaitingReqDh(_) => "awaiting req_DH_params",
            State::AwaitingClientDh(_) => "awaiting set_client_DH_params",
            State::Finished(..) => "finished",
            State::Failed => "failed",
        };
        f.debug_struct("ServerHandshake")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

fn check_nonces(
    nonce: &[u8; 16],
    server_nonce: &[u8; 16],
    expected_nonce: &[u8; 16],
    expected_server_nonce: &[u8; 16],
) -> Result<(), HandshakeError> {
    if nonce != expected_nonce {
        return Err(HandshakeError::NonceMismatch);
    }
    if server_nonce != expected_server_nonce {
        return Err(HandshakeError::ServerNonceMismatch);
    }
    Ok(())
}

/// p and q as big-endian numbers; clients send p < q, but the order carries no security
/// meaning, so either order is accepted.
fn check_factors(p: &[u8], q: &[u8], challenge: &PqChallenge) -> Result<(), HandshakeError> {
    let got = (pq::from_be(p), pq::from_be(q));
    let (p, q) = (Some(challenge.p), Some(challenge.q));
    if got == (p, q) || got == (q, p) {
        Ok(())
    } else {
        Err(HandshakeError::PqMismatch)
    }
}

/// The fields shared by the four p_q_inner_data variants.
struct InnerData {
    pq: Vec<u8>,
    p: Vec<u8>,
    q: Vec<u8>,
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
    dc: Option<i32>,
    expires_in: Option<i32>,
}

impl From<enums::PQInnerData> for InnerData {
    fn from(inner: enums::PQInnerData) -> Self {
        use enums::PQInnerData as V;
        let (pq, p, q, nonce, server_nonce, new_nonce, dc, expires_in) = match inner {
            V::Data(i) => (
                i.pq,
                i.p,
                i.q,
                i.nonce,
                i.server_nonce,
                i.new_nonce,
                None,
                None,
            ),
            V::Dc(i) => (
                i.pq,
                i.p,
                i.q,
                i.nonce,
                i.server_nonce,
                i.new_nonce,
                Some(i.dc),
                None,
            ),
            V::Temp(i) => (
                i.pq,
                i.p,
                i.q,
                i.nonce,
                i.server_nonce,
                i.new_nonce,
                None,
                Some(i.expires_in),
            ),
            V::TempDc(i) => (
                i.pq,
                i.p,
                i.q,
                i.nonce,
                i.server_nonce,
                i.new_nonce,
                Some(i.dc),
                Some(i.expires_in),
            ),
        };
        Self {
            pq,
            p,
            q,
            nonce,
            server_nonce,
            new_nonce,
            dc,
            expires_in,
        }
    }
}
