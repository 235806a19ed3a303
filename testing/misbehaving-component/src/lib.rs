//! A provider component that misbehaves on demand, for testing the host's limits: `check` with the
//! token `trap` traps, `loop` never returns, `alloc` allocates without bound, `log-flood` floods the
//! log sink; `spin` counts to the number it is given; `lock` takes a lock and lets it go, `lock-and-trap` traps while holding it,
//! `two-locks` asks for a second lock while it holds one; `remember` writes its input into a static and into freshly grown memory, and
//! `recall` answers with what it finds in both places (with the addresses); anything else answers normally.

#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "../../wit", world: "provider" });

    use exports::lightsail::provider::resource_provider::*;

    struct Misbehaving;

    use core::sync::atomic::{AtomicU8, Ordering};

    const MEMO_LEN: usize = 64;
    static MEMO: [AtomicU8; MEMO_LEN] = [const { AtomicU8::new(0) }; MEMO_LEN];
    const PAGE: usize = 64 << 10;

    /// Grows memory by one page and returns the new page's address. Every instance starts from the
    /// same memory size, so the same address in each.
    fn fresh_page() -> *mut u8 {
        let previous_pages = core::arch::wasm32::memory_grow(0, 1);
        assert_ne!(previous_pages, usize::MAX, "memory grows");
        (previous_pages * PAGE) as *mut u8
    }

    /// Returns the address of the grown page it wrote to.
    fn remember(text: &str) -> usize {
        let bytes = &text.as_bytes()[..text.len().min(MEMO_LEN)];
        for (slot, byte) in MEMO.iter().zip(bytes) {
            slot.store(*byte, Ordering::Relaxed);
        }
        let page = fresh_page();
        // SAFETY: the page was just grown for this instance and nothing else uses it.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), page, bytes.len()) };
        page as usize
    }

    /// What the statics and a freshly grown page hold, and the page's address.
    fn recall() -> String {
        let page = fresh_page();
        let kept: Vec<u8> = MEMO.iter().map(|b| b.load(Ordering::Relaxed)).take_while(|b| *b != 0).collect();
        // SAFETY: as above; a fresh page is readable, and must read as zeros.
        let grown = unsafe { core::slice::from_raw_parts(page, MEMO_LEN) };
        let grown: Vec<u8> = grown.iter().copied().take_while(|b| *b != 0).collect();
        format!("static={};grown@{}={}", String::from_utf8_lossy(&kept), page as usize, String::from_utf8_lossy(&grown))
    }

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
                "spin" => {
                    let rounds: u64 = news.parse().unwrap_or(0);
                    let mut n: u64 = 0;
                    while n < rounds {
                        n = core::hint::black_box(n + 1);
                    }
                    Ok(CheckResult { inputs: news, failures: Vec::new() })
                }
                "lock" => {
                    let _held = lightsail::provider::lock::acquire("test/misbehaving").expect("the lock is taken");
                    Ok(CheckResult { inputs: news, failures: Vec::new() })
                }
                // Returns still holding the lock: the host must release it when the call returns.
                "lock-and-keep" => {
                    core::mem::forget(
                        lightsail::provider::lock::acquire("test/misbehaving").expect("the lock is taken"),
                    );
                    Ok(CheckResult { inputs: news, failures: Vec::new() })
                }
                "lock-and-trap" => {
                    let _held = lightsail::provider::lock::acquire("test/misbehaving").expect("the lock is taken");
                    core::arch::wasm32::unreachable()
                }
                "two-locks" => {
                    let _first =
                        lightsail::provider::lock::acquire("test/misbehaving/first").expect("the lock is taken");
                    let _second = lightsail::provider::lock::acquire("test/misbehaving/second");
                    Ok(CheckResult { inputs: news, failures: Vec::new() })
                }
                "remember" => Ok(CheckResult { inputs: format!("wrote@{}", remember(&news)), failures: Vec::new() }),
                "recall" => Ok(CheckResult { inputs: recall(), failures: Vec::new() }),
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
        fn list(_: String, _: String, _: u32, _: u32, _: Option<String>) -> Result<ListPage, ProviderError> {
            unsupported()
        }
        fn rotate(_: String, _: String, _: Option<String>, _: bool) -> Result<Rotated, ProviderError> {
            unsupported()
        }
    }

    export!(Misbehaving);
}
