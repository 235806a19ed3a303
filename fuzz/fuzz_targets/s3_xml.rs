#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lightsail_local::fuzzing::s3_xml(data));
