//! Client side of the auth-key handshake (core.telegram.org/mtproto/auth_key), for tests and
//! the load tool. It checks the server the way real clients do (security_guidelines): nonces
//! everywhere, the SHA1 of the encrypted answer, the DH group, the g_a range and the
//! new_nonce hashes. Either RSA scheme and any p_q_inner_data variant can be chosen.

use echo_tl::functions::{ReqDhParams, ReqPqMulti, SetClientDhParams};
use echo_tl::{enums, types, Deserializable, Serializable};
use num_bigint::BigUint;
use rand::{CryptoRng, RngCore};

use super::dh::{self, DhKeyPair};
use super::pq;
use super::rsa_schemes::{encrypt_legacy, encrypt_rsa_pad, RsaScheme};
use super::{AuthKeyKind, HandshakeError};
use crate::crypto::AuthKey;
use crate::rsa_key::ServerPublicKey;

/// How many dh_gen_retry answers are tolerated before giving up.
const MAX_RETRIES: u32 = 5;

/// Which key to ask for and how to encrypt the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    pub scheme: RsaScheme,
    /// Sent with the `_dc` inner data variants.
    pub dc: Option<i32>,
    /// `Some` asks for a temporary (PFS) key via the `_temp` variants.
    pub temp_expires_in: Option<i32>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            scheme: RsaScheme::RsaPad,
            dc: None,
            temp_expires_in: None,
        }
    }
}

/// The result of a successful handshake, client side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAuthKey {
    pub auth_key: AuthKey,
    pub first_server_salt: i64,
    /// server_time minus the client's `now` when server_DH_params arrived.
    pub time_offset: i32,
    pub kind: AuthKeyKind,
}

/// What to do after a server message.
// One value per handshake step: boxing the key would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientStep {
    /// Send this body as an unencrypted message.
    Send(Vec<u8>),
    Done(ClientAuthKey),
}

struct Nonces {
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
}

struct PendingKey {
    nonces: Nonces,
    tmp_aes_key: [u8; 32],
    tmp_aes_iv: [u8; 32],
    g: i32,
    prime: BigUint,
    g_a: BigUint,
    time_offset: i32,
    auth_key: AuthKey,
    retries: u32,
}

enum State {
    Start,
    AwaitingResPq { nonce: [u8; 16] },
    AwaitingDhParams(Nonces),
    AwaitingDhGen(Box<PendingKey>),
    Finished,
}

pub struct ClientHandshake {
    keys: Vec<ServerPublicKey>,
    options: ClientOptions,
    state: State,
}

impl ClientHandshake {
    /// `keys` are the server public keys this client trusts.
    pub fn new(keys: Vec<ServerPublicKey>, options: ClientOptions) -> Self {
        Self {
            keys,
            options,
            state: State::Start,
        }
    }

    /// The first message: req_pq_multi with a fresh nonce.
    pub fn start(&mut self, rng: &mut (impl RngCore + CryptoRng)) -> Vec<u8> {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        self.state = State::AwaitingResPq { nonce };
        ReqPqMulti { nonce }.to_bytes()
    }

