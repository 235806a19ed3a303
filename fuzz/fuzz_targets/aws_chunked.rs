#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lightsail_local::fuzzing::aws_chunked(data));
