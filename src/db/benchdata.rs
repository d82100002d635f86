//! Bulk SQL for the benchmark data sets (`thidua seed bench`): organisations,
//! staff, blocs, yearly terms, pledges with items, targets, signatures and
//! quarterly reports, bench users, and the audit trail and change feed.
//!
//! Everything is derived from the seed through md5, so the same seed gives
//! the same rows (ids, names, values, timestamps) on every run. Rows go in
//! with plain INSERTs, so every constraint and trigger applies: audit rows
//! pass the hash-chain trigger one batch at a time, so the chain verifies.

use diesel::sql_types::Text;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use super::Conn;
use super::Result;

/// The shape of one data set.
#[derive(Debug, Clone)]
pub struct Shape {
    pub seed: u64,
    pub units: i64,
    pub blocs: i64,
    pub staff: i64,
    /// Years of pledges, ending with `last_year`.
    pub years: i64,
    pub last_year: i32,
    /// The audit trail is padded with staff history up to this many rows.
    pub audit_rows: i64,
}

/// Rows per audit batch (one statement and one commit each).
pub const AUDIT_BATCH: i64 = 50_000;

/// Vietnamese surnames (Nguyễn is drawn separately, for about 38%).
const SURNAMES: &str =
    "'Trần','Lê','Phạm','Hoàng','Huỳnh','Phan','Vũ','Võ','Đặng','Bùi','Đỗ','Hồ','Ngô','Dương','Lý'";
const MIDDLE: &str = "'Văn','Thị','Hữu','Đức','Minh','Thanh','Quốc','Ngọc','Xuân','Hoài'";
const GIVEN: &str = "'An','Bình','Cường','Dũng','Giang','Hà','Hải','Hạnh','Hiếu','Hoa','Hùng','Hương','Khánh','Lan','Linh','Long','Mai','Nam','Ngân','Phúc','Quân','Sơn','Tâm','Thảo','Trang','Tuấn','Vân','Yến'";
const POSITIONS: &str = "'Chuyên viên','Chuyên viên chính','Phó Trưởng phòng','Trưởng phòng','Kế toán','Văn thư','Cán sự','Nhân viên'";
const UNIT_NAMES: &str = "'Sở Nội vụ','Sở Tài chính','Sở Y tế','Sở Giáo dục và Đào tạo','Sở Văn hóa, Thể thao và Du lịch','Ban Quản lý dự án','Trung tâm Phát triển quỹ đất','Đài Phát thanh và Truyền hình','Vườn quốc gia','Ban Dân tộc'";
const UNIT_KINDS: &str = "'department','department','department','department','department','board','other','broadcaster','national_park','committee'";

/// Is the database empty of registry data (the generator only fills an
/// empty database, so that its rows and the audit chain are reproducible)?
pub async fn is_empty(c: &mut Conn) -> Result<bool> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        empty: bool,
    }
    let n: N = diesel::sql_query(
        "SELECT NOT EXISTS (SELECT 1 FROM organizations)
            AND NOT EXISTS (SELECT 1 FROM audit_log) AS empty",
    )
    .get_result(c)
    .await?;
    Ok(n.empty)
}

/// No statement timeout for the bulk load, and session helpers: `bid(key)` a uuid and `bh(key)` a non-negative int, both
/// md5 of the seed and the key.
pub async fn prepare(c: &mut Conn, s: &Shape) -> Result<()> {
    let seed = s.seed;
    c.batch_execute(&format!(
        "SET statement_timeout = 0; SET lock_timeout = 0;
         CREATE FUNCTION pg_temp.bid(k text) RETURNS uuid LANGUAGE sql IMMUTABLE AS
             $$ SELECT md5('{seed}:' || k)::uuid $$;
         CREATE FUNCTION pg_temp.bh(k text) RETURNS int LANGUAGE sql IMMUTABLE AS
             $$ SELECT ('x' || substr(md5('{seed}#' || k), 1, 7))::bit(28)::int $$;"
    ))
    .await?;
    Ok(())
}

