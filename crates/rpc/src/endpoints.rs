//! The live instances of one role and a lazily connected gRPC channel to each. Discovery
//! (etcd, crate `echo-cluster`) or a fixed list from the configuration keeps the set current;
//! callers pick an instance round-robin (stateless roles) or by key (the session role: one
//! auth key's sessions always live on the same instance while the set is stable).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::RwLock;
use tonic::transport::{Channel, Endpoint};
use tonic::Status;

/// The instances of one role.
#[derive(Debug)]
pub struct Endpoints {
    role: String,
    /// Address ("host:port") → channel; a BTreeMap so every process sees the same order.
    live: RwLock<BTreeMap<String, Channel>>,
    next: AtomicUsize,
}

impl Endpoints {
    /// No instances yet (discovery fills them in).
    pub fn new(role: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            live: RwLock::default(),
            next: AtomicUsize::new(0),
        }
    }

    /// A fixed set of instances.
    pub fn fixed(role: impl Into<String>, addrs: &[String]) -> Result<Self, Status> {
        let endpoints = Self::new(role);
        endpoints.set(addrs.iter().cloned())?;
        Ok(endpoints)
    }

    pub fn role(&self) -> &str {
        &self.role
    }

    /// Replaces the set, keeping the channels of instances that stay.
    pub fn set(&self, addrs: impl IntoIterator<Item = String>) -> Result<(), Status> {
        let current = self.live.read().clone();
        let mut next = BTreeMap::new();
        for addr in addrs {
            let channel = match current.get(&addr) {
                Some(c) => c.clone(),
                None => channel_to(&addr)?,
            };
            next.insert(addr, channel);
        }
        *self.live.write() = next;
        Ok(())
    }

    /// The instance addresses, sorted.
    pub fn addrs(&self) -> Vec<String> {
        self.live.read().keys().cloned().collect()
    }

    pub fn contains(&self, addr: &str) -> bool {
        self.live.read().contains_key(addr)
    }

    /// The next instance, round-robin.
    pub fn any(&self) -> Result<Channel, Status> {
        let live = self.live.read();
        if live.is_empty() {
            return Err(self.none_live());
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % live.len();
        live.values()
            .nth(i)
            .cloned()
            .ok_or_else(|| self.none_live())
    }

    /// The instance owning `key` by rendezvous hashing: adding or removing one instance
    /// moves only the keys of that instance.
    pub fn by_key(&self, key: u64) -> Result<(String, Channel), Status> {
        let live = self.live.read();
        live.iter()
            .max_by_key(|(addr, _)| mix(key ^ fnv1a(addr.as_bytes())))
            .map(|(a, c)| (a.clone(), c.clone()))
            .ok_or_else(|| self.none_live())
    }

    /// The channel of one named instance, if it is live.
    pub fn get(&self, addr: &str) -> Option<Channel> {
        self.live.read().get(addr).cloned()
    }

    fn none_live(&self) -> Status {
        Status::unavailable(format!("no live {} instance", self.role))
    }
}

fn channel_to(addr: &str) -> Result<Channel, Status> {
    let endpoint = Endpoint::from_shared(format!("http://{addr}"))
        .map_err(|e| Status::invalid_argument(format!("bad address {addr}: {e}")))?
        .connect_timeout(std::time::Duration::from_secs(2))
        .tcp_nodelay(true);
    Ok(endpoint.connect_lazy())
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64's finaliser: spreads nearby keys over the whole range.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_stay_on_their_instance_when_another_leaves() {
        let addrs: Vec<String> = (1..=3).map(|i| format!("127.0.0.1:700{i}")).collect();
        let e = Endpoints::fixed("session", &addrs).unwrap();
        let owner = |k: u64| e.by_key(k).unwrap().0;
        let before: Vec<String> = (0..200).map(owner).collect();
        assert!(
            addrs.iter().all(|a| before.contains(a)),
            "every instance gets keys"
        );
        e.set(addrs[..2].iter().cloned()).unwrap();
        for (k, was) in before.iter().enumerate() {
            let now = owner(k as u64);
            if was != &addrs[2] {
                assert_eq!(&now, was, "key {k} moved although its instance stayed");
            }
        }
        e.set(Vec::new()).unwrap();
        assert_eq!(e.any().unwrap_err().code(), tonic::Code::Unavailable);
    }
}
