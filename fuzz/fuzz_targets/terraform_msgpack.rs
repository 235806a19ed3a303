#![no_main]
//! The Terraform plugin's value codec, included from its source (the plugin is a binary crate).

#[path = "../../adapters/terraform-provider-lightsail/src/cty.rs"]
#[allow(dead_code)]
mod cty;

libfuzzer_sys::fuzz_target!(|data: &[u8]| cty::fuzz_msgpack(data));
