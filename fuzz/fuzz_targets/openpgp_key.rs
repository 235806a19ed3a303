#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| openpgp_recipient::fuzzing::openpgp_key(data));
