//! Figures: latency percentiles and the one-JSON-line-per-scenario output.

use std::time::Duration;

use serde_json::{json, Map, Value};

/// p50 / p99 / max of a set of latencies, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Nearest-rank percentiles; all zero for an empty set.
pub fn percentiles(samples: &mut [Duration]) -> Percentiles {
    if samples.is_empty() {
        return Percentiles::default();
    }
    samples.sort_unstable();
    let rank = |q: f64| {
        let idx = ((q * samples.len() as f64).ceil() as usize).saturating_sub(1);
        samples
            .get(idx.min(samples.len() - 1))
            .copied()
            .unwrap_or_default()
    };
    let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
    Percentiles {
        count: samples.len(),
        p50_ms: ms(rank(0.50)),
        p99_ms: ms(rank(0.99)),
        max_ms: ms(samples.last().copied().unwrap_or_default()),
    }
}

/// Rounds for readable JSON.
pub fn round(value: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (value * f).round() / f
}

/// A per-second rate; 0 for an empty interval.
pub fn rate(count: usize, over: Duration) -> f64 {
    let secs = over.as_secs_f64();
    if secs > 0.0 {
        round(count as f64 / secs, 1)
    } else {
        0.0
    }
}

/// A scenario's result line: `{"scenario": NAME, "status": "ok", ...fields}`.
pub fn ok_line(scenario: &str, fields: Value) -> Value {
    line(scenario, "ok", fields)
}

/// A scenario the running server cannot do yet, said plainly instead of faked.
pub fn unsupported_line(scenario: &str, reason: &str) -> Value {
    line(scenario, "unsupported", json!({ "reason": reason }))
}

/// A scenario that failed.
pub fn error_line(scenario: &str, error: &anyhow::Error) -> Value {
    line(scenario, "error", json!({ "error": format!("{error:#}") }))
}

fn line(scenario: &str, status: &str, fields: Value) -> Value {
    let mut map = Map::new();
    map.insert("scenario".into(), Value::from(scenario));
    map.insert("status".into(), Value::from(status));
    if let Value::Object(extra) = fields {
        map.extend(extra);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_nearest_rank() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let p = percentiles(&mut samples);
        assert_eq!(p.count, 100);
        assert_eq!(p.p50_ms, 50.0);
        assert_eq!(p.p99_ms, 99.0);
        assert_eq!(p.max_ms, 100.0);
        assert_eq!(percentiles(&mut []), Percentiles::default());
        let mut one = [Duration::from_micros(1500)];
        assert_eq!(percentiles(&mut one).p99_ms, 1.5);
    }

    #[test]
    fn lines_carry_scenario_and_status() {
        let v = ok_line("x", json!({"a": 1}));
        assert_eq!(v["scenario"], "x");
        assert_eq!(v["status"], "ok");
        assert_eq!(v["a"], 1);
        let u = unsupported_line("fanout", "no groups");
        assert_eq!(u["status"], "unsupported");
        assert_eq!(u["reason"], "no groups");
        assert_eq!(rate(10, Duration::from_secs(2)), 5.0);
        assert_eq!(rate(10, Duration::ZERO), 0.0);
    }
}
