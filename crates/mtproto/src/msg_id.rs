//! Message identifiers (core.telegram.org/mtproto/description#message-identifier-msg-id): a
//! generator for the server's own msg_ids and the client msg_id checks that produce the
//! bad_msg_notification codes of core.telegram.org/mtproto/service_messages_about_messages.
//! Pure: the current time is always passed in.

use std::time::Duration;

/// How far in the past a client msg_id may lie before it is "too low" (code 16).
pub const MAX_PAST_SECS: i64 = 300;
/// How far in the future a client msg_id may lie before it is "too high" (code 17).
pub const MAX_FUTURE_SECS: i64 = 30;

/// The error codes of `bad_msg_notification`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadMsgCode {
    #[error("msg_id too low")]
    MsgIdTooLow,
    #[error("msg_id too high")]
    MsgIdTooHigh,
    #[error("incorrect two lower order msg_id bits")]
    MsgIdBadLowBits,
    #[error("container msg_id is the same as msg_id of a previously received message")]
    ContainerMsgIdReused,
    #[error("message too old, and it cannot be verified whether it was received")]
    MessageTooOld,
    #[error("msg_seqno too low")]
    SeqNoTooLow,
    #[error("msg_seqno too high")]
    SeqNoTooHigh,
    #[error("an even msg_seqno expected")]
    EvenSeqNoExpected,
    #[error("odd msg_seqno expected")]
    OddSeqNoExpected,
    #[error("incorrect server salt")]
    BadServerSalt,
    #[error("invalid container")]
    InvalidContainer,
}

impl BadMsgCode {
    /// The `error_code` field of `bad_msg_notification` (or `bad_server_salt` for 48).
    pub fn code(self) -> i32 {
        match self {
            Self::MsgIdTooLow => 16,
            Self::MsgIdTooHigh => 17,
            Self::MsgIdBadLowBits => 18,
            Self::ContainerMsgIdReused => 19,
            Self::MessageTooOld => 20,
            Self::SeqNoTooLow => 32,
            Self::SeqNoTooHigh => 33,
            Self::EvenSeqNoExpected => 34,
            Self::OddSeqNoExpected => 35,
            Self::BadServerSalt => 48,
            Self::InvalidContainer => 64,
        }
    }
}

/// The unix time (seconds) a msg_id encodes in its upper 32 bits.
pub fn msg_id_unix_secs(msg_id: i64) -> i64 {
    msg_id >> 32
}

/// Checks a msg_id received from a client against the current time: client msg_ids are
/// divisible by 4 and lie within [now - 300 s, now + 30 s].
pub fn check_client_msg_id(msg_id: i64, now_secs: i64) -> Result<(), BadMsgCode> {
    if msg_id & 3 != 0 {
        return Err(BadMsgCode::MsgIdBadLowBits);
    }
    let secs = msg_id_unix_secs(msg_id);
    if secs < now_secs.saturating_sub(MAX_PAST_SECS) {
        return Err(BadMsgCode::MsgIdTooLow);
    }
    if secs > now_secs.saturating_add(MAX_FUTURE_SECS) {
        return Err(BadMsgCode::MsgIdTooHigh);
    }
    Ok(())
}

/// Produces the server's msg_ids for one session: about unixtime * 2^32, strictly increasing,
/// ≡ 1 (mod 4) for responses to client messages and ≡ 3 (mod 4) for everything else.
#[derive(Debug, Default, Clone)]
pub struct MsgIdGenerator {
    last: i64,
}

impl MsgIdGenerator {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next msg_id at `since_epoch` (time since the unix epoch). If the clock did not move
    /// (or went back), the id still grows past the previous one.
    pub fn next(&mut self, since_epoch: Duration, response: bool) -> i64 {
        let tag: i64 = if response { 1 } else { 3 };
        // Fraction of the second scaled to 32 bits keeps ids ordered within a second.
        let fraction = (u64::from(since_epoch.subsec_nanos()) << 32) / 1_000_000_000;
        let secs = i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX >> 32);
        let from_clock = (secs << 32) | fraction as i64;
        let mut id = (from_clock & !3) | tag;
        if id <= self.last {
            id = (self.last & !3) | tag;
            if id <= self.last {
                id += 4;
            }
        }
        self.last = id;
        id
    }

    /// The last id handed out (0 before the first).
    pub fn last(&self) -> i64 {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn ids_follow_the_clock_and_residues() {
        let mut generator = MsgIdGenerator::new();
        let t = Duration::new(NOW, 500_000_000);
        let response = generator.next(t, true);
        assert_eq!(response & 3, 1);
        assert_eq!(msg_id_unix_secs(response), NOW as i64);
        // Half a second lands near the middle of the low 32 bits.
        assert!((response & 0xffff_ffff) - (1 << 31) < 8);
        let other = generator.next(t, false);
        assert_eq!(other & 3, 3);
        assert!(other > response);
    }

    #[test]
    fn ids_strictly_increase_even_when_the_clock_stalls_or_goes_back() {
        let mut generator = MsgIdGenerator::new();
        let mut previous = 0;
        let times = [NOW, NOW, NOW - 10, NOW, NOW + 1, NOW - 100];
        for (i, secs) in times.iter().enumerate() {
            for response in [true, false, false, true, true] {
                let id = generator.next(Duration::from_secs(*secs), response);
                assert!(id > previous, "step {i}");
                assert_eq!(id & 3, if response { 1 } else { 3 });
                previous = id;
            }
        }
        assert_eq!(generator.last(), previous);
        assert_eq!(msg_id_unix_secs(previous), NOW as i64 + 1);
    }

    #[test]
    fn client_msg_id_checks() {
        let now = NOW as i64;
        let at = |secs: i64| secs << 32;
        assert_eq!(check_client_msg_id(at(now), now), Ok(()));
        assert_eq!(check_client_msg_id(at(now - 300), now), Ok(()));
        assert_eq!(check_client_msg_id(at(now + 30), now), Ok(()));
        assert_eq!(
            check_client_msg_id(at(now - 301), now),
            Err(BadMsgCode::MsgIdTooLow)
        );
        assert_eq!(
            check_client_msg_id(at(now + 31), now),
            Err(BadMsgCode::MsgIdTooHigh)
        );
        for low in 1..4 {
            let err = check_client_msg_id(at(now) | low, now).unwrap_err();
            assert_eq!(err.code(), 18);
        }
        assert_eq!(BadMsgCode::MsgIdTooLow.code(), 16);
        assert_eq!(BadMsgCode::MsgIdTooHigh.code(), 17);
        assert_eq!(BadMsgCode::BadServerSalt.code(), 48);
        // Extreme values do not overflow.
        assert!(check_client_msg_id(i64::MIN, i64::MAX).is_err());
        assert!(check_client_msg_id(i64::MAX & !3, i64::MIN).is_err());
    }
}
