//! The WIT's rule for sharing `get-bucket-access-keys`: calls for one bucket and region that are
//! in flight at once share one request, so that an engine reading many keys of a bucket at once
//! (a Terraform refresh) lists the bucket once. Nothing is kept past the answer, and a change of
//! the bucket's keys through this host makes later calls send a request of their own: a shared
//! answer is never older than the call it answers.

use crate::bindings::api;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::watch;

/// A listing's answer, as the import returns it.
pub(crate) type Listing = Result<Vec<api::AccessKey>, api::ApiError>;

/// A bucket's keys' listing, by region and bucket name.
type Bucket = (String, String);

/// A listing in flight: its number, and where its answer will be.
type InFlight = (u64, watch::Receiver<Option<Listing>>);

/// The listings in flight that a call may join.
#[derive(Default)]
pub(crate) struct SharedReads {
    in_flight: Mutex<HashMap<Bucket, InFlight>>,
    next_id: AtomicU64,
}

/// What a call does: send the request and hand its answer on, or wait for the one in flight.
pub(crate) enum Turn<'a> {
    Lead(Lead<'a>),
    Follow(watch::Receiver<Option<Listing>>),
}

/// The call that sends the shared request. Dropped without an answer (its call cancelled), it
/// leaves the bucket to the next call, and those that joined send their own.
pub(crate) struct Lead<'a> {
    reads: &'a SharedReads,
    bucket: Bucket,
    id: u64,
    answer: watch::Sender<Option<Listing>>,
}

impl SharedReads {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Bucket, InFlight>> {
        // Nothing panics while holding it; a poisoned map is still a whole one.
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Joins the listing of `bucket` in flight, or leads a new one.
    pub(crate) fn turn(&self, region: &str, bucket: &str) -> Turn<'_> {
        let key = (region.to_string(), bucket.to_string());
        let mut map = self.map();
        if let Some((_, answer)) = map.get(&key) {
            return Turn::Follow(answer.clone());
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answer, receiver) = watch::channel(None);
        map.insert(key.clone(), (id, receiver));
        Turn::Lead(Lead { reads: self, bucket: key, id, answer })
    }

    /// A change of the bucket's keys begins: no call from now on joins a listing sent before it.
    pub(crate) fn changing(&self, region: &str, bucket: &str) {
        self.map().remove(&(region.to_string(), bucket.to_string()));
    }
}

impl Lead<'_> {
    /// Hands the answer to the calls that joined. It is taken out of the map first, so that no
    /// later call joins an answer that has already come back: they send their own.
    pub(crate) fn answered(self, listing: &Listing) {
        self.leave();
        // Whoever joined did so under the map's lock, before `leave`: a read nobody joined (most
        // of them) makes no copy.
        if self.answer.receiver_count() > 0 {
            self.answer.send_replace(Some(listing.clone()));
        }
    }

    /// Takes this listing out of the map, unless a change already did (and a later call put its
    /// own in its place).
    fn leave(&self) {
        let mut map = self.reads.map();
        if map.get(&self.bucket).is_some_and(|(id, _)| *id == self.id) {
            map.remove(&self.bucket);
        }
    }
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        self.leave();
    }
}

/// The answer of the listing a call joined; `None` when its leader was cancelled first.
pub(crate) async fn joined(mut answer: watch::Receiver<Option<Listing>>) -> Option<Listing> {
    answer.wait_for(Option::is_some).await.ok().and_then(|answer| answer.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Listing {
        Ok((0..n)
            .map(|i| api::AccessKey {
                access_key_id: format!("AKIA{i}"),
                secret_access_key: None,
                status: None,
                created_at: None,
                last_used: None,
            })
            .collect())
    }

    #[tokio::test]
    async fn calls_in_flight_share_one_listing_and_nothing_outlives_it() {
        let reads = SharedReads::default();
        let Turn::Lead(lead) = reads.turn("us-east-1", "b-1") else { panic!("the first call leads") };
        let Turn::Follow(follower) = reads.turn("us-east-1", "b-1") else { panic!("the second joins") };
        assert!(matches!(reads.turn("eu-west-1", "b-1"), Turn::Lead(_)), "another region is another listing");
        lead.answered(&keys(2));
        assert_eq!(joined(follower).await.unwrap().unwrap().len(), 2);
        assert!(matches!(reads.turn("us-east-1", "b-1"), Turn::Lead(_)), "an answer that came back is not kept");
    }

    #[tokio::test]
    async fn a_change_makes_later_calls_send_their_own_and_a_cancelled_leader_frees_its_followers() {
        let reads = SharedReads::default();
        let Turn::Lead(before) = reads.turn("us-east-1", "b-1") else { panic!() };
        reads.changing("us-east-1", "b-1");
        let Turn::Lead(after) = reads.turn("us-east-1", "b-1") else {
            panic!("a listing sent before a change is not joined")
        };
        drop(before);
        let Turn::Follow(follower) = reads.turn("us-east-1", "b-1") else {
            panic!("the later listing is still joined")
        };
        drop(after);
        assert!(joined(follower).await.is_none(), "its leader was cancelled: it sends its own");
    }
}