    /// Handles one server answer. Errors end the handshake.
    pub fn handle<R: RngCore + CryptoRng>(
        &mut self,
        response: &[u8],
        rng: &mut R,
        now: i64,
    ) -> Result<ClientStep, HandshakeError> {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::AwaitingResPq { nonce } => self.on_res_pq(nonce, response, rng),
            State::AwaitingDhParams(nonces) => self.on_server_dh_params(nonces, response, rng, now),
            State::AwaitingDhGen(pending) => self.on_dh_gen(*pending, response, rng),
            State::Start | State::Finished => Err(HandshakeError::UnexpectedStep("server answer")),
        }
    }

    fn on_res_pq(
        &mut self,
        nonce: [u8; 16],
        response: &[u8],
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<ClientStep, HandshakeError> {
        let enums::ResPq::Pq(res_pq) = enums::ResPq::from_bytes(response)?;
        if res_pq.nonce != nonce {
            return Err(HandshakeError::NonceMismatch);
        }
        let key = res_pq
            .server_public_key_fingerprints
            .iter()
            .find_map(|fp| self.keys.iter().find(|k| k.fingerprint() == *fp))
            .ok_or(HandshakeError::NoKnownServerKey)?;
        let pq_value = pq::from_be(&res_pq.pq).ok_or(HandshakeError::PqNotFactorizable)?;
        let (p, q) = pq::factorize_pq(pq_value).ok_or(HandshakeError::PqNotFactorizable)?;
        let mut new_nonce = [0u8; 32];
        rng.fill_bytes(&mut new_nonce);
        let nonces = Nonces {
            nonce,
            server_nonce: res_pq.server_nonce,
            new_nonce,
        };
        let inner = self.inner_data(
            &nonces,
            res_pq.pq,
            pq::to_be_minimal(p),
            pq::to_be_minimal(q),
        );
        let encrypted = match self.options.scheme {
            RsaScheme::Legacy => encrypt_legacy(key, &inner.to_bytes(), rng)?,
            RsaScheme::RsaPad => encrypt_rsa_pad(key, &inner.to_bytes(), rng)?,
        };
        let request = ReqDhParams {
            nonce,
            server_nonce: nonces.server_nonce,
            p: pq::to_be_minimal(p),
            q: pq::to_be_minimal(q),
            public_key_fingerprint: key.fingerprint(),
            encrypted_data: encrypted.to_vec(),
        }
        .to_bytes();
        self.state = State::AwaitingDhParams(nonces);
        Ok(ClientStep::Send(request))
    }

    fn inner_data(&self, n: &Nonces, pq: Vec<u8>, p: Vec<u8>, q: Vec<u8>) -> enums::PQInnerData {
        let (nonce, server_nonce, new_nonce) = (n.nonce, n.server_nonce, n.new_nonce);
        match (self.options.dc, self.options.temp_expires_in) {
            (None, None) => enums::PQInnerData::Data(types::PQInnerData {
                pq,
                p,
                q,
                nonce,
                server_nonce,
                new_nonce,
            }),
            (Some(dc), None) => enums::PQInnerData::Dc(types::PQInnerDataDc {
                pq,
                p,
                q,
                nonce,
                server_nonce,
                new_nonce,
                dc,
            }),
            (None, Some(expires_in)) => enums::PQInnerData::Temp(types::PQInnerDataTemp {
                pq,
                p,
                q,
                nonce,
                server_nonce,
                new_nonce,
                expires_in,
            }),
            (Some(dc), Some(expires_in)) => enums::PQInnerData::TempDc(types::PQInnerDataTempDc {
                pq,
                p,
                q,
                nonce,
                server_nonce,
                new_nonce,
                dc,
                expires_in,
            }),
        }
    }

    fn on_server_dh_params(
        &mut self,
        nonces: Nonces,
        response: &[u8],
        rng: &mut (impl RngCore + CryptoRng),
        now: i64,
    ) -> Result<ClientStep, HandshakeError> {
        let params = match enums::ServerDhParams::from_bytes(response)? {
            enums::ServerDhParams::Ok(ok) => ok,
            enums::ServerDhParams::Fail(fail) => {
                check_nonces(&fail.nonce, &fail.server_nonce, &nonces)?;
                return Err(HandshakeError::ServerDhParamsFail);
            }
        };
        check_nonces(&params.nonce, &params.server_nonce, &nonces)?;
        let (tmp_aes_key, tmp_aes_iv) = dh::tmp_aes_key_iv(&nonces.new_nonce, &nonces.server_nonce);
        let enums::ServerDhInnerData::Data(inner) = dh::open_with_sha1::<enums::ServerDhInnerData>(
            &params.encrypted_answer,
            &tmp_aes_key,
            &tmp_aes_iv,
        )?;
        check_nonces(&inner.nonce, &inner.server_nonce, &nonces)?;
        if !dh::is_trusted_dh_group(inner.g, &inner.dh_prime, rng) {
            return Err(HandshakeError::UntrustedDhGroup);
        }
        let prime = BigUint::from_bytes_be(&inner.dh_prime);
        let g_a = dh::parse_public_value(&inner.g_a, &prime)?;
        let pending = PendingKey {
            nonces,
            tmp_aes_key,
            tmp_aes_iv,
            g: inner.g,
            prime,
            g_a,
            time_offset: inner.server_time.wrapping_sub(now as i32),
            auth_key: AuthKey::from_bytes([0; 256]),
            retries: 0,
        };
        self.send_client_dh(pending, 0, rng)
    }

    /// Steps 6–7: a fresh b, g_b and the key it gives; `retry_id` is 0 or the previous aux hash.
    fn send_client_dh(
        &mut self,
        mut pending: PendingKey,
        retry_id: i64,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<ClientStep, HandshakeError> {
        let pair = DhKeyPair::generate(pending.g, &pending.prime, rng)?;
        pending.auth_key = AuthKey::from_bytes(pair.shared_key(&pending.g_a, &pending.prime)?);
        let inner = enums::ClientDhInnerData::Data(types::ClientDhInnerData {
            nonce: pending.nonces.nonce,
            server_nonce: pending.nonces.server_nonce,
            retry_id,
            g_b: pair.public.to_vec(),
        })
        .to_bytes();
        let request = SetClientDhParams {
            nonce: pending.nonces.nonce,
            server_nonce: pending.nonces.server_nonce,
            encrypted_data: dh::seal_with_sha1(
                &inner,
                &pending.tmp_aes_key,
                &pending.tmp_aes_iv,
                rng,
            ),
        }
        .to_bytes();
        self.state = State::AwaitingDhGen(Box::new(pending));
        Ok(ClientStep::Send(request))
    }

    fn on_dh_gen(
        &mut self,
        mut pending: PendingKey,
        response: &[u8],
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<ClientStep, HandshakeError> {
        let answer = enums::SetClientDhParamsAnswer::from_bytes(response)?;
        check_nonces(&answer.nonce(), &answer.server_nonce(), &pending.nonces)?;
        let aux_hash = pending.auth_key.aux_hash();
        let expected = |number| dh::new_nonce_hash(&pending.nonces.new_nonce, number, aux_hash);
        match answer {
            enums::SetClientDhParamsAnswer::DhGenOk(ok) => {
                if ok.new_nonce_hash1 != expected(1) {
                    return Err(HandshakeError::NewNonceHashMismatch);
                }
                let kind = match self.options.temp_expires_in {
                    Some(expires_in) => AuthKeyKind::Temp { expires_in },
                    None => AuthKeyKind::Perm,
                };
                Ok(ClientStep::Done(ClientAuthKey {
                    first_server_salt: dh::first_server_salt(
                        &pending.nonces.new_nonce,
                        &pending.nonces.server_nonce,
                    ),
                    auth_key: pending.auth_key,
                    time_offset: pending.time_offset,
                    kind,
                }))
            }
            enums::SetClientDhParamsAnswer::DhGenRetry(retry) => {
                if retry.new_nonce_hash2 != expected(2) {
                    return Err(HandshakeError::NewNonceHashMismatch);
                }
                pending.retries += 1;
                if pending.retries > MAX_RETRIES {
                    return Err(HandshakeError::TooManyRetries);
                }
                self.send_client_dh(pending, aux_hash as i64, rng)
            }
            enums::SetClientDhParamsAnswer::DhGenFail(fail) => {
                if fail.new_nonce_hash3 != expected(3) {
                    return Err(HandshakeError::NewNonceHashMismatch);
                }
                Err(HandshakeError::DhGenFail)
            }
        }
    }
}

impl std::fmt::Debug for ClientHandshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHandshake")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn check_nonces(
    nonce: &[u8; 16],
    server_nonce: &[u8; 16],
    expected: &Nonces,
) -> Result<(), HandshakeError> {
    if *nonce != expected.nonce {
        return Err(HandshakeError::NonceMismatch);
    }
    if *server_nonce != expected.server_nonce {
        return Err(HandshakeError::ServerNonceMismatch);
    }
    Ok(())
}
