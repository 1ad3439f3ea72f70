//! The decision log: each step the optimiser takes, in words a participant can read, tagged with the
//! participants it concerns so each one can be shown their own part.

use serde::Serialize;

/// Which part of the optimiser took a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading the instance: ignored or unmeetable requests.
    Input,
    /// Choosing which pairs meet.
    Selection,
    /// Giving each chosen pair a slot and a table.
    Timetable,
    /// Moving meetings to close idle gaps.
    Gaps,
    /// Keeping a previous schedule in place.
    Reschedule,
}

/// One decision and whom it concerns (empty for decisions about the whole day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub stage: Stage,
    pub participants: Vec<String>,
    pub message: String,
}

/// The decisions of one run, in the order they were taken.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DecisionLog {
    pub entries: Vec<Decision>,
}

impl DecisionLog {
    pub(crate) fn note(&mut self, stage: Stage, participants: Vec<String>, message: String) {
        self.entries.push(Decision {
            stage,
            participants,
            message,
        });
    }

    pub(crate) fn day(&mut self, stage: Stage, message: String) {
        self.note(stage, Vec::new(), message);
    }

    /// The decisions about the whole day and those naming this participant.
    pub fn for_participant<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Decision> + 'a {
        self.entries.iter().filter(move |decision| {
            decision.participants.is_empty() || decision.participants.iter().any(|p| p == id)
        })
    }

    /// Every decision as one line of text.
    pub fn lines(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|decision| decision.message.clone())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
