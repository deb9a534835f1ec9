//! Secrets kept in the data directory: the server's RSA key (created on first start; the public
//! half is also written as `server_public.pem` for clients) and the server-salt secret.

use std::fs;
use std::path::Path;

use anyhow::Context;
use echo_mtproto::rsa_key::ServerRsaKey;

const PRIVATE_KEY: &str = "server_key.pem";
const PUBLIC_KEY: &str = "server_public.pem";
const SALT_SECRET: &str = "salt.secret";

fn write_private(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    fs::write(path, data).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Loads the RSA key from `dir`, generating and saving one on first start.
pub fn load_or_create_rsa(dir: &Path) -> anyhow::Result<ServerRsaKey> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let private = dir.join(PRIVATE_KEY);
    let key = if private.exists() {
        let pem = fs::read_to_string(&private)?;
        ServerRsaKey::from_pem(&pem).context("server_key.pem is not a valid RSA private key")?
    } else {
        tracing::info!("generating the server's RSA-2048 key (first start)");
        let key = ServerRsaKey::generate(&mut rand::rngs::OsRng).context("generating RSA key")?;
        write_private(&private, key.to_pkcs8_pem()?.as_bytes())?;
        key
    };
    let public = dir.join(PUBLIC_KEY);
    let pem = key.public_pem_pkcs1();
    if fs::read_to_string(&public).ok().as_deref() != Some(pem.as_str()) {
        fs::write(&public, &pem).with_context(|| format!("writing {}", public.display()))?;
    }
    Ok(key)
}

/// Loads (or creates) the 32-byte secret server salts are derived from.
pub fn load_or_create_salt_secret(dir: &Path) -> anyhow::Result<[u8; 32]> {
    let path = dir.join(SALT_SECRET);
    if let Ok(bytes) = fs::read(&path) {
        if let Ok(secret) = <[u8; 32]>::try_from(bytes.as_slice()) {
            return Ok(secret);
        }
        tracing::warn!("salt.secret has a bad length; replacing it");
    }
    let secret: [u8; 32] = rand::random();
    write_private(&path, &secret)?;
    Ok(secret)
}
