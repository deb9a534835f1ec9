//! SRP vectors. core.telegram.org/api/srp gives the formulas but no numbers, so the fixed
//! values come from two independent clients: a login against Telegram's own servers recorded
//! by gotd/td (password, salts and srp_B from a real account.password, a = 1, and the M1 that
//! Telegram accepted), and Telethon 1.45's `telethon/password.py` run on the values below.

use super::*;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The recorded exchange: srp_B as Telegram sent it.
const RECORDED_SALT1: &str =
    "4D11FB6BEC38F9D2546BB0F61E4F1C99A1BC0DB8F0D5F35B1291B37B213123D7ED48F3C6794D495B";
const RECORDED_SALT2: &str = "A1B181AAFE88188680AE32860D60BB01";
const RECORDED_SRP_B: &str = "
    9C52401A6A8084EC82F01C3725D3FB448BD2F0C909F9D97726EAC4B7A74172D9
    52F02466BE6734FA274D2B7429E27397F10372D66B400B80A5C5AE3F28B17BF3
    105D7A2D2A885998CDC2DEFC208AEC217AB58859A9ABC2374AD93DC285F4B3FB
    CAFF4143D7888F2425BD2FB711B25609CEB21757D935B1EF2F042173AD0CE2FE
    0E474DAC53914BD25A8A9AED4AEA8953D55CB88621DB37B871EA0D04393AC098
    7F68094CCC9DE8239251375D8FFFD263316CD528C097B7BC9FB919FBEDB76C52
    5DF3413C374EE076D97A1E6D352BB7CC80FD13651B04B32E2E48C5268150842C
    FD07CF855958B1B5EA9C36FDAD697FE3AEC8DCC6B1EFEC36874AF226204676CF";
const RECORDED_M1: &str = "999DF906BDA2C6CBB52F503406EBA2D0D0503ACE0CC302C38F13EE5010AD4051";

fn exponent(value: u8) -> [u8; SRP_LEN] {
    let mut a = [0u8; SRP_LEN];
    a[SRP_LEN - 1] = value;
    a
}

#[test]
fn client_proof_matches_a_login_telegram_accepted() {
    let (g_a, m1) = client_proof(
        b"123123",
        &unhex(RECORDED_SALT1),
        &unhex(RECORDED_SALT2),
        &unhex(RECORDED_SRP_B),
        &exponent(1),
    );
    assert_eq!(g_a, exponent(3), "A = g^1");
    assert_eq!(m1.to_vec(), unhex(RECORDED_M1));
}

#[test]
fn server_accepts_the_right_password_and_refuses_a_wrong_one() {
    let salt1 = unhex(RECORDED_SALT1);
    let salt2 = unhex(RECORDED_SALT2);
    let verifier = verifier_for(b"123123", &salt1, &salt2);
    assert!(verifier_valid(&verifier));
    let secret_b = [0x5a; SRP_LEN];
    let state = ServerState {
        verifier: &verifier,
        salt1: &salt1,
        salt2: &salt2,
        secret_b: &secret_b,
    };
    let srp_b = server_public(&verifier, &secret_b).unwrap();
    let a = [0x21; SRP_LEN];
    let (g_a, m1) = client_proof(b"123123", &salt1, &salt2, &srp_b, &a);
    assert_eq!(check_proof(state, &g_a, &m1), Ok(true));
    let (g_a, m1) = client_proof(b"123124", &salt1, &salt2, &srp_b, &a);
    assert_eq!(check_proof(state, &g_a, &m1), Ok(false));
    // A proof for another challenge (other b) does not pass either.
    let other_b = server_public(&verifier, &[0x5b; SRP_LEN]).unwrap();
    let (g_a, m1) = client_proof(b"123123", &salt1, &salt2, &other_b, &a);
    assert_eq!(check_proof(state, &g_a, &m1), Ok(false));
}

