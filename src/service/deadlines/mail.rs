//! Reminder mail (D8): where `SMTP_URL` is set, each notice is mailed to
//! the unit's active leaders and officers that have an address, in
//! Vietnamese, as UTF-8 plain text (lettre: RFC 2047 subject, base64 body).
//! Notices are claimed like deliveries (`FOR UPDATE SKIP LOCKED`, a lease),
//! so instances share them; a failed send is tried again when its claim
//! lapses, at most `MAX_ATTEMPTS` times.

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::deadlines::NoticeRow;
use crate::db::{self, Db};
use crate::domain::deadlines::{DeadlineKind, NoticeKind};
use crate::error::AppResult;

/// Sends per notice before it is marked `failed`.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a claim on a notice's mail holds.
const MAIL_LEASE: Duration = Duration::from_secs(60);
/// Notices mailed per round.
const PER_ROUND: i64 = 10;

/// The SMTP transport (from `SMTP_URL`) and the sender (`MAIL_FROM`).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS) or
    /// `smtps://` (TLS), with `user:password@` when the relay needs it.
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let from = from.parse().map_err(|e| format!("MAIL_FROM: {e}"))?;
        Ok(Mailer { transport, from })
    }
}

/// What a unit must do, in the mail's words.
fn task_vi(kind: DeadlineKind, period: &str) -> String {
    match kind {
        DeadlineKind::PledgeSignature => "ký giao ước thi đua".into(),
        DeadlineKind::ProgressReport => format!("báo cáo kết quả thực hiện kỳ {period}"),
        DeadlineKind::Registration => "đăng ký thi đua".into(),
        DeadlineKind::ScoreSheet => "nộp phiếu chấm điểm".into(),
        DeadlineKind::Vote => "bỏ phiếu bầu đơn vị dẫn đầu".into(),
    }
}

/// The subject and body of a notice's mail.
pub fn compose(
    n: &NoticeRow,
    unit: &str,
    bloc: &str,
    year: i32,
    days_left: i64,
) -> (String, String) {
    let task = task_vi(n.kind, &n.period);
    let due = n.due_on.format("%d/%m/%Y");
    let (subject, line) = match n.notice {
        NoticeKind::Reminder => (
            format!("Nhắc hạn: {task} — hạn chót {due}"),
            format!(
                "Đơn vị chưa {task}. Hạn chót là ngày {due} (còn {} ngày).",
                days_left.max(0)
            ),
        ),
        NoticeKind::Missed => (
            format!("Quá hạn: {task} — hạn chót {due}"),
            format!("Đơn vị chưa {task}; hạn chót ngày {due} đã qua."),
        ),
    };
    let body = format!(
        "Kính gửi {unit},\n\n{line}\nKhối thi đua: {bloc}, năm {year}.\n\n\
         Thư này do hệ thống Thi đua – Khen thưởng gửi tự động; xin không trả lời thư này.\n"
    );
    (subject, body)
}

/// One round: claim pending mail, send each, record what came of it. The
/// number of notices mailed.
pub async fn send_round(db: &Db, mailer: &Mailer) -> AppResult<usize> {
    let lease = MAIL_LEASE.as_millis() as i64;
    let claimed = db
        .transaction(async |tx| db::deadlines::claim_mail(tx, PER_ROUND, lease).await)
        .await?;
    let mut sent = 0;
    for n in claimed {
        let error = send_one(db, mailer, &n).await.err();
        sent += usize::from(error.is_none());
        if let Some(e) = &error {
            tracing::warn!(notice = %n.id, error = %e, "reminder mail not sent");
        }
        db.transaction(async |tx| {
            db::deadlines::finish_mail(tx, n.id, error.as_deref(), MAX_ATTEMPTS).await
        })
        .await?;
    }
    Ok(sent)
}

async fn send_one(db: &Db, mailer: &Mailer, n: &NoticeRow) -> Result<(), String> {
    let (unit, bloc, year, to) = db
        .read(async |c| -> db::Result<_> {
            let unit = db::organizations::get(c, n.organization_id.into()).await?;
            let term = db::blocs::term_by_id(c, n.term_id).await?;
            let bloc = match &term {
                Some(t) => db::blocs::get(c, t.bloc_id).await?,
                None => None,
            };
            let to = db::deadlines::officer_addresses(c, n.organization_id).await?;
            Ok((unit, bloc, term.map(|t| t.year), to))
        })
        .await
        .map_err(|e| e.to_string())?;
    if to.is_empty() {
        return Err("no active leader or officer of the unit has an email address".into());
    }
    let unit = unit.map(|u| u.name).unwrap_or_default();
    let bloc = bloc.map(|b| b.name).unwrap_or_default();
    let days_left = (n.due_on - crate::domain::deadlines::today(chrono::Utc::now())).num_days();
    let (subject, body) = compose(n, &unit, &bloc, year.unwrap_or_default(), days_left);
    let mut msg = Message::builder()
        .from(mailer.from.clone())
        .subject(subject);
    for (name, addr) in &to {
        let addr = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
        msg = msg.to(Mailbox::new(Some(name.clone()), addr));
    }
    let part = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(Body::new_with_encoding(body, ContentTransferEncoding::Base64).map_err(|_| "body")?);
    let msg = msg.singlepart(part).map_err(|e| e.to_string())?;
    mailer
        .transport
        .send(msg)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_mail_is_in_vietnamese_and_names_the_task_and_the_date() {
        let n = NoticeRow {
            id: uuid::Uuid::nil(),
            term_id: uuid::Uuid::nil(),
            organization_id: uuid::Uuid::nil(),
            kind: DeadlineKind::ProgressReport,
            period: "Q2".into(),
            due_on: "2026-07-10".parse().unwrap(),
            notice: NoticeKind::Reminder,
            lead_days: 7,
            event_id: None,
            mail_attempts: 0,
        };
        let (s, b) = compose(&n, "Sở Văn hóa", "Khối Văn hóa – Xã hội", 2026, 7);
        assert_eq!(
            s,
            "Nhắc hạn: báo cáo kết quả thực hiện kỳ Q2 — hạn chót 10/07/2026"
        );
        assert!(b.starts_with("Kính gửi Sở Văn hóa,\n\nĐơn vị chưa báo cáo"));
        assert!(b.contains("(còn 7 ngày)"));
        let missed = NoticeRow {
            notice: NoticeKind::Missed,
            lead_days: 0,
            ..n
        };
        assert!(
            compose(&missed, "X", "Y", 2026, -1)
                .0
                .starts_with("Quá hạn: ")
        );
    }
}
