//! The concurrent API an engine uses to run many resources at once: answers come back in order.

mod common;

use common::*;
use lightsail_provider_host::{Answer, Call};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_runs_concurrently_and_answers_in_order() {
    let s = TestEnvironment::new().await;
    let buckets: Vec<String> = (0..40).map(|i| format!("batch-{i:02}")).collect();
    for bucket in &buckets {
        s.bucket(bucket).await;
    }
    let mut calls: Vec<Call> =
        buckets.iter().map(|b| Call::Create { token: TOKEN.into(), inputs: inputs(b), preview: false }).collect();
    calls.push(Call::Check { token: TOKEN.into(), olds: None, news: r#"{"bucketName": "Bad"}"#.into() });
    let answers = s.provider.run_batch(calls, 8).await;
    assert_eq!(answers.len(), 41);
    for (bucket, answer) in buckets.iter().zip(&answers) {
        match answer {
            Ok(Answer::Created(created)) => {
                assert!(created.id.starts_with(&format!("{bucket},AKIA")), "{}", created.id)
            }
            other => panic!("{bucket}: {other:?}"),
        }
    }
    assert!(matches!(&answers[40], Ok(Answer::Checked(c)) if c.failures.len() == 1));

    let deletes = answers[..40]
        .iter()
        .map(|a| match a {
            Ok(Answer::Created(c)) => {
                Call::Delete { token: TOKEN.into(), id: c.id.clone(), state: c.outputs.values.clone() }
            }
            _ => unreachable!(),
        })
        .collect();
    assert!(s.provider.run_batch(deletes, 8).await.iter().all(|a| matches!(a, Ok(Answer::Deleted))));
    assert!(buckets.iter().all(|b| s.keys(b).is_empty()));
}