#[test]
fn degenerate_client_values_are_refused() {
    let salt1 = [1u8; 40];
    let salt2 = [2u8; 16];
    let verifier = verifier_for(b"pw", &salt1, &salt2);
    let secret_b = [7u8; SRP_LEN];
    let state = ServerState {
        verifier: &verifier,
        salt1: &salt1,
        salt2: &salt2,
        secret_b: &secret_b,
    };
    let p = prime_bytes().to_vec();
    let mut p_minus_1 = p.clone();
    p_minus_1[SRP_LEN - 1] -= 1;
    // g_a = 0, 1, p - 1 or p would make s_b predictable without the password.
    for bad in [vec![0u8], vec![1u8], p_minus_1, p, vec![1u8; SRP_LEN + 1]] {
        assert_eq!(check_proof(state, &bad, &[0u8; 32]), Err(SrpError::BadA));
    }
    assert!(!verifier_valid(&[0u8; SRP_LEN]));
    assert!(!verifier_valid(&[1u8]));
    assert!(!verifier_valid(prime_bytes()));
    assert!(!verifier_valid(&[1u8; SRP_LEN + 1]));
}

#[test]
fn pbkdf2_matches_rfc_style_vector() {
    // PBKDF2-HMAC-SHA512("password", "salt", 1 round), 64 bytes: the common published
    // vector, also what Python's hashlib.pbkdf2_hmac gives.
    let out = pbkdf2_sha512(b"password", b"salt", 1);
    assert_eq!(
        out.to_vec(),
        unhex(
            "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252
             c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce"
        )
    );
}

/// Telethon 1.45 (`compute_digest`, then `compute_check` with `a` = 0x21 repeated) on
/// password "echo-2fa", salt1 = 1..=40, salt2 = 100..=115, and the srp_B this server makes
/// with b = 0x5a repeated.
const TELETHON_V: &str = "
    55e93835f3b56f2fb9206ed8cf9236a42af5674c8cbfcca207aedf7f3a0a129f4aa0b8a6acd11a1a13228d3868d0618c
    b698fa46112f1c95ade1b9f1768fc1760f9ea3fceaa0cfeaa51400c9b356e0a4f3fea9841a6eedafca740325df2e21ae
    0b5eb33286517e64a119a9f8deeb089cda4d40f7231c4fa31c449f51231de8d6d45421821b98d6de93f8f8e3a04ec0d5
    acc228444f911b5d7d23644996ca087ab05a2f1b8d072337eb450b350e5badbb4536fa00e24079bd4dfc50aedbae9a85
    e884f645c3dd4086e91be1434a74eb648a46ec7b292a4cbf3eb2f01f570b31c0fda7b39a8d5001b0a86fceb515eeb50b
    feb723c9a2d3f61a6da453e448e4aaf4";
const TELETHON_SRP_B: &str = "
    69867dcc23b54d3e3cb3892600ae451e47c19e148332a786b86366a353066a7a14590ff276a1bf4c77db6b88bbf7bb98
    c4546ac1431d23c784d085ae017b7cd50bcb779337eeed1413cba02b8e622e382349eb0a15d9310f58cf58290c1f3657
    4d1541ce89656fba5152c9aebee003ed05a35e7383a1594830ffa6b947e37065e94e8ae3495c1021925c25a405fd4c8b
    1a94c729740ed21c48fe37a05a7a4c73998e016b824e50cb00a6afa938a37391e3f9dce10b5b222a6876472359c83869
    799b849446f1a5c0f21678daad37d859409765113958f6d28776dd6ee958bf05c60447d0e20e23410eaccb2ee270e019
    03c385ca4ccaa3e4c88794e843563269";
const TELETHON_M1: &str = "e4381513ac3843b737f84a78beec072b1b0ab48af96ab4c808d87b73806223d7";

#[test]
fn telethon_verifier_challenge_and_proof_agree() {
    let salt1: Vec<u8> = (1..=40).collect();
    let salt2: Vec<u8> = (100..=115).collect();
    let verifier = verifier_for(b"echo-2fa", &salt1, &salt2);
    assert_eq!(verifier.to_vec(), unhex(TELETHON_V));
    let secret_b = [0x5a; SRP_LEN];
    let srp_b = server_public(&verifier, &secret_b).unwrap();
    assert_eq!(srp_b.to_vec(), unhex(TELETHON_SRP_B));
    let (g_a, m1) = client_proof(b"echo-2fa", &salt1, &salt2, &srp_b, &[0x21; SRP_LEN]);
    assert_eq!(m1.to_vec(), unhex(TELETHON_M1));
    let state = ServerState {
        verifier: &verifier,
        salt1: &salt1,
        salt2: &salt2,
        secret_b: &secret_b,
    };
    assert_eq!(check_proof(state, &g_a, &unhex(TELETHON_M1)), Ok(true));
}
