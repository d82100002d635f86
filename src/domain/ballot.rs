//! Bỏ phiếu kín: the secret ballot for the bloc's leading units (E4).

use uuid::Uuid;

use super::RuleViolation;
use super::text::text_enum;

text_enum! {
    /// `open` or `closed`.
    pub enum BallotStatus {
        Open = "open",
        Closed = "closed",
    }
}

/// E4: may `org` cast these choices? One ballot per member unit, at most
/// `seats` distinct candidates, only while open.
pub fn check_vote(
    open: bool,
    members: &[Uuid],
    voters: &[Uuid],
    candidates: &[Uuid],
    seats: usize,
    org: Uuid,
    choices: &[Uuid],
) -> Result<(), RuleViolation> {
    if !open {
        return Err(RuleViolation::BallotClosed);
    }
    if !members.contains(&org) {
        return Err(RuleViolation::NotAMember);
    }
    if voters.contains(&org) {
        return Err(RuleViolation::AlreadyVoted);
    }
    let mut distinct = choices.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != choices.len() {
        return Err(RuleViolation::InvalidChoices {
            reason: "a candidate is chosen twice",
        });
    }
    if choices.len() > seats {
        return Err(RuleViolation::InvalidChoices {
            reason: "more choices than seats",
        });
    }
    if choices.iter().any(|c| !candidates.contains(c)) {
        return Err(RuleViolation::InvalidChoices {
            reason: "a choice is not a candidate",
        });
    }
    Ok(())
}

/// E4: results are visible once the ballot is closed or every member voted.
pub fn results_visible(open: bool, members: &[Uuid], voters: &[Uuid]) -> bool {
    !open || members.iter().all(|m| voters.contains(m))
}

/// A candidate's count, with its code for ordering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub id: Uuid,
    pub code: String,
    pub votes: usize,
}

/// Ballots naming each candidate.
pub fn tally(candidates: &[(Uuid, String)], papers: &[Vec<Uuid>]) -> Vec<Count> {
    let mut counts: Vec<Count> = candidates
        .iter()
        .map(|(id, code)| Count {
            id: *id,
            code: code.clone(),
            votes: papers.iter().filter(|p| p.contains(id)).count(),
        })
        .collect();
    counts.sort_by(|a, b| b.votes.cmp(&a.votes).then_with(|| a.code.cmp(&b.code)));
    counts
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    /// Elected, best first.
    pub elected: Vec<Count>,
    /// Seats left empty because candidates tied for them.
    pub tied_seats: usize,
    /// Candidates tied at the last seat (none of them elected).
    pub tied: Vec<Count>,
}

/// E4: elected when the ballots naming a candidate exceed `threshold_percent`
/// of the member count (exact: `votes*100 > threshold*members`) and it ranks
/// within the seats. A tie across the last seat elects nobody for it.
pub fn elect(counts: &[Count], members: usize, threshold_percent: u32, seats: usize) -> Election {
    let eligible: Vec<&Count> = counts
        .iter()
        .filter(|c| c.votes * 100 > threshold_percent as usize * members)
        .collect();
    if eligible.len() <= seats {
        return Election {
            elected: eligible.into_iter().cloned().collect(),
            tied_seats: 0,
            tied: Vec::new(),
        };
    }
    let boundary = eligible[seats - 1].votes;
    if eligible[seats].votes < boundary {
        return Election {
            elected: eligible[..seats].iter().map(|c| (*c).clone()).collect(),
            tied_seats: 0,
            tied: Vec::new(),
        };
    }
    let elected: Vec<Count> = eligible
        .iter()
        .filter(|c| c.votes > boundary)
        .map(|c| (*c).clone())
        .collect();
    let tied: Vec<Count> = eligible
        .iter()
        .filter(|c| c.votes == boundary)
        .map(|c| (*c).clone())
        .collect();
    Election {
        tied_seats: seats - elected.len(),
        elected,
        tied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e4_a_ballot_is_open_or_closed_and_nothing_else() {
        assert_eq!("closed".parse::<BallotStatus>(), Ok(BallotStatus::Closed));
        assert!("counting".parse::<BallotStatus>().is_err());
    }

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    #[test]
    fn e4_one_ballot_per_member_for_at_most_k_candidates() {
        let m = ids(3);
        assert!(check_vote(true, &m, &[], &m, 1, m[0], &[m[1]]).is_ok());
        assert_eq!(
            check_vote(true, &m, &[m[0]], &m, 1, m[0], &[m[1]]),
            Err(RuleViolation::AlreadyVoted)
        );
        assert!(matches!(
            check_vote(true, &m, &[], &m, 1, m[0], &[m[1], m[2]]),
            Err(RuleViolation::InvalidChoices { .. })
        ));
        assert_eq!(
            check_vote(true, &m, &[], &m, 1, Uuid::now_v7(), &[m[1]]),
            Err(RuleViolation::NotAMember)
        );
        assert_eq!(
            check_vote(false, &m, &[], &m, 1, m[0], &[m[1]]),
            Err(RuleViolation::BallotClosed)
        );
        assert!(
            check_vote(true, &m, &[], &m, 2, m[0], &[]).is_ok(),
            "a blank ballot is a ballot"
        );
    }

    #[test]
    fn e4_results_hidden_until_closed_or_all_voted() {
        let m = ids(2);
        assert!(!results_visible(true, &m, &[m[0]]));
        assert!(results_visible(true, &m, &[m[1], m[0]]));
        assert!(results_visible(false, &m, &[]));
    }

    fn count(code: &str, votes: usize) -> Count {
        Count {
            id: Uuid::now_v7(),
            code: code.into(),
            votes,
        }
    }

    #[test]
    fn e4_elected_needs_more_than_the_threshold_share_and_a_seat() {
        // 9 members: more than half is 5 votes.
        let c = vec![count("A", 5), count("B", 4)];
        assert_eq!(elect(&c, 9, 50, 1).elected, vec![c[0].clone()]);
        let c = vec![count("A", 4), count("B", 4)];
        assert!(
            elect(&c, 8, 50, 1).elected.is_empty(),
            "4 of 8 is not more than half"
        );
        let c = vec![count("A", 7), count("B", 6), count("C", 5)];
        assert_eq!(elect(&c, 9, 50, 2).elected.len(), 2);
    }

    #[test]
    fn e4_a_tie_at_the_last_seat_elects_nobody_for_it() {
        let c = vec![count("A", 8), count("B", 6), count("C", 6)];
        let e = elect(&c, 9, 50, 2);
        assert_eq!(e.elected, vec![c[0].clone()]);
        assert_eq!(e.tied_seats, 1);
        assert_eq!(e.tied.len(), 2);
        let e = elect(&c[1..], 9, 50, 1);
        assert!(e.elected.is_empty());
        assert_eq!(e.tied_seats, 1);
    }

    #[test]
    fn e4_tally_counts_papers_naming_each_candidate() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let t = tally(
            &[(a, "A".into()), (b, "B".into())],
            &[vec![a], vec![a, b], vec![]],
        );
        assert_eq!((t[0].code.as_str(), t[0].votes, t[1].votes), ("A", 2, 1));
    }
}
