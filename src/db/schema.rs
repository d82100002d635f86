// @generated shape of `diesel print-schema` for the migrations in
// ../migrations (kept by hand: diesel_cli is not part of the build).

diesel::table! {
    // `xid` (xid8) and `prev_hash` are left out (only SQL reads them; and
    // diesel's default build takes 16 columns at most): docs/feed.md.
    audit_log (seq) {
        seq -> Int8,
        /// The chain position, given by the settler (NULL until then).
        id -> Nullable<Int8>,
        occurred_at -> Timestamptz,
        actor_kind -> Text,
        actor_id -> Nullable<Uuid>,
        actor_name -> Text,
        organization_id -> Nullable<Uuid>,
        on_behalf_of -> Nullable<Uuid>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        reason -> Nullable<Text>,
        request_id -> Nullable<Text>,
        hash -> Nullable<Bytea>,
    }
}

diesel::table! {
    audit_checkpoints (id) {
        id -> Int8,
        audit_id -> Int8,
        hash -> Bytea,
        created_at -> Timestamptz,
        key_id -> Text,
        signature -> Bytea,
    }
}

diesel::table! {
    events (seq) {
        seq -> Int8,
        /// The feed position, given by the settler (NULL until then).
        id -> Nullable<Int8>,
        #[sql_name = "type"]
        type_ -> Text,
        entity -> Text,
        entity_id -> Text,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        organization_id -> Nullable<Uuid>,
        data -> Jsonb,
    }
}

diesel::table! {
    idempotency_keys (caller, key) {
        caller -> Text,
        key -> Text,
        request_hash -> Bytea,
        status -> Nullable<Int2>,
        headers -> Nullable<Jsonb>,
        body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        full_name -> Text,
        organization_id -> Nullable<Uuid>,
        roles -> Array<Text>,
        active -> Bool,
        password_hash -> Text,
        token_version -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        email -> Nullable<Text>,
    }
}

