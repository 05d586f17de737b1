#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tlstrace_fuzz::keylog(data));
