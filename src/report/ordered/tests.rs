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
