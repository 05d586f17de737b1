//! Tests of `report/ordered.rs`.

use super::*;

#[test]
fn writes_in_id_order_as_soon_as_possible() {
    let mut o = Ordered::new(Vec::new());
    o.put(2, Some("b".into()), ",");
    assert!(o.out.is_empty(), "2 waits for 1");
    o.put(1, Some("a".into()), ",");
    assert_eq!(o.out, b"a,b");
    o.put(4, Some("d".into()), ",");
    o.put(3, None, ",");
    assert_eq!(o.out, b"a,b,d");
    o.put(6, Some("f".into()), ",");
    assert_eq!(o.finish(","), b"a,b,d,f");
}

#[test]
fn output_past_the_memory_limit_waits_on_disk_and_keeps_its_order() {
    let mut o = Ordered::new(Vec::new());
    let item = |i: u64| format!("{i:06}:{}", "x".repeat(64 * 1024));
    // Connection 1 stays open while 200 others (12.8 MB) finish.
    for id in 2..=201 {
        o.put(id, Some(item(id).into_bytes()), "\n");
    }
    assert!(o.out.is_empty());
    assert!(
        o.held <= MAX_HELD_IN_MEMORY,
        "{} bytes held in memory",
        o.held
    );
    assert!(
        o.spill.as_ref().is_some_and(|(_, len)| *len > 0),
        "nothing spilled"
    );
    o.put(1, Some(item(1).into_bytes()), "\n");
    o.put(203, None, "\n");
    o.put(204, Some(item(204).into_bytes()), "\n");
    let out = String::from_utf8(o.finish("\n")).expect("text");
    let ids: Vec<u64> = out
        .split('\n')
        .map(|l| l[..6].parse().expect("id"))
        .collect();
    let want: Vec<u64> = (1..=201).chain([204]).collect();
    assert_eq!(ids, want);
    assert!(out.split('\n').all(|l| l.len() == 7 + 64 * 1024));
}
