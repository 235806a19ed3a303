//! The prototype behind the 1.0 call-shape decision (docs/contract.md#versions): the same work,
//! `imports` calls to `fetch` with a context of `context` bytes kept across them, in the shape the
//! contract has (imports awaited on a fiber) and in the shape it could take (each request handed
//! back to the host with the state, and the work resumed by another export call).

#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "wit", world: "call-shape" });

    use exports::lightsail_prototype::call_shape::shapes::{Guest, Needs, Step};
    use lightsail_prototype::call_shape::api::fetch;

    struct Prototype;

    /// The call's context, as the component would carry it between requests: the imports still
    /// to make, the last answer, and the bytes standing for what a real call keeps (its inputs,
    /// state and outputs as JSON).
    fn state(left: u32, answer: u32, context: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(8 + context.len());
        bytes.extend_from_slice(&left.to_le_bytes());
        bytes.extend_from_slice(&answer.to_le_bytes());
        bytes.extend_from_slice(context);
        bytes
    }

    fn next(left: u32, answer: u32, context: &[u8]) -> Step {
        if left == 0 {
            return Step::Done(answer + context.iter().map(|b| u32::from(*b)).sum::<u32>() % 2);
        }
        Step::Needs(Needs { arg: answer, state: state(left - 1, answer, context) })
    }

    impl Guest for Prototype {
        fn run(imports: u32, context: u32) -> u32 {
            let context = vec![1u8; context as usize];
            let mut answer = 0;
            for _ in 0..imports {
                answer = fetch(answer);
            }
            answer + context.iter().map(|b| u32::from(*b)).sum::<u32>() % 2
        }

        fn start(imports: u32, context: u32) -> Step {
            next(imports, 0, &vec![1u8; context as usize])
        }

        fn resume(state: Vec<u8>, answer: u32) -> Step {
            let left = u32::from_le_bytes(state[0..4].try_into().unwrap());
            next(left, answer, &state[8..])
        }
    }

    export!(Prototype);
}
