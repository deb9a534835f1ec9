//! The proof-of-work of the auth-key handshake (core.telegram.org/mtproto/auth_key, steps 2–4):
//! the server picks pq as the product of two distinct random primes p < q of 31 bits each, and
//! the client factorizes it. 64-bit arithmetic only: deterministic Miller–Rabin for primality and
//! Pollard's rho (Brent's variant) for factoring.

use rand::RngCore;

/// a * b mod m without overflow.
fn mul_mod(a: u64, b: u64, m: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(m)) as u64
}

fn pow_mod(mut base: u64, mut exp: u64, m: u64) -> u64 {
    let mut result = 1 % m;
    base %= m;
    while exp > 0 {
        if exp & 1 == 1 {
            result = mul_mod(result, base, m);
        }
        base = mul_mod(base, base, m);
        exp >>= 1;
    }
    result
}

/// Deterministic for every u64: these bases are known to have no common strong pseudoprime
/// below 3.3 * 10^24.
pub(crate) fn is_prime_u64(n: u64) -> bool {
    const BASES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    if n < 2 {
        return false;
    }
    for p in BASES {
        if n.is_multiple_of(p) {
            return n == p;
        }
    }
    let s = (n - 1).trailing_zeros();
    let d = (n - 1) >> s;
    'bases: for a in BASES {
        let mut x = pow_mod(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mul_mod(x, x, n);
            if x == n - 1 {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

/// A random prime in [2^30, 2^31).
fn random_prime_31_bits(rng: &mut impl RngCore) -> u64 {
    loop {
        let candidate = u64::from((rng.next_u32() & 0x7fff_ffff) | 0x4000_0001);
        if is_prime_u64(candidate) {
            return candidate;
        }
    }
}

/// Two distinct random primes p < q whose product fits the 63 bits the spec allows.
pub(crate) fn generate_pq(rng: &mut impl RngCore) -> (u64, u64) {
    let p = random_prime_31_bits(rng);
    loop {
        let q = random_prime_31_bits(rng);
        if q != p {
            return (p.min(q), p.max(q));
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// One run of Brent's rho with polynomial x^2 + c; `None` if this `c` failed.
fn brent_rho(n: u64, c: u64) -> Option<u64> {
    const BATCH: u64 = 128;
    const MAX_STEPS: u64 = 1 << 22;
    let f = |x: u64| (mul_mod(x, x, n) + c) % n;
    let (mut y, mut r, mut q, mut g) = (2u64, 1u64, 1u64, 1u64);
    let (mut x, mut ys) = (y, y);
    while g == 1 {
        x = y;
        for _ in 0..r {
            y = f(y);
        }
        let mut k = 0;
        while k < r && g == 1 {
            ys = y;
            for _ in 0..BATCH.min(r - k) {
                y = f(y);
                q = mul_mod(q, x.abs_diff(y), n);
            }
            g = gcd(q, n);
            k += BATCH;
        }
        r *= 2;
        if r > MAX_STEPS {
            return None;
        }
    }
    if g == n {
        // The batch overshot: walk it again one step at a time (at most one batch long).
        for _ in 0..=BATCH {
            ys = f(ys);
            g = gcd(x.abs_diff(ys), n);
            if g > 1 {
                break;
            }
        }
    }
    (g != n).then_some(g)
}

/// Splits pq into its two prime factors (smaller first). `None` if pq is not a product of
/// exactly two primes, which a real server never sends.
pub(crate) fn factorize_pq(pq: u64) -> Option<(u64, u64)> {
    if pq < 4 || is_prime_u64(pq) {
        return None;
    }
    let factor = if pq.is_multiple_of(2) {
        Some(2)
    } else {
        (1..32).find_map(|c| brent_rho(pq, c))
    }?;
    let (p, q) = (factor.min(pq / factor), factor.max(pq / factor));
    (p * q == pq && is_prime_u64(p) && is_prime_u64(q)).then_some((p, q))
}

/// Minimal big-endian bytes of a number, as pq, p and q travel on the wire.
pub(crate) fn to_be_minimal(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    bytes[skip..].to_vec()
}

/// Reads a big-endian number of at most 64 significant bits (leading zeros tolerated).
pub(crate) fn from_be(bytes: &[u8]) -> Option<u64> {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..)?;
    if significant.len() > 8 {
        return None;
    }
    Some(
        significant
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn primality_of_known_values() {
        assert!(is_prime_u64(2));
        assert!(is_prime_u64(1_229_739_323));
        assert!(is_prime_u64(18_446_744_073_709_551_557)); // largest u64 prime
        assert!(!is_prime_u64(1));
        assert!(!is_prime_u64(3_215_031_751)); // strong pseudoprime to bases 2, 3, 5, 7
        assert!(!is_prime_u64(0x17ED48941A08F981)); // 1229739323 * 1402015859
    }

    #[test]
    fn factorizes_the_spec_sample() {
        // core.telegram.org/mtproto/samples-auth_key: pq = 0x17ED48941A08F981.
        let (p, q) = factorize_pq(0x17ED48941A08F981).unwrap();
        assert_eq!((p, q), (0x494C553B, 0x53911073));
    }

    #[test]
    fn generated_pq_round_trips() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..50 {
            let (p, q) = generate_pq(&mut rng);
            assert!(p < q && p >= 1 << 30 && q < 1 << 31);
            assert_eq!(factorize_pq(p * q), Some((p, q)));
        }
    }

    #[test]
    fn unfactorizable_inputs_are_none() {
        assert_eq!(factorize_pq(0), None);
        assert_eq!(factorize_pq(1_229_739_323), None); // prime
        assert_eq!(factorize_pq(8), None); // 2 * 4
        assert_eq!(factorize_pq(3 * 5 * 7), None);
        assert_eq!(factorize_pq(u64::MAX), None);
    }

    #[test]
    fn big_endian_helpers() {
        assert_eq!(to_be_minimal(0x494C553B), vec![0x49, 0x4C, 0x55, 0x3B]);
        assert_eq!(from_be(&[0, 0, 0x49, 0x4C, 0x55, 0x3B]), Some(0x494C553B));
        assert_eq!(from_be(&[1; 9]), None);
        assert_eq!(from_be(&[]), Some(0));
    }
}
