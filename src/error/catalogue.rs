//! Every error code the API can answer, in one place: its HTTP status (by
//! its kind), its rule when it has one, and its text in Vietnamese and
//! English. Services raise a code (`AppError::new(ErrorCode::CodeTaken)`)
//! and fill the text's named placeholders (`.arg("what", …)`); they never
//! write a sentence. `tests/api/error_catalogue.rs` walks this list against
//! the OpenAPI document.
//!
//! A code may have several texts: the first one whose placeholders the
//! error carries is used (`already_in_bloc` names the unit when the service
//! knows it, and says "a unit in the list" when the database decided a race).
//! Two codes share a wire string only when their rules differ
//! (`invalid_transition`: a pledge's P2 and a proposal's flow).

use actix_web::http::StatusCode;

use crate::ctx::Lang;
use crate::domain::RuleId;

/// A sentence in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub vi: &'static str,
    pub en: &'static str,
}

impl Text {
    pub const fn new(vi: &'static str, en: &'static str) -> Text {
        Text { vi, en }
    }
    pub fn pick(self, lang: Lang) -> &'static str {
        lang.pick(self.vi, self.en)
    }
}

/// What kind of answer a code is: its HTTP status and the problem's title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 400: the request could not be read.
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    /// 409: a rule or the current state says no.
    Conflict,
    /// 409 with the failed rules listed in `errors`.
    Refused,
    VersionConflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// 422 with one `errors[]` entry per field.
    Invalid,
    /// 422: readable, but a value can never be right.
    Unprocessable,
    /// 431 (answered by the HTTP codec itself: `vendor/actix-http`).
    HeadTooLarge,
    TooManyRequests,
    Internal,
    Unavailable,
    TimedOut,
}

impl Kind {
    pub fn status(self) -> StatusCode {
        match self {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Kind::Conflict | Kind::Refused => StatusCode::CONFLICT,
            Kind::VersionConflict => StatusCode::PRECONDITION_FAILED,
            Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::Invalid | Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::HeadTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Unavailable | Kind::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn title(self) -> Text {
        match self {
            Kind::BadRequest => Text::new("Yêu cầu không hợp lệ", "Bad request"),
            Kind::Unauthenticated => Text::new("Chưa xác thực", "Unauthenticated"),
            Kind::Forbidden => Text::new("Không có quyền", "Forbidden"),
            Kind::NotFound => Text::new("Không tìm thấy", "Not found"),
            Kind::MethodNotAllowed => {
                Text::new("Phương thức không được hỗ trợ", "Method not allowed")
            }
            Kind::NotAcceptable => Text::new("Không có định dạng phù hợp", "Not acceptable"),
            Kind::Conflict => Text::new("Xung đột với quy tắc nghiệp vụ", "Conflict"),
            Kind::Refused => Text::new("Không đạt điều kiện", "Refused by the rules"),
            Kind::VersionConflict => Text::new("Phiên bản không khớp", "Version conflict"),
            Kind::PayloadTooLarge => Text::new("Nội dung quá lớn", "Payload too large"),
            Kind::UnsupportedMediaType => {
                Text::new("Kiểu nội dung không được hỗ trợ", "Unsupported media type")
            }
            Kind::Invalid => Text::new("Dữ liệu không hợp lệ", "Validation failed"),
            Kind::Unprocessable => Text::new("Không thể xử lý yêu cầu", "Unprocessable request"),
            Kind::HeadTooLarge => Text::new("Phần đầu yêu cầu quá lớn", "Request head too large"),
            Kind::TooManyRequests => Text::new("Quá nhiều yêu cầu", "Too many requests"),
            Kind::Internal => Text::new("Lỗi hệ thống", "Internal error"),
            Kind::Unavailable => {
                Text::new("Dịch vụ tạm thời không sẵn sàng", "Service unavailable")
            }
            Kind::TimedOut => Text::new("Hết thời gian xử lý", "Request timed out"),
        }
    }
}

/// Words that fill a placeholder and differ by language.
pub mod phrase;
/// The texts of an import's row problems.
pub mod rows;

const FIELDS_INVALID: Text = Text::new(
    "Một hoặc nhiều trường không hợp lệ.",
    "One or more fields are invalid.",
);
const UNREADABLE: Text = Text::new(
    "Không đọc được yêu cầu: {reason}",
    "The request could not be read: {reason}",
);
const RETRY_AFTER: Text = Text::new(
    "Hãy thử lại sau {retry_after} giây.",
    "Retry after {retry_after} seconds.",
);
const DATABASE_UNREACHABLE: Text = Text::new(
    "Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau.",
    "The database is temporarily unreachable; retry later.",
);

macro_rules! catalogue {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $code:literal, $kind:ident, $rule:expr, [$($text:expr),+ $(,)?];
    )*) => {
        /// Every code the API can answer (see the module's doc).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The stable string clients branch on.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            pub fn kind(self) -> Kind {
                match self { $(ErrorCode::$variant => Kind::$kind,)* }
            }