/// The registry: the emulation board, units, staff, blocs, and each bloc's
/// term per year (unit n belongs to bloc (n-1) % blocs + 1; the head rotates).
pub async fn registry(c: &mut Conn, s: &Shape) -> Result<()> {
    let (units, blocs, staff) = (s.units, s.blocs, s.staff);
    let per_bloc = units / blocs;
    let first = s.last_year as i64 - s.years + 1;
    let last = s.last_year;
    c.batch_execute(&format!(
        "INSERT INTO organizations (id, code, name, short_name, kind, created_at, updated_at)
         VALUES (pg_temp.bid('org:0'), 'BTDKT', 'Ban Thi đua - Khen thưởng tỉnh', 'BTĐKT', 'board',
                 make_timestamptz({first}, 1, 2, 1, 0, 0, 'UTC'), make_timestamptz({first}, 1, 2, 1, 0, 0, 'UTC'));
         INSERT INTO organizations (id, code, name, short_name, kind, created_at, updated_at)
         SELECT pg_temp.bid('org:' || n), 'BU' || lpad(n::text, 4, '0'),
                (ARRAY[{UNIT_NAMES}])[1 + n % 10] || ' số ' || n,
                'ĐV' || n,
                (ARRAY[{UNIT_KINDS}])[1 + n % 10],
                make_timestamptz({first}, 1, 2, 2, 0, 0, 'UTC') + n * interval '1 second',
                make_timestamptz({first}, 1, 2, 2, 0, 0, 'UTC') + n * interval '1 second'
           FROM generate_series(1, {units}) n;

         INSERT INTO people (id, full_name, organization_id, position, category, gender,
                             employment_start, created_at, updated_at)
         SELECT pg_temp.bid('person:' || g),
                concat_ws(' ',
                    CASE WHEN pg_temp.bh('ps:' || g) % 100 < 38 THEN 'Nguyễn'
                         ELSE (ARRAY[{SURNAMES}])[1 + pg_temp.bh('pt:' || g) % 15] END,
                    (ARRAY[{MIDDLE}])[1 + pg_temp.bh('pm:' || g) % 10],
                    (ARRAY[{GIVEN}])[1 + pg_temp.bh('pg:' || g) % 28]),
                pg_temp.bid('org:' || ((g - 1) % {units} + 1)),
                (ARRAY[{POSITIONS}])[1 + pg_temp.bh('pp:' || g) % 8],
                (ARRAY['can_bo', 'cong_chuc', 'vien_chuc', 'nguoi_lao_dong'])[1 + pg_temp.bh('pc:' || g) % 4],
                CASE WHEN pg_temp.bh('pm:' || g) % 10 = 1 THEN 'female'
                     WHEN pg_temp.bh('px:' || g) % 2 = 0 THEN 'female' ELSE 'male' END,
                DATE '1985-01-01' + pg_temp.bh('pe:' || g) % 13000,
                make_timestamptz({first}, 1, 3, 0, 0, 0, 'UTC') + g * interval '10 seconds',
                make_timestamptz({first}, 1, 3, 0, 0, 0, 'UTC') + g * interval '10 seconds'
           FROM generate_series(1, {staff}) g;

         INSERT INTO blocs (id, code, name, kind, description, created_at, updated_at)
         SELECT pg_temp.bid('bloc:' || b), 'BK' || lpad(b::text, 3, '0'),
                CASE WHEN b % 2 = 1 THEN 'Khối thi đua số ' ELSE 'Cụm thi đua số ' END || b,
                CASE WHEN b % 2 = 1 THEN 'khoi' ELSE 'cum' END,
                'Khối/cụm thi đua sinh ra cho phép đo hiệu năng',
                make_timestamptz({first}, 1, 4, 0, 0, 0, 'UTC'), make_timestamptz({first}, 1, 4, 0, 0, 0, 'UTC')
           FROM generate_series(1, {blocs}) b;

         INSERT INTO bloc_terms (id, bloc_id, year, head_id, deputy_id, reporting_cutoff, frozen_at,
                                 created_at, updated_at)
         SELECT pg_temp.bid('term:' || b || ':' || y), pg_temp.bid('bloc:' || b), y,
                pg_temp.bid('org:' || (b + {blocs} * (y % {per_bloc}))),
                pg_temp.bid('org:' || (b + {blocs} * ((y + 1) % {per_bloc}))),
                CASE WHEN y < {last} THEN make_date(y, 12, 15) ELSE make_date(y + 1, 3, 31) END,
                make_timestamptz(y, 1, 15, 2, 0, 0, 'UTC'),
                make_timestamptz(y, 1, 5, 2, 0, 0, 'UTC'), make_timestamptz(y, 1, 15, 2, 0, 0, 'UTC')
           FROM generate_series(1, {blocs}) b, generate_series({first}, {last}) y;

         INSERT INTO term_members (term_id, year, organization_id)
         SELECT pg_temp.bid('term:' || b || ':' || y), y, pg_temp.bid('org:' || (b + {blocs} * k))
           FROM generate_series(1, {blocs}) b, generate_series({first}, {last}) y,
                generate_series(0, {per_bloc} - 1) k;"
    ))
    .await?;
    Ok(())
}

