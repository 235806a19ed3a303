//! A provider component that misbehaves on demand, for testing the host's limits: `check` with the
//! token `trap` traps, `loop` never returns, `alloc` allocates without bound, `log-flood` floods the
//! log sink; anything else answers normally.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "../../../wit", world: "provider" });

    use exports::lightsail::provider::resource_provider::*;

    struct Misbehaving;

    fn unsupported<T>() -> Result<T, ProviderError> {
        Err(ProviderError::Unsupported("this component only misbehaves".into()))
    }

    impl Guest for Misbehaving {
        fn resource_types() -> Vec<String> {
            vec!["test:misbehaving/thing:Thing".into()]
        }
        fn schema() -> String {
            "{}".into()
        }
        fn check(token: String, _: Option<String>, news: String) -> Result<CheckResult, ProviderError> {
            match token.as_str() {
                "trap" => core::arch::wasm32::unreachable(),
                "loop" => {
                    let mut n: u64 = 0;
                    loop {
                        n = core::hint::black_box(n.wrapping_add(1));
                    }
                }
                "alloc" => {
                    let mut hoard: Vec<Vec<u8>> = Vec::new();
                    loop {
                        hoard.push(core::hint::black_box(vec![1u8; 1 << 20]));
                    }
                }
                _ => Ok(CheckResult { inputs: news, failures: Vec::new() }),
            }
        }
        fn diff(_: String, _: String, _: String, _: String) -> Result<DiffResult, ProviderError> {
            unsupported()
        }
        fn create(_: String, _: String, _: bool) -> Result<Created, ProviderError> {
            unsupported()
        }
        fn read(_: String, _: String, _: Option<String>) -> Result<Option<ReadResult>, ProviderError> {
            unsupported()
        }
        fn update(_: String, _: String, _: String, _: String, _: bool) -> Result<Outputs, ProviderError> {
            unsupported()
        }
        fn delete(_: String, _: String, _: String) -> Result<(), ProviderError> {
            unsupported()
        }
        fn import(_: String, _: String) -> Result<ReadResult, ProviderError> {
            unsupported()
        }
    }

    export!(Misbehaving);
}
