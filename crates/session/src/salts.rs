//! Server salts (core.telegram.org/mtproto/description#server-salt): derived, not stored. A salt
//! is a keyed hash of the auth key id and a 30-minute window, so every session instance that
//! shares the secret agrees on it without coordination, and a restart keeps it.

use sha2::{Digest, Sha256};

/// Length of one salt window in seconds.
pub const SALT_WINDOW_SECS: i64 = 1800;

/// Derives server salts from a secret.
#[derive(Clone)]
pub struct SaltOracle {
    secret: [u8; 32],
}

impl SaltOracle {
    pub fn new(secret: [u8; 32]) -> Self {
        Self { secret }
    }

    /// The salt of window `window` (unix time / SALT_WINDOW_SECS) for `auth_key_id`.
    pub fn salt_for_window(&self, auth_key_id: i64, window: i64) -> i64 {
        let digest = Sha256::new()
            .chain_update(self.secret)
            .chain_update(auth_key_id.to_le_bytes())
            .chain_update(window.to_le_bytes())
            .finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        i64::from_le_bytes(first)
    }

    /// The salt clients should use now.
    pub fn current(&self, auth_key_id: i64, now: i64) -> i64 {
        self.salt_for_window(auth_key_id, now.div_euclid(SALT_WINDOW_SECS))
    }

    /// Whether `salt` is acceptable now: the current window's or the previous one's (clients
    /// switch a little late), or the next one's (a client may run slightly ahead).
    pub fn is_valid(&self, auth_key_id: i64, salt: i64, now: i64) -> bool {
        let window = now.div_euclid(SALT_WINDOW_SECS);
        (window - 1..=window + 1).any(|w| self.salt_for_window(auth_key_id, w) == salt)
    }

    /// `num` future salts starting with the current window: (valid_since, valid_until, salt).
    pub fn future(&self, auth_key_id: i64, now: i64, num: usize) -> Vec<(i32, i32, i64)> {
        let window = now.div_euclid(SALT_WINDOW_SECS);
        (0..num as i64)
            .map(|i| {
                let w = window + i;
                let since = w * SALT_WINDOW_SECS;
                // Overlap into the next window, matching is_valid's tolerance.
                let until = since + 2 * SALT_WINDOW_SECS;
                (
                    since as i32,
                    until as i32,
                    self.salt_for_window(auth_key_id, w),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_are_stable_and_windowed() {
        let oracle = SaltOracle::new([7; 32]);
        let now = 1_700_000_000;
        let s = oracle.current(42, now);
        assert_eq!(s, oracle.current(42, now));
        assert_ne!(s, oracle.current(43, now));
        assert!(oracle.is_valid(42, s, now));
        assert!(oracle.is_valid(42, s, now + SALT_WINDOW_SECS));
        assert!(!oracle.is_valid(42, s, now + 3 * SALT_WINDOW_SECS));
        let future = oracle.future(42, now, 3);
        assert_eq!(future.len(), 3);
        assert_eq!(future[0].2, s);
        assert!(future[0].0 as i64 <= now && now < future[0].1 as i64);
    }
}
