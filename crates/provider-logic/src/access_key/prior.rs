//! What `read` and `delete` take from a key's last state: the region it was made in, and its
//! secret if the state is the same key's. Read from the state's text, without building the rest of
//! it (see [`json::string_members`]).

use super::outputs::{self, ACCESS_KEY_ID, ENCRYPTED_SECRET_ACCESS_KEY, KEY_FINGERPRINT, SECRET_ACCESS_KEY, Secret};
use super::{inputs, pgp::PGP_KEY};
use crate::json;
use crate::props::{not_an_object, prior_region};
use crate::types::ProviderError;
use alloc::{borrow::Cow, string::String};

/// The state's members read.
const MEMBERS: [&str; 6] =
    [inputs::REGION, ACCESS_KEY_ID, SECRET_ACCESS_KEY, ENCRYPTED_SECRET_ACCESS_KEY, KEY_FINGERPRINT, PGP_KEY];

/// A key's last state, as far as `read` and `delete` look at it: [`MEMBERS`], where they are strings.
pub struct PriorState<'t>([Option<Cow<'t, str>>; MEMBERS.len()]);

impl<'t> PriorState<'t> {
    /// The state `text`; empty, it holds nothing. Not a JSON object, it is refused as any state is.
    pub fn parse(text: &'t str) -> Result<Self, ProviderError> {
        if text.trim().is_empty() {
            return Ok(Self(Default::default()));
        }
        json::string_members(text, &MEMBERS).map(Self).ok_or_else(|| not_an_object("state", text))
    }

    fn member(&self, name: &str) -> Option<&str> {
        let index = MEMBERS.iter().position(|member| *member == name)?;
        self.0[index].as_deref()
    }

    /// The region the state records, checked.
    pub fn region(&self) -> Result<Option<String>, ProviderError> {
        prior_region(self.member(inputs::REGION))
    }

    /// What the state holds of the secret of `access_key_id`.
    pub fn secret(&self, access_key_id: &str) -> Secret {
        outputs::prior_secret(access_key_id, &|name| self.member(name))
    }
}
