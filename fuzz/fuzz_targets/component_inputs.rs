#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| provider_logic::fuzzing::component_inputs(data));
