//! The documents the office prints and signs (docs/documents.md): what each
//! shows, read in one transaction with the same read rule as its resource
//! (any signed-in caller reads a pledge, a conference, a decision; a ballot's
//! minutes once its results are visible, E4). Rendering (HTML, DOCX) is the
//! API layer's.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::evaluation::{self, BallotResult};
use super::pledges::{self, PledgeDetail, Unit};
use super::registry::{self, Conference};
use super::titles::{self, Decision};
use crate::auth::Principal;
use crate::db::{self, Db};
use crate::domain::ids::PledgeId;
use crate::error::{AppError, AppResult};

/// The signed pledge (giao ước thi đua).
#[derive(Debug, Clone)]
pub struct PledgeDocument {
    pub bloc_name: String,
    pub detail: PledgeDetail,
    /// The head unit of the term (trưởng khối).
    pub head: Option<Unit>,
    /// The conference it was adopted at (its date is the signing day).
    pub conference: Option<Conference>,
}

/// The ballot minutes (biên bản kiểm phiếu).
#[derive(Debug, Clone)]
pub struct BallotDocument {
    pub bloc_name: String,
    pub head: Option<Unit>,
    pub result: BallotResult,
}

/// One line of a decision's annex (danh sách kèm theo).
#[derive(Debug, Clone, PartialEq)]
pub struct AnnexLine {
    /// The award type's Vietnamese name.
    pub title: String,
    /// `true`: a person; `false`: a collective.
    pub person: bool,
    /// The person's or the collective's name.
    pub name: String,
    /// The person's position, if recorded.
    pub position: Option<String>,
    /// The person's organisation (empty for a collective).
    pub unit: String,
    pub revoked: bool,
}

/// The commendation decision with its annex (quyết định khen thưởng).
#[derive(Debug, Clone)]
pub struct DecisionDocument {
    pub decision: Decision,
    /// Grouped by title in the catalogue's order, then by name.
    pub annex: Vec<AnnexLine>,
}

/// The conference record (biên bản hội nghị).
#[derive(Debug, Clone)]
pub struct ConferenceDocument {
    pub bloc_name: String,
    pub conference: Conference,
    pub host: Option<String>,
    /// Attending organisations, by code: (code, name).
    pub attendees: Vec<(String, String)>,
}

async fn bloc_name(c: &mut db::Conn, bloc_id: Uuid) -> AppResult<String> {
    Ok(db::blocs::get(c, bloc_id)
        .await?
        .ok_or(AppError::not_found("bloc"))?
        .name)
}

pub async fn pledge(db: &Db, id: PledgeId) -> AppResult<PledgeDocument> {
    db.read(async |c| {
        let detail = pledges::detail_in(c, id).await?;
        let bloc_name = bloc_name(c, detail.bloc_id).await?;
        let conference = match detail.pledge.adopted_at_conference_id {
            Some(cid) => Some(registry::conference_in(c, cid).await?),
            None => None,
        };
        let head = db::documents::organizations(c, &[detail.head_id])
            .await?
            .into_iter()
            .next()
            .map(|o| Unit {
                organization_id: o.id.uuid(),
                code: o.code,
                name: o.name,
            });
        Ok(PledgeDocument {
            bloc_name,
            detail,
            head,
            conference,
        })
    })
    .await
}

pub async fn ballot(db: &Db, id: Uuid) -> AppResult<BallotDocument> {
    db.read(async |c| {
        let result = evaluation::result_in(c, id).await?;
        let bloc_name = bloc_name(c, result.bloc_id).await?;
        let head = db::blocs::term(c, result.bloc_id, result.year)
            .await?
            .map(|t| result.unit(t.head_id));
        Ok(BallotDocument {
            bloc_name,
            head,
            result,
        })
    })
    .await
}

pub async fn decision(db: &Db, caller: &Principal, id: Uuid) -> AppResult<DecisionDocument> {
    db.read(async |c| {
        let decision = titles::decision_in(c, caller, id).await?;
        let person_ids: Vec<Uuid> = decision.awards.iter().filter_map(|a| a.person_id).collect();
        let people = db::documents::people(c, &person_ids).await?;
        let mut org_ids: Vec<Uuid> = decision
            .awards
            .iter()
            .filter_map(|a| a.organization_id)
            .collect();
        org_ids.extend(people.iter().map(|p| p.organization_id.uuid()));
        let orgs: HashMap<Uuid, String> = db::documents::organizations(c, &org_ids)
            .await?
            .into_iter()
            .map(|o| (o.id.uuid(), o.name))
            .collect();
        let types = db::titles::award_types(c).await?;
        let mut annex: Vec<(usize, AnnexLine)> = decision
            .awards
            .iter()
            .map(|a| {
                let code = serde_json::to_value(a.award_type)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let (order, title) = types
                    .iter()
                    .enumerate()
                    .find(|(_, t)| t.code == code)
                    .map_or((usize::MAX, code.clone()), |(i, t)| (i, t.name_vi.clone()));
                let line = match a.person_id {
                    Some(pid) => {
                        let p = people.iter().find(|p| p.id.uuid() == pid);
                        AnnexLine {
                            title,
                            person: true,
                            name: p.map(|p| p.full_name.clone()).unwrap_or_default(),
                            position: p.and_then(|p| p.position.clone()),
                            unit: p
                                .and_then(|p| orgs.get(&p.organization_id.uuid()).cloned())
                                .unwrap_or_default(),
                            revoked: a.revoked_at.is_some(),
                        }
                    }
                    None => AnnexLine {
                        title,
                        person: false,
                        name: a
                            .organization_id
                            .and_then(|o| orgs.get(&o).cloned())
                            .unwrap_or_default(),
                        position: None,
                        unit: String::new(),
                        revoked: a.revoked_at.is_some(),
                    },
                };
                (order, line)
            })
            .collect();
        annex.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
        Ok(DecisionDocument {
            decision,
            annex: annex.into_iter().map(|(_, l)| l).collect(),
        })
    })
    .await
}

pub async fn conference(db: &Db, id: Uuid) -> AppResult<ConferenceDocument> {
    db.read(async |c| {
        let conference = registry::conference_in(c, id).await?;
        let bloc_name = bloc_name(c, conference.bloc_id).await?;
        let mut ids = conference.attendee_ids.clone();
        ids.extend(conference.host_organization_id);
        let orgs = db::documents::organizations(c, &ids).await?;
        let host = conference
            .host_organization_id
            .and_then(|h| orgs.iter().find(|o| o.id.uuid() == h))
            .map(|o| o.name.clone());
        let attendees = orgs
            .iter()
            .filter(|o| conference.attendee_ids.contains(&o.id.uuid()))
            .map(|o| (o.code.clone(), o.name.clone()))
            .collect();
        Ok(ConferenceDocument {
            bloc_name,
            conference,
            host,
            attendees,
        })
    })
    .await
}

/// `ngày 01 tháng 4 năm 2021` (Decree 30: days 1–9 and months 1–2 with a
/// leading zero).
pub fn vietnamese_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {} năm {}", d.day(), month, d.year())
}

#[cfg(test)]
mod tests {
    use super::vietnamese_date;
    use chrono::NaiveDate;

    #[test]
    fn decree_30_dates_pad_days_below_ten_and_the_first_two_months() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(vietnamese_date(d(2021, 4, 1)), "ngày 01 tháng 4 năm 2021");
        assert_eq!(vietnamese_date(d(2021, 2, 15)), "ngày 15 tháng 02 năm 2021");
        assert_eq!(
            vietnamese_date(d(2021, 12, 31)),
            "ngày 31 tháng 12 năm 2021"
        );
    }
}