/// Pledges: one per term, in force for the last year and closed before it;
/// four items of three targets (percentage, count, boolean), every member's
/// signature, and each member's quarterly report on every target.
pub async fn pledges(c: &mut Conn, s: &Shape) -> Result<()> {
    let (blocs, per_bloc) = (s.blocs, s.units / s.blocs);
    let first = s.last_year as i64 - s.years + 1;
    let last = s.last_year;
    c.batch_execute(&format!(
        "CREATE TEMP TABLE bench_pledge AS
         SELECT b, y, pg_temp.bid('pledge:' || b || ':' || y) AS id
           FROM generate_series(1, {blocs}) b, generate_series({first}, {last}) y;

         INSERT INTO pledges (id, term_id, title, theme, status, opened_at, in_force_at, closed_at,
                              created_at, updated_at)
         SELECT id, pg_temp.bid('term:' || b || ':' || y),
                'Giao ước thi đua năm ' || y || ' của ' ||
                    CASE WHEN b % 2 = 1 THEN 'Khối thi đua số ' ELSE 'Cụm thi đua số ' END || b,
                'Đoàn kết, kỷ cương, sáng tạo, hoàn thành xuất sắc nhiệm vụ năm ' || y,
                CASE WHEN y < {last} THEN 'closed' ELSE 'in_force' END,
                make_timestamptz(y, 1, 15, 2, 0, 0, 'UTC'),
                make_timestamptz(y, 1, 20, 7, 0, 0, 'UTC'),
                CASE WHEN y < {last} THEN make_timestamptz(y + 1, 1, 10, 2, 0, 0, 'UTC') END,
                make_timestamptz(y, 1, 10, 2, 0, 0, 'UTC'),
                make_timestamptz(y, 1, 20, 7, 0, 0, 'UTC')
           FROM bench_pledge;

         INSERT INTO pledge_items (id, pledge_id, position, text)
         SELECT pg_temp.bid('item:' || b || ':' || y || ':' || i), id, i,
                (ARRAY['Thực hiện tốt chủ trương, chính sách của Đảng, pháp luật của Nhà nước',
                       'Hoàn thành xuất sắc nhiệm vụ chính trị được giao',
                       'Đẩy mạnh cải cách hành chính, chuyển đổi số',
                       'Xây dựng cơ quan, đơn vị văn hóa'])[i + 1]
           FROM bench_pledge, generate_series(0, 3) i;

         INSERT INTO pledge_targets (id, pledge_id, item_id, position, kind, subject, label,
                                     comparator, target_value, weight)
         SELECT pg_temp.bid('target:' || b || ':' || y || ':' || i || ':' || j), id,
                pg_temp.bid('item:' || b || ':' || y || ':' || i), j,
                (ARRAY['percentage', 'count', 'boolean'])[j + 1],
                (ARRAY['staff', 'organisations', 'unit'])[j + 1],
                (ARRAY['Tỷ lệ cán bộ hoàn thành tốt nhiệm vụ', 'Số sáng kiến được công nhận',
                       'Hoàn thành kế hoạch năm'])[j + 1] || ' (mục ' || (i + 1) || ')',
                CASE WHEN j = 0 THEN 'gte' WHEN j = 1 THEN 'gte' ELSE 'eq' END,
                CASE WHEN j = 0 THEN 80 + i * 5 WHEN j = 1 THEN 2 + i ELSE 1 END,
                10
           FROM bench_pledge, generate_series(0, 3) i, generate_series(0, 2) j;

         INSERT INTO pledge_signatures (id, pledge_id, organization_id, signer_name, signer_position,
                                        signed_at, recorded_at, on_behalf)
         SELECT pg_temp.bid('sig:' || b || ':' || y || ':' || k), id,
                pg_temp.bid('org:' || (b + {blocs} * k)),
                'Lãnh đạo đơn vị số ' || (b + {blocs} * k), 'Thủ trưởng đơn vị',
                make_timestamptz(y, 1, 20, 7, 0, 0, 'UTC') - (({per_bloc} - k) * interval '1 minute'),
                make_timestamptz(y, 1, 20, 7, 0, 0, 'UTC') - (({per_bloc} - k) * interval '1 minute'),
                true
           FROM bench_pledge, generate_series(0, {per_bloc} - 1) k;

         INSERT INTO progress_reports (id, pledge_id, target_id, organization_id, period,
                                       numerator, denominator, count_value, done, note,
                                       reported_at, on_behalf)
         SELECT pg_temp.bid(key), p.id,
                pg_temp.bid('target:' || p.b || ':' || p.y || ':' || i || ':' || j),
                pg_temp.bid('org:' || (p.b + {blocs} * k)),
                'Q' || q,
                CASE WHEN j = 0 THEN 20 + pg_temp.bh(key) % 21 END,
                CASE WHEN j = 0 THEN 40 END,
                CASE WHEN j = 1 THEN pg_temp.bh(key) % 8 END,
                CASE WHEN j = 2 THEN pg_temp.bh(key) % 3 <> 0 END,
                'Báo cáo quý ' || q,
                make_timestamptz(p.y, q * 3, 25, 3, 0, 0, 'UTC') + k * interval '1 minute',
                true
           FROM bench_pledge p, generate_series(0, 3) i, generate_series(0, 2) j,
                generate_series(0, {per_bloc} - 1) k, generate_series(1, 4) q,
                LATERAL (SELECT 'report:' || p.b || ':' || p.y || ':' || i || ':' || j || ':' || k || ':' || q AS key) kk;"
    ))
    .await?;
    Ok(())
}

