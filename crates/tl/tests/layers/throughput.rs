//! A rough, printed (never asserted) throughput measurement of the transcoder on a typical
//! `updates` push. Meaningful in release: `cargo test -p echo-tl --release --test layers
//! throughput -- --ignored --nocapture`.

use std::time::Instant;

use echo_tl::functions::messages;

use crate::common::{bytes_of, layers};
use crate::objects::sample_updates;

#[test]
#[ignore = "prints a timing; run in release with --ignored --nocapture"]
fn print_throughput() {
    let set = layers();
    let updates = bytes_of(&sample_updates(true));
    let request = set
        .request_to_layer(229, &short_send_message())
        .unwrap()
        .into_owned();
    const ROUNDS: u32 = 200_000;
    let measure = |label: &str, f: &dyn Fn() -> usize| {
        let start = Instant::now();
        let mut bytes = 0;
        for _ in 0..ROUNDS {
            bytes += f();
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{label}: {:.0} ops/s, {:.0} MB/s out",
            f64::from(ROUNDS) / secs,
            bytes as f64 / secs / 1e6
        );
    };
    println!("updates: {} bytes", updates.len());
    measure("updates 230→229", &|| {
        set.object_to_layer(229, "Updates", &updates).unwrap().len()
    });
    measure("updates 230→220", &|| {
        set.object_to_layer(220, "Updates", &updates).unwrap().len()
    });
    measure("sendMessage 229→230", &|| {
        set.request_to_newest(229, &request).unwrap().len()
    });
    let start = Instant::now();
    let _ = layers();
    println!("LayerSet::embedded(): {:?}", start.elapsed());
}

fn short_send_message() -> Vec<u8> {
    bytes_of(&messages::SendMessage {
        no_webpage: false,
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: echo_tl::enums::InputPeer::PeerSelf,
        reply_to: None,
        message: "a typical short message".into(),
        random_id: 42,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
        rich_message: None,
    })
}