            /// The rule whose violation this code reports.
            pub fn rule(self) -> Option<RuleId> {
                match self { $(ErrorCode::$variant => $rule,)* }
            }

            /// The problem's `detail` templates, most specific first.
            pub fn texts(self) -> &'static [Text] {
                match self { $(ErrorCode::$variant => { const TEXTS: &[Text] = &[$($text),+]; TEXTS })* }
            }
        }
    };
}

use RuleId as R;

const fn t(vi: &'static str, en: &'static str) -> Text {
    Text::new(vi, en)
}

catalogue! {
    // ------------------------------------------------ reading the request (400)
    BodyNotAnObject = "body_not_an_object", BadRequest, None,
        [t("Không đọc được yêu cầu: the body must be a JSON object", "The request could not be read: the body must be a JSON object")];
    MalformedJson = "malformed_json", BadRequest, None, [UNREADABLE];
    /// The body's bytes could not be decoded; one fixed sentence, never the decoder's words.
    MalformedBody = "malformed_body", BadRequest, None,
        [t("Không đọc được yêu cầu: the body could not be decoded (a broken Content-Encoding stream or an interrupted upload)",
           "The request could not be read: the body could not be decoded (a broken Content-Encoding stream or an interrupted upload)")];
    MalformedForm = "malformed_form", BadRequest, None, [UNREADABLE];
    InvalidQuery = "invalid_query", BadRequest, None, [UNREADABLE];
    InvalidPath = "invalid_path", BadRequest, None, [UNREADABLE];
    InvalidCursor = "invalid_cursor", BadRequest, None,
        [t("Không đọc được yêu cầu: cursor is not one this API gave out", "The request could not be read: cursor is not one this API gave out")];
    InvalidIfMatch = "invalid_if_match", BadRequest, None,
        [t("Không đọc được yêu cầu: If-Match must be an ETag such as \"3\"", "The request could not be read: If-Match must be an ETag such as \"3\"")];
    InvalidIdempotencyKey = "invalid_idempotency_key", BadRequest, None,
        [t("Không đọc được yêu cầu: Idempotency-Key must be 1–255 visible ASCII characters", "The request could not be read: Idempotency-Key must be 1–255 visible ASCII characters")];
    IdempotencyKeyNotSupported = "idempotency_key_not_supported", BadRequest, None,
        [t("Không đọc được yêu cầu: Idempotency-Key is not accepted here: the answer is a credential, which is never stored for a replay, and repeating this request is harmless",
           "The request could not be read: Idempotency-Key is not accepted here: the answer is a credential, which is never stored for a replay, and repeating this request is harmless")];
    /// `{field}`: the form field the token request lacks.
    InvalidGrantRequest = "invalid_grant_request", BadRequest, None,
        [t("Không đọc được yêu cầu: missing {field}", "The request could not be read: missing {field}")];
    UnsupportedGrantType = "unsupported_grant_type", BadRequest, None,
        [t("Không đọc được yêu cầu: grant_type must be client_credentials or password", "The request could not be read: grant_type must be client_credentials or password")];
    /// A 4xx from the HTTP stack itself, not from a handler.
    MalformedRequest = "malformed_request", BadRequest, None, [UNREADABLE];

    // ------------------------------------------------ the HTTP exchange
    Unauthenticated = "unauthenticated", Unauthenticated, None,
        [t("Thiếu hoặc sai mã truy cập (Bearer token).", "A valid bearer token is required.")];
    /// A 403 from the HTTP stack itself (CORS).
    Forbidden = "forbidden", Forbidden, None,
        [t("Yêu cầu bị từ chối.", "The request was refused.")];
    NotFound = "not_found", NotFound, None,
        [t("Không tìm thấy tài nguyên ({entity}).", "No such resource ({entity}).")];
    MethodNotAllowed = "method_not_allowed", MethodNotAllowed, None,
        [t("Đường dẫn này không hỗ trợ phương thức HTTP đã gửi.", "This path does not support the HTTP method used.")];
    NotAcceptable = "not_acceptable", NotAcceptable, None,
        [t("Không thể trả lời theo định dạng trong Accept.", "No representation matches the Accept header.")];
    VersionConflict = "version_conflict", VersionConflict, None,
        [t("Tài nguyên đã bị thay đổi (phiên bản hiện tại {current}); hãy tải lại và thử lại.",
           "The resource has changed (current version {current}); reload it and retry.")];
    PayloadTooLarge = "payload_too_large", PayloadTooLarge, None,
        [t("Nội dung yêu cầu vượt quá {limit} byte.", "The request body exceeds {limit} bytes.")];
    UnsupportedMediaType = "unsupported_media_type", UnsupportedMediaType, None,
        [t("Hãy gửi Content-Type: application/json.", "Send Content-Type: application/json.")];
    RequestHeadTooLarge = "request_head_too_large", HeadTooLarge, None,
        [t("Dòng yêu cầu (URI) và phần đầu vượt quá 128 KiB hoặc quá 96 trường.",
           "The request line (URI) and headers exceed 128 KiB or 96 header fields.")];
    RateLimited = "rate_limited", TooManyRequests, None, [RETRY_AFTER];
    IdempotencyKeyReused = "idempotency_key_reused", Unprocessable, None,
        [t("Idempotency-Key này đã được dùng với một yêu cầu khác.", "This Idempotency-Key was already used with a different request.")];
    IdempotencyInProgress = "idempotency_in_progress", Conflict, None,
        [t("Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau.", "A request with this Idempotency-Key is still being processed; retry shortly.")];
    ValidationFailed = "validation_failed", Invalid, None, [FIELDS_INVALID];

    // ------------------------------------------------ the server and its database
    ServiceUnavailable = "service_unavailable", Unavailable, None, [DATABASE_UNREACHABLE];
    RequestTimeout = "request_timeout", TimedOut, None,
        [t("Yêu cầu không hoàn thành trong thời gian cho phép.", "The request did not complete in time.")];
    InternalError = "internal_error", Internal, None,
        [t("Đã xảy ra lỗi không mong muốn; mã yêu cầu giúp tra cứu nhật ký.",
           "An unexpected error occurred; quote the request id to find it in the logs.")];
    /// A serialization failure: another transaction interfered.
    ConcurrentUpdate = "concurrent_update", Conflict, None,
        [t("Có thay đổi đồng thời; hãy thử lại.", "A concurrent change interfered; retry.")];
    /// A value the database cannot store (SQLSTATE class 22, or a CHECK the service did not name).
    InvalidValue = "invalid_value", Unprocessable, None,
        [t("Một giá trị không lưu được (ký tự điều khiển, ngày hoặc số ngoài phạm vi, chuỗi quá dài, chuỗi rỗng).",
           "A value cannot be stored (a control character, a date or number out of range, text too long or empty).")];
    /// A unique index the service did not name.
    UniqueViolation = "unique_violation", Conflict, None,
        [t("Giá trị đã tồn tại.", "The value already exists.")];
    /// A foreign key the service did not name.
    UnknownReference = "unknown_reference", Unprocessable, None,
        [t("Một mã định danh trong yêu cầu không trỏ tới bản ghi nào.", "An id in the request refers to nothing.")];

    // ------------------------------------------------ who may do what
    AdminRequired = "admin_required", Forbidden, None,
        [t("Chỉ Ban Thi đua – Khen thưởng (quản trị) được thực hiện thao tác này.", "Only the provincial emulation board (admin) may do this.")];
    ReadOnly = "read_only", Forbidden, None,
        [t("Tài khoản này chỉ được xem.", "This account may only read.")];
    NotYourOrganization = "not_your_organization", Forbidden, None,
        [t("Bạn chỉ được thao tác cho đơn vị của mình.", "You may act only for your own organisation.")];
    NotMemberLeader = "not_member_leader", Forbidden, None,
        [t("Chỉ lãnh đạo của đơn vị (hoặc quản trị) được thực hiện thao tác này.", "Only the organisation's leader (or the admin) may do this.")];
    AuditReaderRequired = "audit_reader_required", Forbidden, None,
        [t("Chỉ Ban Thi đua – Khen thưởng (quản trị) hoặc ứng dụng tích hợp có quyền đọc được xem các điểm neo của nhật ký kiểm toán.",
           "Only the provincial emulation board (admin) or a service client with the read scope may read the audit checkpoints.")];

    // ------------------------------------------------ identity
    TooManyFailedLogins = "too_many_failed_logins", TooManyRequests, None, [RETRY_AFTER];
    LoginThrottled = "login_throttled", TooManyRequests, None, [RETRY_AFTER];
    LoginBusy = "login_busy", Unavailable, None,
        [t("Máy chủ đang bận kiểm tra các lần đăng nhập khác; hãy thử lại sau {retry_after} giây.",
           "The server is busy checking other logins; retry in {retry_after} seconds.")];
    UsernameTaken = "username_taken", Conflict, None,
        [t("Tên đăng nhập đã tồn tại.", "The username is already taken.")];
    ClientIdTaken = "client_id_taken", Conflict, None,
        [t("Mã ứng dụng (clientId) đã tồn tại.", "The clientId is already taken.")];
    CannotDemoteSelf = "cannot_demote_self", Conflict, None,
        [t("Không thể tự bỏ quyền quản trị hoặc tự vô hiệu hoá tài khoản của mình.",
           "You cannot take the admin role away from, or deactivate, your own account.")];
    CannotDisableSelf = "cannot_disable_self", Conflict, None,
        [t("Không thể tự vô hiệu hoá tài khoản của mình.", "You cannot disable your own account.")];
    OrganizationRequired = "organization_required", Unprocessable, None,
        [t("Lãnh đạo và cán bộ đơn vị phải thuộc một đơn vị (organizationId).",
           "Leaders and officers must belong to an organisation (organizationId).")];
    AuditTrailEmpty = "audit_trail_empty", Conflict, None,
        [t("Nhật ký kiểm toán chưa có bản ghi nào để neo.", "The audit trail has no rows to checkpoint yet.")];

    // ------------------------------------------------ registry
    /// `{what}`: "đơn vị / organisation" or "khối / bloc".
    CodeTaken = "code_taken", Conflict, None,
        [t("Mã {what} đã tồn tại.", "The {what} code is already taken.")];
    UnknownOrganization = "unknown_organization", Unprocessable, Some(R::Reference),
        [t("Không có đơn vị {id}.", "There is no organisation {id}."),
         t("Không có đơn vị được tham chiếu.", "The organisation referred to does not exist.")];
    UnknownPerson = "unknown_person", Unprocessable, Some(R::Reference),
        [t("Không có cá nhân {id}.", "There is no person {id}."),
         t("Không có cá nhân được tham chiếu.", "The person referred to does not exist.")];
    UnknownBloc = "unknown_bloc", Unprocessable, None,
        [t("Không có khối thi đua này.", "There is no such bloc.")];
    InvalidDates = "invalid_dates", Unprocessable, None,
        [t("Ngày kết thúc trước ngày bắt đầu hiệu lực.", "validTo is before validFrom.")];
    InvalidParent = "invalid_parent", Unprocessable, None,
        [t("Đơn vị không thể là đơn vị cấp trên của chính nó.", "An organisation cannot be its own parent.")];
    ParentNotAUnit = "parent_not_a_unit", Conflict, Some(R::UnitHierarchy),
        [t("Đơn vị cấp trên {parent} phải là đơn vị (không phải phòng trực thuộc), và đơn vị có phòng trực thuộc không thể thành phòng trực thuộc.",
           "The parent {parent} must be a unit (not a sub-unit), and a unit with sub-units cannot become a sub-unit.")];
    AlreadyRetired = "already_retired", Conflict, None,
        [t("Đơn vị đã ngừng hoạt động.", "The organisation is already retired.")];
    InvalidSuccessor = "invalid_successor", Unprocessable, None,
        [t("Đơn vị không thể kế thừa chính nó.", "An organisation cannot supersede itself.")];
    InvalidYear = "invalid_year", Unprocessable, None,
        [t("Năm phải trong khoảng 2000–2100.", "The year must be within 2000–2100.")];
    InvalidCutoff = "invalid_cutoff", Unprocessable, None,
        [t("Hạn báo cáo không thể trước năm của nhiệm kỳ.", "The reporting cut-off cannot be before the term's year.")];
    NoMembersToSuggest = "no_members_to_suggest", Conflict, None,
        [t("Chưa có thành viên khối cho năm này hoặc năm trước.", "The bloc has no members for this year or the year before.")];
    BlocImmutable = "bloc_immutable", Unprocessable, None,
        [t("Không đổi được khối của hội nghị.", "A conference's bloc cannot change.")];
    AlreadyInBloc = "already_in_bloc", Conflict, Some(R::B1),
        [t("B1: đơn vị {unit} đã là thành viên khối {bloc} trong năm này; mỗi đơn vị chỉ thuộc một khối mỗi năm.",
           "B1: unit {unit} is already a member of bloc {bloc} that year; a unit belongs to one bloc per year."),
         t("B1: một đơn vị trong danh sách vừa được đưa vào khối khác trong năm này; mỗi đơn vị chỉ thuộc một khối mỗi năm.",
           "B1: a unit in the list was just added to another bloc for that year; a unit belongs to one bloc per year.")];
    /// `{reason}`: one of `phrase::HEAD_NOT_MEMBER`, `DEPUTY_NOT_MEMBER`, `HEAD_IS_DEPUTY`.
    HeadDeputyInvalid = "head_deputy_invalid", Conflict, Some(R::B2),
        [t("B2: trưởng khối và phó khối phải là hai đơn vị thành viên khác nhau ({reason}).",
           "B2: head and deputy must be two different member units ({reason}).")];
    HeadTwoYearsRunning = "head_two_years_running", Conflict, Some(R::B3),
        [t("B3: đơn vị {unit} đã làm trưởng khối năm {year}; không làm trưởng khối hai năm liền.",
           "B3: unit {unit} was head in {year}; the same unit is not head two years running.")];
    TermFrozen = "term_frozen", Conflict, Some(R::B4),
        [t("B4: giao ước của nhiệm kỳ đã mở ký; chỉ quản trị được thay đổi thành viên, trưởng, phó khối, kèm lý do.",
           "B4: the term's pledge is open; only the admin may change members, head or deputy, with a written reason.")];
    MemberNotAUnit = "member_not_a_unit", Conflict, Some(R::B5),
        [t("B5: {what} không phải là đơn vị; phòng trực thuộc và cá nhân không là thành viên khối.",
           "B5: {what} is not a unit; sub-units and staff cannot be bloc members.")];
    DuplicateMember = "duplicate_member", Unprocessable, Some(R::ListedOnce),
        [t("Một đơn vị được liệt kê hai lần.", "A unit is listed twice.")];

    // ------------------------------------------------ pledges and progress
    UnknownConference = "unknown_conference", Unprocessable, None,
        [t("Không có hội nghị này của khối.", "There is no such conference of this bloc.")];
    NotAPermutation = "not_a_permutation", Unprocessable, None,
        [t("Danh sách phải gồm đúng các nội dung hiện có của giao ước, mỗi nội dung một lần.",
           "The list must hold exactly the pledge's current items, each once.")];
    DuplicateTarget = "duplicate_target", Unprocessable, None,
        [t("Một chỉ tiêu xuất hiện hai lần trong lô.", "A target appears twice in the batch.")];
    PledgeExists = "pledge_exists", Conflict, Some(R::P1),
        [t("P1: nhiệm kỳ này đã có giao ước thi đua (chưa rút).", "P1: this term already has a pledge that is not withdrawn.")];
    InvalidTransition = "invalid_transition", Conflict, Some(R::P2),
        [t("P2: không thể {action} giao ước đang ở trạng thái {from}; giao ước chỉ đi tiếp: draft → open → in_force → closed, draft|open → withdrawn.",
           "P2: cannot {action} a pledge that is {from}; pledges only move forward: draft → open → in_force → closed, draft|open → withdrawn.")];
    NotHeadUnit = "not_head_unit", Forbidden, Some(R::P2),
        [t("P2: chỉ lãnh đạo, cán bộ của đơn vị trưởng khối hoặc quản trị được thực hiện.",
           "P2: only the head unit's leader or officers, or the admin, may do this.")];
    PledgeNotDraft = "pledge_not_draft", Conflict, Some(R::P3),
        [t("P3: nội dung, chỉ tiêu chỉ sửa được khi giao ước là bản nháp (đang: {status}).",
           "P3: items and targets change only while the pledge is a draft (it is {status}).")];
    PledgeHasNoItems = "pledge_has_no_items", Conflict, Some(R::P3),
        [t("P3: giao ước cần ít nhất một nội dung trước khi mở ký.", "P3: a pledge needs at least one item before it opens.")];
    PledgeNotOpen = "pledge_not_open", Conflict, Some(R::P4),
        [t("P4: chỉ ký khi giao ước đang mở ký (đang: {status}).", "P4: signing is possible only while the pledge is open (it is {status}).")];
    NotAMember = "not_a_member", Conflict, Some(R::P4),
        [t("P4: đơn vị không phải thành viên khối trong năm của giao ước.", "P4: the unit is not a member of the pledge's term.")];
    AlreadySigned = "already_signed", Conflict, Some(R::P4),
        [t("P4: đơn vị đã ký giao ước này.", "P4: the unit has already signed this pledge.")];
    SignedInFuture = "signed_in_future", Conflict, Some(R::P4),
        [t("P4: thời điểm ký không thể ở tương lai.", "P4: the signing time cannot be in the future.")];
    PledgeReadOnly = "pledge_read_only", Conflict, Some(R::P6),
        [t("P6: giao ước đã {status}, chỉ được xem.", "P6: the pledge is {status} and read-only.")];
    InvalidTarget = "invalid_target", Unprocessable, Some(R::T2),
        [t("T2: chỉ tiêu không hợp lệ ({reason}).", "T2: invalid target ({reason}).")];
    PledgeNotInForce = "pledge_not_in_force", Conflict, Some(R::T3),
        [t("T3: chỉ báo cáo khi giao ước đã có hiệu lực (đang: {status}).",
           "T3: reports are accepted only while the pledge is in force (it is {status}).")];
    PeriodOutsideYear = "period_outside_year", Conflict, Some(R::T3),
        [t("T3: kỳ báo cáo năm {year} nằm ngoài năm của giao ước ({pledge_year}).",
           "T3: the period's year {year} is outside the pledge year {pledge_year}.")];
    InvalidPeriod = "invalid_period", Unprocessable, Some(R::T3),
        [t("T3: kỳ báo cáo phải là M01..M12, Q1..Q4, H1, H2 hoặc Y (có thể kèm năm, ví dụ 2021-Q1).",
           "T3: the period is one of M01..M12, Q1..Q4, H1, H2, Y (optionally with the year, e.g. 2021-Q1).")];
    UnknownTarget = "unknown_target", Unprocessable, Some(R::T3),
        [t("T3: chỉ tiêu không thuộc giao ước này.", "T3: the target does not belong to this pledge.")];
    InvalidReportValues = "invalid_report_values", Unprocessable, Some(R::T4),
        [t("T4: số liệu không hợp lệ ({reason}).", "T4: invalid values ({reason}).")];
    ReportingClosed = "reporting_closed", Conflict, Some(R::T8),
        [t("T8: đã quá hạn báo cáo của nhiệm kỳ ({cutoff}); quản trị có thể dời hạn.",
           "T8: the term's reporting cut-off ({cutoff}) has passed; the admin may move it.")];

    // ------------------------------------------------ evaluation and ballots
    UnknownPledgeItem = "unknown_pledge_item", Unprocessable, None,
        [t("Nội dung giao ước không thuộc nhiệm kỳ này.", "The pledge item is not in this term's pledge.")];
    NoPreviousScheme = "no_previous_scheme", Conflict, None,
        [t("Năm trước chưa có thang điểm.", "There is no scheme for the year before.")];
    NoScoringScheme = "no_scoring_scheme", Conflict, Some(R::E1),
        [t("E1: nhiệm kỳ chưa có thang điểm.", "E1: the term has no scoring scheme yet.")];
    SchemeFrozen = "scheme_frozen", Conflict, Some(R::E1),
        [t("E1: thang điểm đã cố định vì đã có điểm được nhập.", "E1: the scoring scheme is fixed because scores have been entered.")];
    InvalidScheme = "invalid_scheme", Unprocessable, Some(R::E1),
        [t("E1: thang điểm không hợp lệ ({reason}).", "E1: invalid scoring scheme ({reason}).")];
    SelfAssignment = "self_assignment", Unprocessable, Some(R::E2),
        [t("E2: một đơn vị không được phân công tự chấm chéo chính mình.", "E2: a unit is never assigned to score itself.")];
    PointsOutOfBounds = "points_out_of_bounds", Unprocessable, Some(R::E2),
        [t("E2: điểm ngoài giới hạn ({reason}).", "E2: points out of bounds ({reason}).")];
    SheetLocked = "sheet_locked", Conflict, Some(R::E2),
        [t("E2: phiếu chấm đã {status}; chỉ quản trị mở lại được.", "E2: the score sheet is {status}; only the admin can reopen it.")];
    NotAReviewer = "not_a_reviewer", Forbidden, Some(R::E2),
        [t("E2: đơn vị không được phân công chấm chéo đơn vị này (và không tự chấm chéo chính mình).",
           "E2: the unit is not assigned to cross-score this unit (and never scores itself).")];
    RecusalNeedsReason = "recusal_needs_reason", Unprocessable, None,
        [t("Chỉ người chấm chéo được từ chối chấm, kèm lý do bằng văn bản.", "Only a cross-reviewer may recuse, with a written reason.")];
    ReasonRequired = "reason_required", Unprocessable, None,
        [t("Cần nêu lý do mở lại phiếu chấm.", "A reason is required to reopen a sheet.")];
    InvalidCandidates = "invalid_candidates", Unprocessable, None,
        [t("Ứng viên phải là thành viên khối.", "Candidates must be members of the term.")];
    InvalidSeats = "invalid_seats", Unprocessable, None,
        [t("Số đơn vị dẫn đầu cần chọn không hợp lệ.", "The number of seats is not valid for the candidates.")];
    BallotAlreadyOpen = "ballot_already_open", Conflict, None,
        [t("Nhiệm kỳ đang có một cuộc bỏ phiếu mở.", "The term already has an open ballot.")];
    /// E4's own wording of `not_member_leader`: a unit's vote is cast by its leader.
    NotVotingLeader = "not_member_leader", Forbidden, Some(R::E4),
        [t("E4: chỉ lãnh đạo đơn vị thành viên bỏ phiếu cho đơn vị mình.", "E4: only a member unit's own leader votes for it.")];
    TooFewBallots = "too_few_ballots", Conflict, Some(R::E4),
        [t("E4: cần ít nhất hai phiếu để kết thúc bỏ phiếu mà không lộ lá phiếu của đơn vị.",
           "E4: at least two ballots are needed to close without revealing a unit's vote.")];
    BallotClosed = "ballot_closed", Conflict, Some(R::E4),
        [t("E4: cuộc bỏ phiếu đã kết thúc.", "E4: the ballot is closed.")];
    AlreadyVoted = "already_voted", Conflict, Some(R::E4),
        [t("E4: đơn vị đã bỏ phiếu.", "E4: the unit has already voted.")];
    InvalidChoices = "invalid_choices", Unprocessable, Some(R::E4),
        [t("E4: lá phiếu không hợp lệ ({reason}).", "E4: invalid ballot ({reason}).")];
    ResultsHidden = "results_hidden", Conflict, Some(R::E4),
        [t("E4: kết quả chỉ công bố khi kết thúc bỏ phiếu hoặc mọi thành viên đã bỏ phiếu.",
           "E4: results are shown only once the ballot closes or every member has voted.")];

    // ------------------------------------------------ titles and commendations
    InvalidFacts = "invalid_facts", Invalid, None, [FIELDS_INVALID];
    InvalidRegistration = "invalid_registration", Invalid, None, [FIELDS_INVALID];
    InvalidItems = "invalid_items", Invalid, None, [FIELDS_INVALID];
    InvalidDecision = "invalid_decision", Invalid, None, [FIELDS_INVALID];
    InvalidSubject = "invalid_subject", Invalid, None, [FIELDS_INVALID];
    RegistrationExists = "registration_exists", Conflict, None,
        [t("Đơn vị đã đăng ký thi đua năm này; hãy sửa bản đăng ký đã có.",
           "The unit has already registered for that year; edit the existing registration.")];
    RegistrationClosed = "registration_closed", Conflict, Some(R::RegistrationDeadline),
        [t("Đã quá hạn đăng ký thi đua của nhiệm kỳ ({deadline}); quản trị có thể dời hạn.",
           "The term's registration deadline ({deadline}) has passed; the admin may move it.")];
    UnknownRuleSet = "unknown_rule_set", Unprocessable, None,
        [t("Không có bộ quy tắc {id}.", "There is no rule set {id}.")];
    InvalidRuleSet = "invalid_rule_set", Unprocessable, Some(R::C0),
        [t("C0: tham số bộ quy tắc không hợp lệ ({reason}).", "C0: invalid rule set parameters ({reason}).")];
    RuleSetInUse = "rule_set_in_use", Conflict, Some(R::C0),
        [t("C0: bộ quy tắc đã được dùng trong một quyết định nên không sửa được; hãy tạo phiên bản mới.",
           "C0: the rule set has been used by a decision and cannot change; create a new version.")];
    NoRuleSet = "no_rule_set", Conflict, Some(R::C0),
        [t("C0: không có bộ quy tắc nào có hiệu lực ngày 31/12/{year}.", "C0: no rule set is in force on 31 December {year}.")];
    /// `{expected}`: `phrase::PERSON` or `phrase::COLLECTIVE`.
    SubjectKindMismatch = "subject_kind_mismatch", Unprocessable, Some(R::SubjectKind),
        [t("{award} dành cho {expected}.", "{award} is awarded to a {expected}.")];
    ProposalEmpty = "proposal_empty", Conflict, None,
        [t("Đề nghị chưa có đối tượng nào.", "The proposal lists no one.")];
    /// A proposal's state machine (the wire code it shares with P2).
    ProposalTransition = "invalid_transition", Conflict, Some(R::ProposalFlow),
        [t("Không thể {action} đề nghị đang ở trạng thái {from}; đề nghị đi theo: draft → submitted → returned|approved|rejected, returned → submitted, approved → decided.",
           "Cannot {action} a proposal that is {from}; proposals move draft → submitted → returned|approved|rejected, returned → submitted, approved → decided.")];
    NotEligible = "not_eligible", Refused, None,
        [t("Một hoặc nhiều đối tượng không đạt điều kiện; xem danh sách quy tắc không đạt.",
           "One or more subjects do not meet the rules; see the failed rules listed.")];
    QuotaExceeded = "quota_exceeded", Refused, None,
        [t("Danh sách đề nghị vượt tỷ lệ cho phép của bộ quy tắc.", "The proposal list exceeds a quota of the rule set.")];
    DecisionNumberTaken = "decision_number_taken", Conflict, None,
        [t("Số quyết định này đã được dùng.", "That decision number is already recorded.")];
    AlreadyAwarded = "already_awarded", Conflict, Some(R::C1),
        [t("C1: một đối tượng vừa được khen cùng danh hiệu, cùng năm.", "C1: a subject was just awarded the same title for the same year.")];
    AwardRevoked = "award_revoked", Conflict, Some(R::C14),
        [t("C14: khen thưởng này đã bị hủy bỏ.", "C14: this award is already revoked.")];

    // ------------------------------------------------ staff history and imports
    NotEmployed = "not_employed", Conflict, None,
        [t("Cá nhân hiện không công tác ở đơn vị nào (đã nghỉ).", "The person has no current employment (they have left).")];
    /// `{from}`: the first day of the current employment.
    EmploymentDateInvalid = "employment_date_invalid", Unprocessable, None,
        [t("Ngày phải sau ngày bắt đầu công tác hiện tại ({from}).", "The date must fall after the current employment started ({from}).")];
    NotASpreadsheet = "not_a_spreadsheet", Unprocessable, None,
        [t("Tệp không phải bảng tính .xlsx hoặc .csv đọc được.", "The file is not a readable .xlsx or .csv spreadsheet.")];
    SpreadsheetEncrypted = "spreadsheet_encrypted", Unprocessable, None,
        [t("Bảng tính được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.", "The spreadsheet is password-protected; remove the password and upload it again.")];
    /// `{sheet}`: the sheet the kind reads.
    SheetMissing = "sheet_missing", Unprocessable, None,
        [t("Bảng tính không có trang {sheet}.", "The workbook has no sheet named {sheet}.")];
    /// `{limit}`: the configured row limit.
    TooManyRows = "too_many_rows", PayloadTooLarge, None,
        [t("Tệp có quá {limit} dòng dữ liệu; hãy chia nhỏ tệp.", "The file has more than {limit} data rows; split it.")];
    ImportRejected = "import_rejected", Invalid, None,
        [t("Một hoặc nhiều dòng của tệp không hợp lệ; không dòng nào được ghi.", "One or more rows of the file are invalid; nothing was written.")];

    // ------------------------------------------------ webhooks
    WebhookUrlInvalid = "webhook_url_invalid", Unprocessable, None,
        [t("URL của webhook phải là URL tuyệt đối http(s), không kèm tên đăng nhập, mật khẩu hay phân đoạn (#).",
           "A webhook's URL must be an absolute http(s) URL without credentials or a fragment.")];
    WebhookHttpsRequired = "webhook_https_required", Unprocessable, None,
        [t("Webhook phải dùng https (chỉ các máy chủ trong WEBHOOK_ALLOW_HOSTS được dùng http).",
           "A webhook must use https (only hosts listed in WEBHOOK_ALLOW_HOSTS may use http).")];
    /// `{host}` and `{class}`: the refused host and the kind of address it is or resolves to.
    WebhookTargetForbidden = "webhook_target_forbidden", Unprocessable, None,
        [t("Không được gửi webhook tới {host}: đó là (hoặc phân giải tới) địa chỉ {class}.",
           "A webhook may not target {host}: it is (or resolves to) a {class} address.")];
    /// `{host}`: the name that did not resolve.
    WebhookTargetUnresolved = "webhook_target_unresolved", Unprocessable, None,
        [t("Không phân giải được tên máy chủ {host} của webhook.", "The webhook's host {host} does not resolve.")];
    WebhookAlreadyPaused = "webhook_already_paused", Conflict, None,
        [t("Webhook đang tạm dừng.", "The webhook is already paused.")];
    WebhookNotPaused = "webhook_not_paused", Conflict, None,
        [t("Webhook không tạm dừng.", "The webhook is not paused.")];
    DeliveryPending = "delivery_pending", Conflict, None,
        [t("Lần gửi này chưa thực hiện xong; chỉ gửi lại được lần gửi đã kết thúc.",
           "This delivery has not been attempted yet; only a finished one can be redelivered.")];

    // ------------------------------------------------ the command line only (never an HTTP answer)
    PasswordTooShort = "password_too_short", Unprocessable, None,
        [t("Mật khẩu quá ngắn.", "The bench users' password is too short (10 characters at least).")];
    NotEmpty = "not_empty", Conflict, None,
        [t("Cơ sở dữ liệu đã có dữ liệu: hãy dùng một cơ sở dữ liệu trống.", "The database already holds data: generate into an empty database.")];
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        self.kind().status()
    }

    /// Codes only the command line answers (`thidua seed bench`): they are
    /// never in the OpenAPI document.
    pub fn command_line_only(self) -> bool {
        matches!(self, ErrorCode::PasswordTooShort | ErrorCode::NotEmpty)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `{name}` placeholders of a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start + 1..].find('}') else {
            break;
        };
        out.push(&rest[start + 1..start + 1 + len]);
        rest = &rest[start + 2 + len..];
    }
    out
}

#[cfg(test)]
mod tests;