/// Bench users, all with one password: `bench.admin` (the board) and an
/// officer `bench.buNNNN` per unit.
pub async fn users(c: &mut Conn, s: &Shape, password_hash: &str) -> Result<()> {
    let units = s.units;
    let first = s.last_year as i64 - s.years + 1;
    diesel::sql_query(format!(
        "INSERT INTO users (id, username, full_name, organization_id, roles, password_hash, created_at, updated_at)
         SELECT pg_temp.bid('user:0'), 'bench.admin', 'Quản trị (đo hiệu năng)', pg_temp.bid('org:0'),
                ARRAY['admin'], $1, make_timestamptz({first}, 1, 2, 0, 0, 0, 'UTC'),
                make_timestamptz({first}, 1, 2, 0, 0, 0, 'UTC')
         UNION ALL
         SELECT pg_temp.bid('user:' || n), 'bench.bu' || lpad(n::text, 4, '0'),
                'Cán bộ thi đua đơn vị số ' || n, pg_temp.bid('org:' || n), ARRAY['officer'], $1,
                make_timestamptz({first}, 1, 2, 3, 0, 0, 'UTC'), make_timestamptz({first}, 1, 2, 3, 0, 0, 'UTC')
           FROM generate_series(1, {units}) n"
    ))
    .bind::<Text, _>(password_hash)
    .execute(c)
    .await?;
    Ok(())
}

