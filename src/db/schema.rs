// @generated shape of `diesel print-schema` for the migrations in
// ../migrations (kept by hand: diesel_cli is not part of the build).

diesel::table! {
    audit_log (id) {
        id -> Int8,
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
        prev_hash -> Bytea,
        hash -> Bytea,
    }
}

diesel::table! {
    events (id) {
        id -> Int8,
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
    login_failures (id) {
        id -> Int8,
        principal -> Text,
        failed_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    audit_log,
    events,
    idempotency_keys,
    users,
    service_clients,
    login_failures,
);
