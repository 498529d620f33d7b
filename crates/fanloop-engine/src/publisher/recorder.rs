//! Group commit of attempt outcomes. Attempts that end together — a burst of posts due
//! at one instant ends in waves — hand their outcomes to one task, which records
//! whatever has queued up in a single transaction while the previous one commits. Each
//! attempt still waits for its own answer, so "recorded" keeps meaning "committed".

use fanloop_store::publishing::{Claimed, Finished, Outcome};
use fanloop_store::{Store, StoreError};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The most outcomes one transaction records; bounds how long it holds the write lock.
const MOST_PER_COMMIT: usize = 256;

struct Entry {
    job: Claimed,
    outcome: Outcome,
    answer: oneshot::Sender<Result<(), StoreError>>,
}

/// The way into the recording task; cheap to clone. The task ends once every clone is
/// dropped and the queue is drained.
#[derive(Clone)]
pub struct Recorder {
    queue: mpsc::UnboundedSender<Entry>,
}

impl Recorder {
    pub fn spawn(store: Store, owner: String) -> (Recorder, JoinHandle<()>) {
        let (queue, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(record(store, owner, rx));
        (Recorder { queue }, task)
    }

    /// Records the outcome of `job`, returning once it is committed (or refused:
    /// `Conflict("lease_lost")` when another instance took the job over).
    pub async fn finish(&self, job: &Claimed, outcome: Outcome) -> Result<(), StoreError> {
        let (answer, answered) = oneshot::channel();
        let entry = Entry {
            job: job.clone(),
            outcome,
            answer,
        };
        if self.queue.send(entry).is_err() {
            return Err(StoreError::Conflict("recorder_stopped"));
        }
        answered
            .await
            .unwrap_or(Err(StoreError::Conflict("recorder_stopped")))
    }
}

async fn record(store: Store, owner: String, mut rx: mpsc::UnboundedReceiver<Entry>) {
    let mut batch = Vec::with_capacity(MOST_PER_COMMIT);
    while rx.recv_many(&mut batch, MOST_PER_COMMIT).await > 0 {
        let items: Vec<Finished<'_>> = batch
            .iter()
            .map(|e| (&e.job, owner.as_str(), &e.outcome))
            .collect();
        let answers = store.finish_jobs(&items).await;
        drop(items);
        for (entry, answer) in batch.drain(..).zip(answers) {
            // The attempt may have been dropped (shutdown); its outcome is recorded anyway.
            let _ = entry.answer.send(answer);
        }
    }
}