/// Stage the audit trail in time order: one row per created organisation,
/// person, user, bloc, term and pledge, per signature and per quarterly
/// report batch, then staff history (`person.updated`, a change of
/// position) spread over the years until there are `audit_rows` rows.
/// Returns the number of staged rows.
pub async fn stage_audit(c: &mut Conn, s: &Shape) -> Result<i64> {
    let first = s.last_year as i64 - s.years + 1;
    c.batch_execute(&format!(
        "CREATE TEMP TABLE bench_audit_raw AS
         SELECT created_at AS at, 'organization.created' AS action, 'organization' AS entity, id::text AS entity_id,
                id AS org, NULL::jsonb AS before, jsonb_build_object('code', code, 'name', name, 'kind', kind) AS after
           FROM organizations
         UNION ALL
         SELECT created_at, 'person.created', 'person', id::text, organization_id, NULL,
                jsonb_build_object('fullName', full_name, 'position', position, 'category', category)
           FROM people
         UNION ALL
         SELECT created_at, 'user.created', 'user', id::text, organization_id, NULL,
                jsonb_build_object('username', username, 'roles', to_jsonb(roles))
           FROM users
         UNION ALL
         SELECT created_at, 'bloc.created', 'bloc', id::text, NULL, NULL,
                jsonb_build_object('code', code, 'name', name, 'kind', kind)
           FROM blocs
         UNION ALL
         SELECT t.created_at, 'term.created', 'term', t.id::text, NULL, NULL,
                jsonb_build_object('blocId', t.bloc_id, 'year', t.year, 'headId', t.head_id)
           FROM bloc_terms t
         UNION ALL
         SELECT created_at, 'pledge.created', 'pledge', id::text, NULL, NULL,
                jsonb_build_object('title', title, 'status', 'draft')
           FROM pledges
         UNION ALL
         SELECT s.recorded_at, 'pledge.signed', 'pledge', s.pledge_id::text, s.organization_id, NULL,
                jsonb_build_object('organizationId', s.organization_id, 'signerName', s.signer_name)
           FROM pledge_signatures s
         UNION ALL
         SELECT in_force_at + interval '1 second', 'pledge.in_force', 'pledge', id::text, NULL, NULL,
                jsonb_build_object('status', 'in_force')
           FROM pledges
         UNION ALL
         SELECT min(r.reported_at), 'progress.reported', 'pledge', r.pledge_id::text, r.organization_id, NULL,
                jsonb_build_object('organizationId', r.organization_id, 'period', r.period,
                                   'reports', jsonb_agg(jsonb_build_object('id', r.id, 'targetId', r.target_id)
                                                        ORDER BY r.target_id))
           FROM progress_reports r
          GROUP BY r.pledge_id, r.organization_id, r.period;

         INSERT INTO bench_audit_raw
         SELECT make_timestamptz({first}, 2, 1, 0, 0, 0, 'UTC')
                    + (g::float8 / greatest(f.n, 1)) * (make_timestamptz({last}, 11, 1, 0, 0, 0, 'UTC')
                                                       - make_timestamptz({first}, 2, 1, 0, 0, 0, 'UTC')),
                'person.updated', 'person', pg_temp.bid('person:' || p)::text,
                pg_temp.bid('org:' || ((p - 1) % {units} + 1)),
                jsonb_build_object('position', (ARRAY[{POSITIONS}])[1 + (pg_temp.bh('pp:' || p) + g - 1) % 8]),
                jsonb_build_object('position', (ARRAY[{POSITIONS}])[1 + (pg_temp.bh('pp:' || p) + g) % 8])
           FROM (SELECT greatest({audit_rows} - (SELECT count(*) FROM bench_audit_raw), 0) AS n) f,
                generate_series(1, f.n) g,
                LATERAL (SELECT (g - 1) % {staff} + 1 AS p) pp;

         CREATE TEMP TABLE bench_audit AS
         SELECT row_number() OVER (ORDER BY at, action, entity_id, after::text) AS n, *
           FROM bench_audit_raw;
         CREATE UNIQUE INDEX ON bench_audit (n);
         DROP TABLE bench_audit_raw;",
        units = s.units,
        last = s.last_year,
        audit_rows = s.audit_rows,
        staff = s.staff.max(1),
    ))
    .await?;
    count(c, "SELECT count(*) AS n FROM bench_audit").await
}

/// Append staged rows `lo..=hi` to the audit trail, each with its change
/// event (the same statement shape as `audit::append`, many rows at once).
pub async fn append_audit(c: &mut Conn, lo: i64, hi: i64) -> Result<()> {
    c.batch_execute(&format!(
        "WITH a AS (
             INSERT INTO audit_log (occurred_at, actor_kind, actor_id, actor_name, organization_id,
                                    action, entity, entity_id, before, after, request_id)
             SELECT at, 'system', NULL, 'system', org, action, entity, entity_id, before, after,
                    'bench-' || n
               FROM bench_audit WHERE n BETWEEN {lo} AND {hi} ORDER BY n
             RETURNING occurred_at, action, entity, entity_id, organization_id, after)
         INSERT INTO events (type, entity, entity_id, occurred_at, actor_id, organization_id, data)
         SELECT action, entity, entity_id, occurred_at, NULL, organization_id, coalesce(after, '{{}}'::jsonb)
           FROM a ORDER BY occurred_at"
    ))
    .await?;
    Ok(())
}

