//! Unit tests of the registry and its text rendering.

use super::*;

#[test]
fn gateway_connections_and_handshakes_render() {
    let m = Metrics::new();
    let g = m.gateway("127.0.0.1:10443");
    let guard = g.connection_opened();
    let _second = g.connection_opened();
    drop(guard);
    g.handshake_completed(false);
    g.handshake_completed(true);
    g.handshake_failed();
    g.message_in();
    let text = m.render(&[]);
    assert!(text.contains("# TYPE echo_connections_open gauge"));
    assert!(text.contains("echo_connections_open{gateway=\"127.0.0.1:10443\"} 1\n"));
    assert!(text.contains("echo_connections_total{gateway=\"127.0.0.1:10443\"} 2\n"));
    assert!(text.contains("echo_handshakes_total{gateway=\"127.0.0.1:10443\",result=\"temp\"} 1"));
    assert!(text.contains("echo_messages_in_total{gateway=\"127.0.0.1:10443\"} 1"));
    assert_eq!(m.connections_per_gateway().get("127.0.0.1:10443"), Some(&1));
}

#[test]
fn rpc_calls_by_method_and_error_with_histogram() {
    let m = Metrics::new();
    m.record_rpc("help.getConfig", None, 0.002);
    m.record_rpc("help.getConfig", None, 20.0);
    m.record_rpc("auth.sendCode", Some("FLOOD_WAIT_17"), 0.0004);
    m.record_rpc("auth.sendCode", Some("FLOOD_WAIT_3"), f64::NAN);
    let text = m.render(&[]);
    assert!(text.contains("echo_rpc_calls_total{method=\"help.getConfig\",error=\"OK\"} 2"));
    assert!(
        text.contains("echo_rpc_calls_total{method=\"auth.sendCode\",error=\"FLOOD_WAIT_X\"} 2")
    );
    assert!(text
        .contains("echo_rpc_duration_seconds_bucket{method=\"help.getConfig\",le=\"0.0025\"} 1"));
    assert!(
        text.contains("echo_rpc_duration_seconds_bucket{method=\"help.getConfig\",le=\"+Inf\"} 2")
    );
    assert!(text.contains("echo_rpc_duration_seconds_count{method=\"auth.sendCode\"} 2"));
    assert_eq!(m.rpc_calls_where(|name| name.starts_with("auth.")), 2);
}

#[test]
fn rpc_series_are_bounded() {
    let m = Metrics::new();
    for i in 0..(MAX_RPC_SERIES + 10) {
        m.record_rpc(&format!("m{i}"), Some("E"), 0.0);
    }
    let rpc = m.rpc.lock();
    assert!(rpc.calls.len() <= MAX_RPC_SERIES + 10);
    assert!(rpc.latency.len() <= MAX_RPC_SERIES);
    assert!(rpc.calls.keys().any(|(_, e)| e == "OTHER"));
}

#[test]
fn extra_gauges_and_label_escaping() {
    let m = Metrics::new();
    let text = m.render(&[
        Sample::gauge("echo_sessions", "Live sessions.", 3.0),
        Sample::gauge("echo_weird", "x", 1.5).with_label("v", "a\"b\\c\nd"),
    ]);
    assert!(text.contains("# TYPE echo_sessions gauge\necho_sessions 3\n"));
    assert!(text.contains("echo_weird{v=\"a\\\"b\\\\c\\nd\"} 1.5"));
    // Every family is announced once.
    assert_eq!(text.matches("# TYPE echo_rpc_calls_total").count(), 1);
}

#[test]
fn histogram_buckets_are_cumulative() {
    let mut h = Histogram::default();
    for s in [0.0005, 0.003, 0.003, 5.0, -1.0] {
        h.observe(s);
    }
    assert_eq!(h.count(), 5);
    assert!((h.sum() - 5.0065).abs() < 1e-9);
    let mut w = text::Writer::default();
    h.render(&mut w, "x", &[]);
    let text = w.finish();
    assert!(text.contains("x_bucket{le=\"0.001\"} 2\n"));
    assert!(text.contains("x_bucket{le=\"0.005\"} 4\n"));
    assert!(text.contains("x_bucket{le=\"10\"} 5\n"));
    assert!(text.contains("x_count 5\n"));
}
