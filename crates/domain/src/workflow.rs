//! The submission and curation workflow: which status may follow which, and who may move a
//! record along.
//!
//! ```text
//! draft ──▶ submitted ──▶ in_review ──▶ published ──▶ archived
//!              ▲              │              ▲           │
//!              │              ▼              └───────────┘
//!              └──── changes_requested
//! (withdrawn: by the owner, from any status before publication; reopened as a draft)
//! ```

use crate::vocab::Status;

/// The part someone plays towards a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actors {
    /// The record's owner, or an editor of its organisation.
    pub editor: bool,
    /// A curator or admin.
    pub curator: bool,
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a record cannot go from {from} to {to}")]
    NotAllowed { from: Status, to: Status },
    #[error("only {who} may move a record from {from} to {to}")]
    NotYours { from: Status, to: Status, who: &'static str },
    #[error("a comment is required to {what}")]
    CommentRequired { what: &'static str },
}

/// Who may make the step from `from` to `to`: `editor` (the owner or an editor of the
/// organisation) or `curator`.
fn rule(from: Status, to: Status) -> Option<&'static str> {
    use Status::*;
    Some(match (from, to) {
        (Draft, Submitted) => "editor",
        (ChangesRequested, Submitted) => "editor",
        (Submitted, InReview) => "curator",
        (InReview, Published) => "curator",
        (InReview, ChangesRequested) => "curator",
        (Published, Archived) => "curator",
        (Archived, Published) => "curator",
        (Draft | Submitted | InReview | ChangesRequested, Withdrawn) => "editor",
        (Withdrawn, Draft) => "editor",
        _ => return None,
    })
}

/// Checks one transition. A comment is required when asking for changes, so that the submitter
/// knows what to change.
pub fn check(from: Status, to: Status, actors: Actors, comment: Option<&str>) -> Result<(), WorkflowError> {
    let who = rule(from, to).ok_or(WorkflowError::NotAllowed { from, to })?;
    let allowed = match who {
        "editor" => actors.editor,
        _ => actors.curator,
    };
    if !allowed {
        let who = if who == "editor" { "its owner or an editor of its organisation" } else { "a curator" };
        return Err(WorkflowError::NotYours { from, to, who });
    }
    if to == Status::ChangesRequested && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(WorkflowError::CommentRequired { what: "ask for changes" });
    }
    Ok(())
}

/// Every status `from` may move to, for these actors.
pub fn next(from: Status, actors: Actors) -> Vec<Status> {
    Status::ALL.iter().copied().filter(|to| check(from, *to, actors, Some("comment")).is_ok()).collect()
}

/// Statuses in which the owner and organisation editors may change a record's content.
/// (`in_review` is the curator's; `archived` and `withdrawn` are closed.)
pub fn editable_by_editors(status: Status) -> bool {
    matches!(status, Status::Draft | Status::Submitted | Status::ChangesRequested | Status::Published)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    const OWNER: Actors = Actors { editor: true, curator: false };
    const CURATOR: Actors = Actors { editor: false, curator: true };
    const STRANGER: Actors = Actors { editor: false, curator: false };

    #[test]
    fn the_happy_path() {
        assert!(check(Draft, Submitted, OWNER, None).is_ok());
        assert!(check(Submitted, InReview, CURATOR, None).is_ok());
        assert!(check(InReview, ChangesRequested, CURATOR, Some("please add the cost figures")).is_ok());
        assert!(check(ChangesRequested, Submitted, OWNER, None).is_ok());
        assert!(check(InReview, Published, CURATOR, None).is_ok());
        assert!(check(Published, Archived, CURATOR, None).is_ok());
    }

    #[test]
    fn roles_are_enforced() {
        assert!(matches!(check(Submitted, InReview, OWNER, None), Err(WorkflowError::NotYours { .. })));
        assert!(matches!(check(Draft, Submitted, CURATOR, None), Err(WorkflowError::NotYours { .. })));
        assert!(matches!(check(Draft, Submitted, STRANGER, None), Err(WorkflowError::NotYours { .. })));
        assert!(matches!(check(Draft, Published, CURATOR, None), Err(WorkflowError::NotAllowed { .. })));
        assert!(matches!(check(Published, Withdrawn, OWNER, None), Err(WorkflowError::NotAllowed { .. })));
        assert_eq!(
            check(InReview, ChangesRequested, CURATOR, Some("  ")),
            Err(WorkflowError::CommentRequired { what: "ask for changes" })
        );
    }

    #[test]
    fn next_steps() {
        assert_eq!(next(Draft, OWNER), [Submitted, Withdrawn]);
        assert_eq!(next(InReview, CURATOR), [ChangesRequested, Published]);
        let both = Actors { editor: true, curator: true };
        assert_eq!(next(InReview, both), [ChangesRequested, Published, Withdrawn]);
        assert!(next(Withdrawn, CURATOR).is_empty());
    }
}
