//! Tests of `diagnose/infer.rs` on crafted record sequences (the real
//! captures are in tests/captures.rs).
