//! The online-session directory in Redis (core.telegram.org/api/updates: live updates go to
//! the sessions that are online), shared by every session instance, the bff (online status)
//! and the sync role (where to deliver). One hash per user: field `<auth_key_id>:<session_id>`,
//! value `<node>|<since>`, where node is the gRPC address of the session instance. The hash
//! expires a day after its last change, so entries of a crashed instance cannot pile up; the
//! sync role also skips nodes that are no longer registered in etcd.

use async_trait::async_trait;
use echo_sync::{PresenceDirectory, SessionAddr, SessionPresence};
use redis::aio::ConnectionManager;

use crate::ClusterError;

/// How long a user's entry outlives its last change (seconds).
const ENTRY_TTL_SECS: i64 = 24 * 3600;

/// [`PresenceDirectory`] over Redis.
#[derive(Clone)]
pub struct RedisPresence {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisPresence {
    /// Connects to `url` (redis://host:port/db); keys are `<prefix>presence:<user_id>`.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, ClusterError> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    fn key(&self, user_id: i64) -> String {
        format!("{}presence:{user_id}", self.prefix)
    }
}

fn field(s: SessionAddr) -> String {
    format!("{}:{}", s.auth_key_id, s.session_id)
}

fn parse(field: &str, value: &str) -> Option<SessionPresence> {
    let (akid, sid) = field.split_once(':')?;
    let (node, since) = value.rsplit_once('|')?;
    Some(SessionPresence {
        session: SessionAddr {
            auth_key_id: akid.parse().ok()?,
            session_id: sid.parse().ok()?,
        },
        node: node.to_owned(),
        since: since.parse().ok()?,
    })
}

#[async_trait]
impl PresenceDirectory for RedisPresence {
    async fn session_online(&self, user_id: i64, presence: SessionPresence) {
        let key = self.key(user_id);
        let value = format!("{}|{}", presence.node, presence.since);
        let mut conn = self.conn.clone();
        let done: redis::RedisResult<()> = redis::pipe()
            .cmd("HSET")
            .arg(&key)
            .arg(field(presence.session))
            .arg(value)
            .ignore()
            .cmd("EXPIRE")
            .arg(&key)
            .arg(ENTRY_TTL_SECS)
            .ignore()
            .query_async(&mut conn)
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, user_id, "presence not recorded");
        }
    }

    async fn session_offline(&self, user_id: i64, session: SessionAddr) {
        let mut conn = self.conn.clone();
        let done: redis::RedisResult<()> = redis::cmd("HDEL")
            .arg(self.key(user_id))
            .arg(field(session))
            .query_async(&mut conn)
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, user_id, "presence not cleared");
        }
    }

    async fn sessions_of(&self, user_id: i64) -> Vec<SessionPresence> {
        let mut conn = self.conn.clone();
        let all: redis::RedisResult<Vec<(String, String)>> = redis::cmd("HGETALL")
            .arg(self.key(user_id))
            .query_async(&mut conn)
            .await;
        match all {
            Ok(pairs) => pairs.iter().filter_map(|(f, v)| parse(f, v)).collect(),
            Err(e) => {
                tracing::warn!(error = %e, user_id, "presence unreadable");
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_parse_back() {
        let p = parse("-5:77", "127.0.0.1:7001|1700000000").unwrap();
        assert_eq!(p.session.auth_key_id, -5);
        assert_eq!(p.session.session_id, 77);
        assert_eq!(p.node, "127.0.0.1:7001");
        assert_eq!(p.since, 1_700_000_000);
        assert!(parse("garbage", "x").is_none());
    }

    /// Runs against the Redis of the test machine when ECHO_TEST_REDIS_URL is set.
    #[tokio::test]
    async fn redis_round_trip() {
        let Ok(url) = std::env::var("ECHO_TEST_REDIS_URL") else {
            eprintln!("skipped: ECHO_TEST_REDIS_URL unset");
            return;
        };
        let prefix = format!("echo-test-{}:", std::process::id());
        let dir = RedisPresence::connect(&url, &prefix).await.unwrap();
        let s = SessionAddr {
            auth_key_id: 1,
            session_id: 2,
        };
        let entry = SessionPresence {
            session: s,
            node: "10.0.0.1:7001".into(),
            since: 5,
        };
        dir.session_online(42, entry.clone()).await;
        assert_eq!(dir.sessions_of(42).await, vec![entry]);
        assert!(dir.is_online(42).await);
        dir.session_offline(42, s).await;
        assert!(dir.sessions_of(42).await.is_empty());
    }
}
