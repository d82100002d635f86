//! Titles and commendations: the catalogue, rule sets (C0), yearly facts,
//! registrations, the eligibility engine's loading side, proposals,
//! decisions and the award history (C1–C14 and the decision policy live in
//! `domain::titles`). One file per group of actions; each use case returns
//! its read model.

mod awards;
mod decisions;
mod eligibility;
mod facts;
mod loading;
mod proposals;
mod quotas;
mod readers;
mod registrations;
mod rule_sets;

pub use awards::{Award, AwardTypeEntry, HistoryEntry, award_types, history, revoke};
pub use decisions::{Decision, DecisionInput, decide, decision, decision_in, decisions};
pub use eligibility::{Batch, BatchCount, Eligibility, RuleSetRef, check, check_unit};
pub use facts::{
    Facts, FactsInput, InitiativeInput, PersonFacts, YearFacts, put_year_facts, year_facts,
};
pub use proposals::{
    ItemInput, NewProposal, Proposal, ProposalFilter, ProposalItem, ProposalMove, create_proposal,
    proposal, proposal_action, proposals, update_proposal,
};
pub use registrations::{
    Registration, RegistrationFilter, RegistrationInput, SubUnitRegistration, create_registration,
    registration, registrations, set_registration_deadline, update_registration,
};
pub use rule_sets::{
    NewRuleSet, RuleSet, RuleSetInput, create_rule_set, rule_set, rule_sets, update_rule_set,
};