diesel::table! {
    service_clients (id) {
        id -> Uuid,
        client_id -> Text,
        name -> Text,
        scopes -> Array<Text>,
        organization_id -> Nullable<Uuid>,
        active -> Bool,
        secret_hash -> Text,
        token_version -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    login_failures (principal, source) {
        principal -> Text,
        source -> Text,
        failures -> Int4,
        pending -> Int4,
        window_start -> Timestamptz,
        next_slot -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    organizations (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        kind -> Text,
        parent_id -> Nullable<Uuid>,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        superseded_by_id -> Nullable<Uuid>,
        superseded_on -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search_text -> Text,
    }
}

diesel::table! {
    people (id) {
        id -> Uuid,
        full_name -> Text,
        organization_id -> Uuid,
        position -> Nullable<Text>,
        category -> Text,
        gender -> Nullable<Text>,
        employment_start -> Nullable<Date>,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search_text -> Text,
        code -> Nullable<Text>,
    }
}

diesel::table! {
    blocs (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        kind -> Text,
        description -> Nullable<Text>,
        rotate_head -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    bloc_terms (id) {
        id -> Uuid,
        bloc_id -> Uuid,
        year -> Int4,
        head_id -> Uuid,
        deputy_id -> Nullable<Uuid>,
        reporting_cutoff -> Date,
        frozen_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        registration_deadline -> Nullable<Date>,
    }
}

diesel::table! {
    term_members (term_id, organization_id) {
        term_id -> Uuid,
        year -> Int4,
        organization_id -> Uuid,
    }
}

diesel::table! {
    conferences (id) {
        id -> Uuid,
        bloc_id -> Uuid,
        year -> Int4,
        kind -> Text,
        held_on -> Date,
        location -> Nullable<Text>,
        host_organization_id -> Nullable<Uuid>,
        title -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    conference_attendees (conference_id, organization_id) {
        conference_id -> Uuid,
        organization_id -> Uuid,
    }
}

diesel::table! {
    conference_representatives (conference_id, ordinal) {
        conference_id -> Uuid,
        ordinal -> Int4,
        organization_id -> Nullable<Uuid>,
        full_name -> Text,
        position -> Nullable<Text>,
    }
}

diesel::table! {
    conference_documents (conference_id, ordinal) {
        conference_id -> Uuid,
        ordinal -> Int4,
        title -> Text,
        number -> Nullable<Text>,
        issued_on -> Nullable<Date>,
        url -> Nullable<Text>,
        sha256 -> Nullable<Text>,
    }
}

diesel::table! {
    pledges (id) {
        id -> Uuid,
        term_id -> Uuid,
        title -> Text,
        theme -> Nullable<Text>,
        adopted_at_conference_id -> Nullable<Uuid>,
        status -> Text,
        opened_at -> Nullable<Timestamptz>,
        in_force_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        withdrawn_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    pledge_items (id) {
        id -> Uuid,
        pledge_id -> Uuid,
        position -> Int4,
        text -> Text,
    }
}

diesel::table! {
    pledge_targets (id) {
        id -> Uuid,
        pledge_id -> Uuid,
        item_id -> Uuid,
        position -> Int4,
        kind -> Text,
        subject -> Text,
        label -> Text,
        comparator -> Nullable<Text>,
        target_value -> Nullable<Int8>,
        weight -> Nullable<Int4>,
    }
}

diesel::table! {
    pledge_signatures (id) {
        id -> Uuid,
        pledge_id -> Uuid,
        organization_id -> Uuid,
        signer_name -> Text,
        signer_position -> Text,
        signed_at -> Timestamptz,
        recorded_at -> Timestamptz,
        recorded_by -> Nullable<Uuid>,
        on_behalf -> Bool,
    }
}

diesel::table! {
    progress_reports (id) {
        id -> Uuid,
        pledge_id -> Uuid,
        target_id -> Uuid,
        organization_id -> Uuid,
        period -> Text,
        numerator -> Nullable<Int8>,
        denominator -> Nullable<Int8>,
        count_value -> Nullable<Int8>,
        done -> Nullable<Bool>,
        note -> Nullable<Text>,
        evidence -> Array<Text>,
        reported_at -> Timestamptz,
        reported_by -> Nullable<Uuid>,
        on_behalf -> Bool,
        superseded_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    scoring_schemes (id) {
        id -> Uuid,
        term_id -> Uuid,
        total_cap -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    scoring_sections (id) {
        id -> Uuid,
        scheme_id -> Uuid,
        position -> Int4,
        title -> Text,
    }
}

diesel::table! {
    scoring_criteria (id) {
        id -> Uuid,
        scheme_id -> Uuid,
        section_id -> Uuid,
        position -> Int4,
        code -> Text,
        text -> Text,
        kind -> Text,
        min_points -> Int4,
        max_points -> Int4,
        pledge_item_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    review_assignments (term_id, reviewer_id, subject_id) {
        term_id -> Uuid,
        reviewer_id -> Uuid,
        subject_id -> Uuid,
    }
}

diesel::table! {
    score_sheets (id) {
        id -> Uuid,
        scheme_id -> Uuid,
        subject_id -> Uuid,
        reviewer_id -> Uuid,
        status -> Text,
        recusal_reason -> Nullable<Text>,
        submitted_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    score_entries (sheet_id, criterion_id) {
        sheet_id -> Uuid,
        criterion_id -> Uuid,
        points -> Int4,
        note -> Nullable<Text>,
        evidence_url -> Nullable<Text>,
    }
}

diesel::table! {
    ballots (id) {
        id -> Uuid,
        term_id -> Uuid,
        seats -> Int4,
        threshold_percent -> Int4,
        candidates -> Array<Uuid>,
        members -> Array<Uuid>,
        voters -> Array<Uuid>,
        status -> Text,
        opened_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    ballot_papers (id) {
        id -> Uuid,
        ballot_id -> Uuid,
        choices -> Array<Uuid>,
    }
}

diesel::table! {
    leading_units (term_id, organization_id) {
        term_id -> Uuid,
        organization_id -> Uuid,
        ballot_id -> Nullable<Uuid>,
        rank -> Int4,
        votes -> Int4,
        minutes_ref -> Nullable<Text>,
    }
}

diesel::table! {
    award_types (code) {
        code -> Text,
        kind -> Text,
        subject_kind -> Text,
        level -> Text,
        name_vi -> Text,
        name_en -> Text,
        legal_basis -> Text,
        position -> Int4,
    }
}

diesel::table! {
    rule_sets (id) {
        id -> Uuid,
        code -> Text,
        version -> Int4,
        scope -> Text,
        name -> Text,
        legal_basis -> Text,
        effective_from -> Date,
        effective_to -> Nullable<Date>,
        params -> Jsonb,
        used_at -> Nullable<Timestamptz>,
        row_version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    person_year_facts (person_id, year) {
        person_id -> Uuid,
        year -> Int4,
        rating -> Text,
        registered -> Bool,
        months_employed -> Nullable<Int4>,
        absent_days -> Int4,
        discipline -> Text,
        discipline_until -> Nullable<Date>,
        under_investigation -> Bool,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    initiatives (id) {
        id -> Uuid,
        person_id -> Uuid,
        year -> Int4,
        title -> Text,
        level -> Text,
    }
}

diesel::table! {
    registrations (id) {
        id -> Uuid,
        organization_id -> Uuid,
        year -> Int4,
        titles -> Array<Text>,
        sub_units -> Jsonb,
        staff -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    proposals (id) {
        id -> Uuid,
        organization_id -> Nullable<Uuid>,
        year -> Int4,
        title -> Text,
        status -> Text,
        return_reason -> Nullable<Text>,
        council_note -> Nullable<Text>,
        council_on -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    proposal_items (id) {
        id -> Uuid,
        proposal_id -> Uuid,
        position -> Int4,
        award_type -> Text,
        person_id -> Nullable<Uuid>,
        organization_id -> Nullable<Uuid>,
        eligible -> Bool,
        eligibility -> Jsonb,
    }
}

diesel::table! {
    decisions (id) {
        id -> Uuid,
        number -> Text,
        decided_on -> Date,
        signer -> Text,
        issuing_body -> Text,
        year -> Int4,
        proposal_id -> Nullable<Uuid>,
        rule_set_id -> Uuid,
        override_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        provenance -> Text,
    }
}

diesel::table! {
    awards (id) {
        id -> Uuid,
        award_type -> Text,
        person_id -> Nullable<Uuid>,
        organization_id -> Nullable<Uuid>,
        year -> Int4,
        decision_id -> Uuid,
        status -> Text,
        eligibility -> Jsonb,
        overridden -> Bool,
        revoked_at -> Nullable<Timestamptz>,
        revoke_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        provenance -> Text,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        owner_kind -> Text,
        owner_id -> Uuid,
        url -> Text,
        event_types -> Array<Text>,
        organization_id -> Nullable<Uuid>,
        status -> Text,
        paused_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamptz>,
        cursor -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        subscription_id -> Uuid,
        event_id -> Int8,
        origin -> Text,
        attempt -> Int4,
        status -> Text,
        due_at -> Timestamptz,
        series_started_at -> Timestamptz,
        claimed_until -> Nullable<Timestamptz>,
        attempted_at -> Nullable<Timestamptz>,
        response_status -> Nullable<Int4>,
        latency_ms -> Nullable<Int4>,
        response_body -> Nullable<Text>,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

// Deadlines and reminders (migration 2026-12-02-000401_deadlines).
diesel::table! {
    term_deadline_settings (term_id) {
        term_id -> Uuid,
        reporting_periods -> Array<Text>,
        due_dates -> Jsonb,
        lead_days -> Array<Int4>,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    deadline_scans (term_id) {
        term_id -> Uuid,
        next_at -> Timestamptz,
    }
}

diesel::table! {
    deadline_notices (id) {
        id -> Uuid,
        term_id -> Uuid,
        organization_id -> Uuid,
        kind -> Text,
        period -> Text,
        due_on -> Date,
        notice -> Text,
        lead_days -> Int4,
        event_id -> Nullable<Int8>,
        mail_status -> Text,
        mail_claimed_until -> Nullable<Timestamptz>,
        mail_attempts -> Int4,
        mail_error -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

// Staff history and imports (issue 16).
diesel::table! {
    employments (id) {
        id -> Uuid,
        person_id -> Uuid,
        organization_id -> Uuid,
        position -> Nullable<Text>,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(employments -> people (person_id));

diesel::joinable!(people -> organizations (organization_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(awards -> decisions (decision_id));
diesel::joinable!(proposal_items -> proposals (proposal_id));
diesel::joinable!(bloc_terms -> blocs (bloc_id));
diesel::joinable!(term_members -> organizations (organization_id));
diesel::joinable!(conferences -> blocs (bloc_id));
diesel::joinable!(pledges -> bloc_terms (term_id));
diesel::joinable!(pledge_signatures -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    term_deadline_settings,
    deadline_scans,
    deadline_notices,
    webhook_subscriptions,
    webhook_deliveries,
    audit_log,
    audit_checkpoints,
    events,
    idempotency_keys,
    users,
    service_clients,
    login_failures,
    organizations,
    people,
    blocs,
    bloc_terms,
    term_members,
    conferences,
    conference_attendees,
    conference_representatives,
    conference_documents,
    pledges,
    pledge_items,
    pledge_targets,
    pledge_signatures,
    progress_reports,
    scoring_schemes,
    scoring_sections,
    scoring_criteria,
    review_assignments,
    score_sheets,
    score_entries,
    ballots,
    ballot_papers,
    leading_units,
    award_types,
    rule_sets,
    person_year_facts,
    initiatives,
    registrations,
    proposals,
    proposal_items,
    decisions,
    awards,
    employments,
);
