//! Tests of `capture/link.rs`.

use super::*;

#[test]
fn null_either_byte_order() {
    let ip = [0x45u8, 0, 0, 20];
    let mut le = vec![2, 0, 0, 0];
    le.extend_from_slice(&ip);
    let mut be = vec![0, 0, 0, 2];
    be.extend_from_slice(&ip);
    assert_eq!(network_layer(LinkType::NULL, &le), NetworkLayer::Ip(&ip));
    assert_eq!(network_layer(LinkType::NULL, &be), NetworkLayer::Ip(&ip));
    let mut v6 = vec![0, 0, 0, 30];
    v6.extend_from_slice(&ip);
    assert_eq!(network_layer(LinkType::LOOP, &v6), NetworkLayer::Ip(&ip));
    assert_eq!(
        network_layer(LinkType::NULL, &[2, 0]),
        NetworkLayer::Truncated
    );
    assert_eq!(
        network_layer(LinkType::NULL, &[7, 0, 0, 0, 1]),
        NetworkLayer::Unsupported(UnsupportedLink::LoopbackFamily(7))
    );
}

#[test]
fn sll2_strips_twenty_bytes() {
    let mut f = vec![0x08, 0x00];
    f.extend_from_slice(&[0u8; 18]);
    f.extend_from_slice(&[0x45, 1, 2]);
    assert_eq!(
        network_layer(LinkType::LINUX_SLL2, &f),
        NetworkLayer::EtherType(0x0800, &[0x45, 1, 2])
    );
    assert_eq!(
        network_layer(LinkType::LINUX_SLL2, &f[..10]),
        NetworkLayer::Truncated
    );
}

#[test]
fn unsupported_is_named() {
    assert_eq!(LinkType(105).name(), "IEEE802_11");
    assert!(matches!(
        network_layer(LinkType(105), &[1, 2, 3]),
        NetworkLayer::Unsupported(UnsupportedLink::LinkType(LinkType(105)))
    ));
}
