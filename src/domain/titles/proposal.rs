//! The proposal's state machine: `draft → submitted → returned (with
//! reason) → submitted … → approved | rejected`, and `approved → decided`
//! by a decision that awards every item.

use crate::domain::RuleViolation;
use crate::domain::text::text_enum;

text_enum! {
    // Where a proposal stands (no doc comment: the published schema has no
    // description).
    pub enum ProposalStatus {
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Approved = "approved",
        Rejected = "rejected",
        Decided = "decided",
    }
}

text_enum! {
    /// What is done to a proposal: the proposer edits and submits it, the
    /// board returns, approves or rejects it, a decision awards it.
    pub enum ProposalAction {
        Edit = "edit",
        Submit = "submit",
        Return = "return",
        Approve = "approve",
        Reject = "reject",
        Decide = "decide",
    }
}

text_enum! {
    // The emulation council's outcome on a submitted proposal (no doc
    // comment: the published schema has no description).
    pub enum CouncilOutcome { Approved = "approved", Rejected = "rejected" }
}

impl CouncilOutcome {
    /// The proposal action the outcome is.
    pub fn action(self) -> ProposalAction {
        match self {
            CouncilOutcome::Approved => ProposalAction::Approve,
            CouncilOutcome::Rejected => ProposalAction::Reject,
        }
    }
}

impl ProposalAction {
    /// Only the proposer edits and submits; the board does the rest.
    pub fn by_proposer(self) -> bool {
        matches!(self, ProposalAction::Edit | ProposalAction::Submit)
    }

    /// The audit trail's action for a move of the state machine.
    pub fn audit_action(self) -> &'static str {
        match self {
            ProposalAction::Edit => "proposal.updated",
            ProposalAction::Submit => "proposal.submitted",
            ProposalAction::Return => "proposal.returned",
            ProposalAction::Approve => "proposal.approved",
            ProposalAction::Reject => "proposal.rejected",
            ProposalAction::Decide => "proposal.decided",
        }
    }
}

impl ProposalStatus {
    /// The status `action` moves a proposal in this status to, or the
    /// refusal (`invalid_transition`). Editing keeps the status; deciding
    /// needs an approved proposal (`decided` once every item is awarded).
    pub fn after(self, action: ProposalAction) -> Result<ProposalStatus, RuleViolation> {
        use ProposalAction as A;
        use ProposalStatus as S;
        match (action, self) {
            (A::Edit, S::Draft | S::Returned) => Ok(self),
            (A::Submit, S::Draft | S::Returned) => Ok(S::Submitted),
            (A::Return, S::Submitted) => Ok(S::Returned),
            (A::Approve, S::Submitted) => Ok(S::Approved),
            (A::Reject, S::Submitted) => Ok(S::Rejected),
            (A::Decide, S::Approved) => Ok(S::Decided),
            _ => Err(RuleViolation::ProposalTransition { from: self, action }),
        }
    }

    /// Counted against the proposer's quotas (C4, C8 caps).
    pub fn live(self) -> bool {
        matches!(self, ProposalStatus::Submitted | ProposalStatus::Approved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProposalAction as A;
    use ProposalStatus as S;

    #[test]
    fn proposal_flow_a_draft_or_returned_proposal_is_edited_and_submitted() {
        for from in [S::Draft, S::Returned] {
            assert_eq!(from.after(A::Edit), Ok(from));
            assert_eq!(from.after(A::Submit), Ok(S::Submitted));
        }
    }

    #[test]
    fn proposal_flow_only_a_submitted_proposal_is_returned_approved_or_rejected() {
        assert_eq!(S::Submitted.after(A::Return), Ok(S::Returned));
        assert_eq!(S::Submitted.after(A::Approve), Ok(S::Approved));
        assert_eq!(S::Submitted.after(A::Reject), Ok(S::Rejected));
        for from in [S::Draft, S::Returned, S::Approved, S::Rejected, S::Decided] {
            for action in [A::Return, A::Approve, A::Reject] {
                assert_eq!(
                    from.after(action),
                    Err(RuleViolation::ProposalTransition { from, action })
                );
            }
        }
    }

    #[test]
    fn proposal_flow_only_an_approved_proposal_is_decided_and_a_decided_one_never_moves() {
        assert_eq!(S::Approved.after(A::Decide), Ok(S::Decided));
        for &action in ProposalAction::ALL {
            assert!(S::Decided.after(action).is_err(), "{action}");
            assert!(S::Rejected.after(action).is_err(), "{action}");
        }
        assert!(S::Submitted.after(A::Edit).is_err());
        assert!(S::Submitted.after(A::Decide).is_err());
    }

    #[test]
    fn council_outcomes_are_the_board_s_actions() {
        assert_eq!(CouncilOutcome::Approved.action(), A::Approve);
        assert_eq!(CouncilOutcome::Rejected.action(), A::Reject);
        assert!(!A::Approve.by_proposer() && A::Submit.by_proposer());
    }
}