/// The award history: one decision per year, and for every member of staff
/// every year an LĐTT and a Giấy khen, and a CSTĐCS for about one in five —
/// 1.1 million awards at L. The rows pass the C1 unique indexes.
pub async fn awards(c: &mut Conn, s: &Shape) -> Result<()> {
    let (staff, last) = (s.staff, s.last_year);
    let first = s.last_year as i64 - s.years + 1;
    c.batch_execute(&format!(
        "INSERT INTO decisions (id, number, decided_on, signer, issuing_body, year, rule_set_id, created_at)
         SELECT pg_temp.bid('decision:' || y), y || '/QĐ-UBND', make_date(y + 1, 1, 20),
                'Chủ tịch UBND tỉnh', 'Ủy ban nhân dân tỉnh', y,
                (SELECT r.id FROM rule_sets r
                  WHERE r.effective_from <= make_date(y, 12, 31)
                    AND (r.effective_to IS NULL OR r.effective_to >= make_date(y, 12, 31))
                  ORDER BY r.scope DESC, r.effective_from DESC, r.version DESC LIMIT 1),
                make_timestamptz(y + 1, 1, 20, 8, 0, 0, 'UTC')
           FROM generate_series({first}, {last}) y;

         INSERT INTO awards (id, award_type, person_id, year, decision_id, eligibility, created_at)
         SELECT pg_temp.bid('award:' || k.t || ':' || g || ':' || y), k.t, pg_temp.bid('person:' || g), y,
                pg_temp.bid('decision:' || y), '{{\"eligible\": true, \"checks\": []}}'::jsonb,
                make_timestamptz(y + 1, 1, 20, 8, 0, 0, 'UTC')
           FROM generate_series(1, {staff}) g
          CROSS JOIN generate_series({first}, {last}) y
          CROSS JOIN (VALUES ('ldtt'), ('giay_khen'), ('cstdcs')) AS k(t)
          WHERE k.t <> 'cstdcs' OR pg_temp.bh('cs:' || g || ':' || y) % 5 = 0;"
    ))
    .await?;
    Ok(())
}

/// `ANALYZE` after the bulk load, so that plans see the real sizes.
pub async fn analyze(c: &mut Conn) -> Result<()> {
    c.batch_execute("ANALYZE").await?;
    Ok(())
}

pub async fn count(c: &mut Conn, sql: &str) -> Result<i64> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query(sql).get_result(c).await?;
    Ok(n.n)
}

pub async fn begin(c: &mut Conn) -> Result<()> {
    c.batch_execute("BEGIN").await?;
    Ok(())
}

pub async fn commit(c: &mut Conn) -> Result<()> {
    c.batch_execute("COMMIT").await?;
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Member {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    code: String,
}

/// The member units (id, code) of every pledge in force.
pub async fn in_force_members(c: &mut Conn) -> Result<Vec<(uuid::Uuid, String)>> {
    let rows: Vec<Member> = diesel::sql_query(
        "SELECT DISTINCT o.id, o.code
           FROM pledges p JOIN term_members m ON m.term_id = p.term_id
           JOIN organizations o ON o.id = m.organization_id
          WHERE p.status = 'in_force' ORDER BY o.code",
    )
    .load(c)
    .await?;
    Ok(rows.into_iter().map(|m| (m.id, m.code)).collect())
}

#[derive(diesel::QueryableByName)]
struct TermKey {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    bloc_id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    year: i32,
}

/// (bloc, year) of every term whose pledge is in force.
pub async fn in_force_terms(c: &mut Conn) -> Result<Vec<(uuid::Uuid, i32)>> {
    let rows: Vec<TermKey> = diesel::sql_query(
        "SELECT t.bloc_id, t.year FROM pledges p JOIN bloc_terms t ON t.id = p.term_id
          WHERE p.status = 'in_force' ORDER BY t.year, t.bloc_id",
    )
    .load(c)
    .await?;
    Ok(rows.into_iter().map(|t| (t.bloc_id, t.year)).collect())
}
