use alloc::{string::String, vec::Vec};
use provider_logic::host::WitImports as Imports;
use provider_logic::wit::exports::lightsail::provider::resource_provider as wit;
use provider_logic::{provider, types};

struct Component;

fn failure(f: types::CheckFailure) -> wit::CheckFailure {
    wit::CheckFailure { property: f.property, reason: f.reason }
}

fn outputs(o: types::Outputs) -> wit::Outputs {
    wit::Outputs { values: o.values, secrets: o.secrets }
}

fn error(e: types::ProviderError) -> wit::ProviderError {
    use types::ProviderError as E;
    match e {
        E::InvalidInput(failures) => wit::ProviderError::InvalidInput(failures.into_iter().map(failure).collect()),
        E::NotFound(what) => wit::ProviderError::NotFound(what),
        E::Api(a) => wit::ProviderError::Api(provider_logic::host::wit_api_error(a)),
        E::NotReady(n) => {
            wit::ProviderError::NotReady(wit::NotReady { id: n.id, outputs: outputs(n.outputs), reason: n.reason })
        }
        E::UnknownType(token) => wit::ProviderError::UnknownType(token),
        E::Unsupported(why) => wit::ProviderError::Unsupported(why),
    }
}

fn read_result(r: types::ReadResult) -> wit::ReadResult {
    wit::ReadResult { id: r.id, inputs: r.inputs, outputs: outputs(r.outputs) }
}

/// Each export holds the allocator's call guard while it runs: see `allocator` for why.
impl wit::Guest for Component {
    fn resource_types() -> Vec<String> {
        let _call = crate::ALLOCATOR.call();
        provider::resource_types()
    }

    fn schema() -> String {
        let _call = crate::ALLOCATOR.call();
        provider::schema()
    }

    fn check(token: String, olds: Option<String>, news: String) -> Result<wit::CheckResult, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        let checked = provider::check(&Imports, &token, olds.as_deref(), &news).map_err(error)?;
        Ok(wit::CheckResult { inputs: checked.inputs, failures: checked.failures.into_iter().map(failure).collect() })
    }

    fn diff(token: String, id: String, olds: String, news: String) -> Result<wit::DiffResult, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        let d = provider::diff(&Imports, &token, &id, &olds, &news).map_err(error)?;
        Ok(wit::DiffResult {
            changes: d.changes,
            diffs: d.diffs,
            replaces: d.replaces,
            delete_before_replace: d.delete_before_replace,
        })
    }

    fn create(token: String, inputs: String, preview: bool) -> Result<wit::Created, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        let created = provider::create(&Imports, &token, &inputs, preview).map_err(error)?;
        Ok(wit::Created { id: created.id, outputs: outputs(created.outputs) })
    }

    fn read(token: String, id: String, state: Option<String>) -> Result<Option<wit::ReadResult>, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        Ok(provider::read(&Imports, &token, &id, state.as_deref()).map_err(error)?.map(read_result))
    }

    fn update(
        token: String,
        id: String,
        olds: String,
        news: String,
        preview: bool,
    ) -> Result<wit::Outputs, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        provider::update(&Imports, &token, &id, &olds, &news, preview).map(outputs).map_err(error)
    }

    fn delete(token: String, id: String, state: String) -> Result<(), wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        provider::delete(&Imports, &token, &id, &state).map_err(error)
    }

    fn import(token: String, id: String) -> Result<wit::ReadResult, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        provider::import(&Imports, &token, &id).map(read_result).map_err(error)
    }

    fn list(
        token: String,
        query: String,
        limit: u32,
        page_size: u32,
        continuation: Option<String>,
    ) -> Result<wit::ListPage, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        let page =
            provider::list(&Imports, &token, &query, limit, page_size, continuation.as_deref()).map_err(error)?;
        Ok(wit::ListPage { items: page.items.into_iter().map(read_result).collect(), continuation: page.continuation })
    }

    fn rotate(
        token: String,
        inputs: String,
        replace: Option<String>,
        preview: bool,
    ) -> Result<wit::Rotated, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        let rotated = provider::rotate(&Imports, &token, &inputs, replace.as_deref(), preview).map_err(error)?;
        let created = wit::Created { id: rotated.created.id, outputs: outputs(rotated.created.outputs) };
        Ok(wit::Rotated { created, deleted: rotated.deleted })
    }
}

provider_logic::wit::export!(Component);
