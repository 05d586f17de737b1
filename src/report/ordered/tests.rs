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
fn beyond_the_limit_waiting_output_is_written_and_the_late_one_when_it_finishes() {
    // 1 stays open; each later item counts 64 + 10 bytes.
    let item = |c: char| Some(c.to_string().repeat(10));
    let mut o = Ordered::new(Vec::new()).with_limit(3 * (ENTRY_COST + 10));
    o.put(2, item('b'), ",");
    o.put(4, item('d'), ",");
    o.put(3, item('c'), ",");
    assert!(o.out.is_empty(), "2, 3 and 4 wait for 1, within the limit");
    assert_eq!(o.overflows(), 0);
    o.put(6, None, ",");
    // Over the limit: what waits is written in id order, 1 still open.
    assert_eq!(o.overflows(), 1);
    let held = "bbbbbbbbbb,cccccccccc,dddddddddd";
    assert_eq!(o.out, held.as_bytes());
    // 5 was open too: like 1, written when it finishes; 7 follows on.
    o.put(7, item('g'), ",");
    assert_eq!(o.out, format!("{held},gggggggggg").as_bytes());
    o.put(5, item('e'), ",");
    o.put(9, item('i'), ",");
    o.put(1, item('a'), ",");
    o.put(8, None, ",");
    let out = o.finish(",");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("{held},gggggggggg,eeeeeeeeee,aaaaaaaaaa,iiiiiiiiii")
    );
}

#[test]
fn within_the_limit_the_order_is_the_ids() {
    let mut o = Ordered::new(Vec::new()).with_limit(10 * (ENTRY_COST + 1));
    for id in (2..=10).rev() {
        o.put(id, Some(id.to_string()), " ");
    }
    o.put(1, Some("1".into()), " ");
    assert_eq!(o.overflows(), 0);
    assert_eq!(o.finish(" "), b"1 2 3 4 5 6 7 8 9 10");
}
