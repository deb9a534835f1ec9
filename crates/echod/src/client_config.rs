//! `echod client-config`: the exact values and code snippets that point a client at this server:
//! its address and DC id, its RSA public key (PKCS#1 PEM) and the key's fingerprint
//! (core.telegram.org/mtproto/auth_key: lower 64 bits of SHA1 over the TL-serialized `n` and `e`).
//!
//! Sections: Android (tgnet C++), Telegram Desktop, Telethon (a runnable script; the e2e suite
//! runs it), Pyrogram forks, TDLib (MTProxy route). `--only NAME` prints one section alone, with
//! no decoration, so it can be piped into a file. android-config/README.md explains each step.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use echo_mtproto::rsa_key::ServerPublicKey;

use crate::config::split_host_port;

#[derive(Args, Debug)]
pub struct ClientConfigArgs {
    /// The server's data directory (holds server_public.pem).
    #[arg(long, env = "ECHO_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// HOST:PORT clients connect to (10.0.2.2:10443 for an Android emulator on this host).
    #[arg(long, env = "ECHO_PUBLIC_ADDR")]
    public_addr: String,
    /// The DC id the server announces (`dc_id` in etc/echod.yaml).
    #[arg(long, default_value_t = 2)]
    dc_id: i32,
    /// An MTProxy secret the server accepts (`--proxy-secret`), for the TDLib section.
    #[arg(long, env = "ECHO_PROXY_SECRET")]
    proxy_secret: Option<String>,
    /// Print only this section.
    #[arg(long, value_enum)]
    only: Option<Section>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Section {
    Android,
    Desktop,
    Telethon,
    Pyrogram,
    Tdlib,
}

/// Everything the snippets are made of.
pub struct ServerFacts {
    pub host: String,
    pub port: u16,
    pub dc_id: i32,
    pub pem: String,
    pub fingerprint: i64,
    /// 32 hex digits, when a proxy secret was given.
    pub proxy_secret: Option<String>,
}

pub fn run(args: ClientConfigArgs) -> anyhow::Result<()> {
    let pem_path = args.data_dir.join("server_public.pem");
    let pem = std::fs::read_to_string(&pem_path).with_context(|| {
        format!(
            "reading {} (start `echod run --data-dir {}` once to create the key)",
            pem_path.display(),
            args.data_dir.display()
        )
    })?;
    let key = ServerPublicKey::from_pkcs1_pem(&pem)
        .with_context(|| format!("{} is not a PKCS#1 RSA public key", pem_path.display()))?;
    let (host, port) = split_host_port(&args.public_addr)?;
    if !(1..=5).contains(&args.dc_id) {
        bail!("--dc-id must be 1..=5");
    }
    let proxy_secret = match &args.proxy_secret {
        Some(s) => {
            let secrets = crate::config::parse_secrets(std::slice::from_ref(s))?;
            secrets.first().map(hex::encode)
        }
        None => None,
    };
    let facts = ServerFacts {
        host,
        port,
        dc_id: args.dc_id,
        pem: pem.trim_end().to_string() + "\n",
        fingerprint: key.fingerprint(),
        proxy_secret,
    };
    match args.only {
        Some(section) => print!("{}", render_section(&facts, section)),
        None => print!("{}", render_all(&facts)),
    }
    Ok(())
}

/// The full report: facts, then every section between `==== NAME ====` rulers.
pub fn render_all(f: &ServerFacts) -> String {
    let mut out = format!(
        "Echo client configuration\n\
         address:      {}:{} (every DC id 1-5 points here; this_dc = {})\n\
         fingerprint:  {} (signed int64) = 0x{:016x} (uint64)\n\
         public key:   PKCS#1 PEM below (also DATA_DIR/server_public.pem)\n\n{}\n",
        f.host, f.port, f.dc_id, f.fingerprint, f.fingerprint as u64, f.pem
    );
    for (title, section) in [
        ("Android (DrKLO/Telegram tgnet)", Section::Android),
        ("Telegram Desktop", Section::Desktop),
        ("Telethon 1.4x (runnable)", Section::Telethon),
        ("Pyrogram forks (Kurigram, Pyrofork)", Section::Pyrogram),
        ("TDLib (MTProxy route)", Section::Tdlib),
    ] {
        out.push_str(&format!("==== {title} ====\n"));
        out.push_str(&render_section(f, section));
        out.push('\n');
    }
    out
}

pub fn render_section(f: &ServerFacts, section: Section) -> String {
    match section {
        Section::Android => android(f),
        Section::Desktop => desktop(f),
        Section::Telethon => fill(TELETHON, f),
        Section::Pyrogram => fill(PYROGRAM, f),
        Section::Tdlib => tdlib(f),
    }
}

/// The PEM as a C string literal, one `"...\n"` piece per line.
fn pem_as_c_literal(pem: &str, indent: &str) -> String {
    pem.lines()
        .map(|line| format!("{indent}\"{line}\\n\""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn android(f: &ServerFacts) -> String {
    let mut dcs = String::new();
    for dc in 1..=5 {
        dcs.push_str(&format!(
            "    if (datacenters.find({dc}) == datacenters.end()) {{\n\
             \x20       datacenter = new Datacenter(instanceNum, {dc});\n\
             \x20       datacenter->addAddressAndPort(\"{}\", {}, 0, \"\");\n\
             \x20       datacenters[{dc}] = datacenter;\n    }}\n",
            f.host, f.port
        ));
    }
    format!(
        "// TMessagesProj/jni/tgnet/ConnectionsManager.cpp, ConnectionsManager::initDatacenters():\n\
         // replace the production branch (both branches if you use the test backend).\n\
         // Flag 0 = IPv4 address; use 1 for an IPv6 literal.\n{dcs}\n\
         // TMessagesProj/jni/tgnet/Handshake.cpp, Handshake::processHandshakeResponse_resPQ():\n\
         // replace the production key and fingerprint that are pushed when serverPublicKeys is empty.\n\
         serverPublicKeys.emplace_back(\n{}\n);\n\
         serverPublicKeysFingerprints.push_back(0x{:016x}ULL);\n\n\
         // TMessagesProj/src/main/java/org/telegram/messenger/BuildVars.java\n\
         // APP_ID = <any positive int>; APP_HASH = \"<any 32 hex>\"; CHECK_UPDATES = false;\n\
         // USE_CLOUD_STRINGS = false (Echo serves a minimal langpack).\n\
         // Clear the app's data after changing addresses: tgnet caches them in tgnet.dat.\n",
        pem_as_c_literal(&f.pem, "    "),
        f.fingerprint as u64
    )
}

fn desktop(f: &ServerFacts) -> String {
    let dcs: Vec<String> = (1..=5)
        .map(|dc| format!("\t{{ {dc}, \"{}\", {} }},", f.host, f.port))
        .collect();
    format!(
        "// Telegram/SourceFiles/mtproto/mtproto_dc_options.cpp\n\
         const BuiltInDc kBuiltInDcs[] = {{\n{}\n}};\n\
         // Empty kBuiltInDcsIPv6 (or point it at the server's IPv6 address).\n\
         const char *kPublicRSAKeys[] = {{ \"\\\n{}\" }};\n\
         // fingerprint 0x{:016x}; configure with -D TDESKTOP_API_ID=<int> -D TDESKTOP_API_HASH=<hex>.\n",
        dcs.join("\n"),
        f.pem.replace('\n', "\\n\\\n"),
        f.fingerprint as u64
    )
}

fn tdlib(f: &ServerFacts) -> String {
    let secret = f
        .proxy_secret
        .clone()
        .unwrap_or_else(|| "<start echod with --proxy-secret HEX32 and pass it here>".into());
    format!(
        "TDLib has no option for a custom server or key. Route it through Echo as an MTProxy:\n\
         {{\"@type\": \"addProxy\", \"server\": \"{}\", \"port\": {}, \"enable\": true,\n \
         \"type\": {{\"@type\": \"proxyTypeMtproto\", \"secret\": \"dd{}\"}}}}\n\
         TDLib still checks the server's RSA key against its built-in one\n\
         (td/telegram/net/PublicRsaKeySharedMain.cpp): build TDLib with Echo's key there\n\
         (PEM above, fingerprint {}).\n",
        f.host, f.port, secret, f.fingerprint
    )
}

fn fill(template: &str, f: &ServerFacts) -> String {
    template
        .replace("{HOST}", &f.host)
        .replace("{PORT}", &f.port.to_string())
        .replace("{DC}", &f.dc_id.to_string())
        .replace("{FINGERPRINT}", &f.fingerprint.to_string())
        .replace("{PEM}", f.pem.trim_end())
}

const TELETHON: &str = r#"# Telethon 1.4x pointed at the Echo server {HOST}:{PORT}. Run it: it connects and prints
# help.getConfig's this_dc. Import `echo_client()` from it to use Echo in your own code.
import asyncio

from telethon import TelegramClient, functions
from telethon.crypto import rsa
from telethon.sessions import MemorySession

ECHO_HOST, ECHO_PORT, ECHO_DC = "{HOST}", {PORT}, {DC}
ECHO_RSA_PEM = """{PEM}"""  # fingerprint {FINGERPRINT}

# Trust Echo's key only (Telethon's table is keyed by fingerprint).
rsa._server_keys.clear()
rsa.add_key(ECHO_RSA_PEM, old=False)


def echo_client(session=None, api_id=1, api_hash="0123456789abcdef0123456789abcdef"):
    session = session or MemorySession()
    # Before connect(), or Telethon dials Telegram's own DC address.
    session.set_dc(ECHO_DC, ECHO_HOST, ECHO_PORT)
    return TelegramClient(session, api_id, api_hash)


async def main():
    client = echo_client()
    await client.connect()
    config = await client(functions.help.GetConfigRequest())
    print(f"connected to Echo at {ECHO_HOST}:{ECHO_PORT}: this_dc={config.this_dc}")
    await client.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
"#;

const PYROGRAM: &str = r#"# Kurigram / Pyrofork pointed at the Echo server {HOST}:{PORT}.
import base64

from pyrogram.crypto import rsa

ECHO_HOST, ECHO_PORT = "{HOST}", {PORT}
ECHO_RSA_PEM = """{PEM}"""
ECHO_FINGERPRINT = {FINGERPRINT}


def _pkcs1_n_e(pem):
    # PKCS#1 RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER } (short DER walk).
    der = base64.b64decode("".join(l for l in pem.splitlines() if "-----" not in l))

    def read(i):
        tag, length = der[i], der[i + 1]
        i += 2
        if length & 0x80:
            k = length & 0x7F
            length = int.from_bytes(der[i:i + k], "big")
            i += k
        return tag, der[i:i + length], i + length

    _, body, _ = read(0)
    der = body
    _, n, i = read(0)
    _, e, _ = read(i)
    return int.from_bytes(n, "big"), int.from_bytes(e, "big")


rsa.server_public_keys.clear()
rsa.server_public_keys[ECHO_FINGERPRINT] = rsa.PublicKey(*_pkcs1_n_e(ECHO_RSA_PEM))

# Pyrofork: every DC address comes from DataCenter(...).
from pyrogram.connection import connection
connection.DataCenter = lambda dc_id, test_mode, ipv6, alt_port, media: (ECHO_HOST, ECHO_PORT)

# Kurigram: the address lives in the storage; subclass it and pass it as Client(storage=...):
#   class EchoStorage(pyrogram.storage.SQLiteStorage):
#       async def server_address(self, value=object): return ECHO_HOST if value is object else None
#       async def port(self, value=object): return ECHO_PORT if value is object else None
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ServerFacts {
        ServerFacts {
            host: "10.0.2.2".into(),
            port: 10443,
            dc_id: 2,
            pem: "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n".into(),
            fingerprint: -2,
            proxy_secret: Some("00112233445566778899aabbccddeeff".into()),
        }
    }

    #[test]
    fn sections_carry_the_facts() {
        let f = facts();
        let android = render_section(&f, Section::Android);
        assert_eq!(
            android
                .matches("addAddressAndPort(\"10.0.2.2\", 10443, 0, \"\")")
                .count(),
            5
        );
        assert!(android.contains("push_back(0xfffffffffffffffeULL)"));
        assert!(android.contains("    \"-----BEGIN RSA PUBLIC KEY-----\\n\""));
        let telethon = render_section(&f, Section::Telethon);
        assert!(telethon.contains("ECHO_HOST, ECHO_PORT, ECHO_DC = \"10.0.2.2\", 10443, 2"));
        assert!(telethon.contains(
            "\"\"\"-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\"\"\""
        ));
        assert!(!telethon.contains('{') || !telethon.contains("{HOST}"));
        let pyrogram = render_section(&f, Section::Pyrogram);
        assert!(pyrogram.contains("ECHO_FINGERPRINT = -2"));
        let tdlib = render_section(&f, Section::Tdlib);
        assert!(tdlib.contains("\"secret\": \"dd00112233445566778899aabbccddeeff\""));
        let desktop = render_section(&f, Section::Desktop);
        assert!(desktop.contains("{ 5, \"10.0.2.2\", 10443 },"));
        let all = render_all(&f);
        assert!(all.contains("0xfffffffffffffffe (uint64)"));
        assert_eq!(all.matches("==== ").count(), 5);
    }
}
