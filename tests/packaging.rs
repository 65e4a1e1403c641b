//! What ships beside the binary stays true to it: the example settings file
//! (`packaging/node.example.toml`) is read exactly as `serve --config` reads it, and says
//! the defaults it claims to.

use std::path::Path;

use switchboard::config::{FileConfig, NodeConfig};

#[test]
fn the_example_settings_parse_and_state_the_defaults() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/node.example.toml");
    let loaded = FileConfig::load(&file).expect("the example settings parse");
    let mut config = NodeConfig::new("/var/lib/switchboard".into());
    loaded.apply(&mut config);
    let defaults = NodeConfig::new("/var/lib/switchboard".into());
    assert_eq!(config.durability, defaults.durability);
    assert_eq!(config.signing_key_grace, defaults.signing_key_grace);
    assert_eq!(config.blob_url_lifetime, defaults.blob_url_lifetime);
    assert_eq!(config.max_database_mib, defaults.max_database_mib);
    let (got, want) = (&config.delivery, &defaults.delivery);
    assert_eq!(got.retry_schedule, want.retry_schedule);
    assert_eq!(got.throttle_floor, want.throttle_floor);
    assert_eq!(got.timeout, want.timeout);
    assert_eq!(got.rate_limit, want.rate_limit);
    assert_eq!(got.disable_after, want.disable_after);
    assert_eq!(got.network, want.network);
    let (got, want) = (&config.retention, &defaults.retention);
    assert_eq!(
        (got.delivered_messages, got.payloads, got.batch, got.every),
        (
            want.delivered_messages,
            want.payloads,
            want.batch,
            want.every
        )
    );
}
