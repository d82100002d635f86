-- Issue 15, item 3: the per-request account check is served from an
-- in-process cache (src/auth/cache.rs, docs/feed.md "The account check");
-- every instance LISTENs on `thidua_accounts` and drops an account's entry
-- when this fires, at the commit of a change that can make a token fail or
-- change what it may do: disabled, token version bumped (password change,
-- revocation), roles, organisation, name or scopes changed, or deleted.
CREATE FUNCTION thidua_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('thidua_accounts', TG_ARGV[0] || ':' || OLD.id::text);
    RETURN NULL;
END $$;

CREATE TRIGGER users_changed AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.active IS DISTINCT FROM NEW.active
          OR OLD.token_version IS DISTINCT FROM NEW.token_version
          OR OLD.roles IS DISTINCT FROM NEW.roles
          OR OLD.organization_id IS DISTINCT FROM NEW.organization_id
          OR OLD.username IS DISTINCT FROM NEW.username
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION thidua_account_changed('user');
CREATE TRIGGER users_deleted AFTER DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION thidua_account_changed('user');

CREATE TRIGGER service_clients_changed AFTER UPDATE ON service_clients FOR EACH ROW
    WHEN (OLD.active IS DISTINCT FROM NEW.active
          OR OLD.token_version IS DISTINCT FROM NEW.token_version
          OR OLD.scopes IS DISTINCT FROM NEW.scopes
          OR OLD.organization_id IS DISTINCT FROM NEW.organization_id
          OR OLD.client_id IS DISTINCT FROM NEW.client_id
          OR OLD.secret_hash IS DISTINCT FROM NEW.secret_hash)
    EXECUTE FUNCTION thidua_account_changed('client');
CREATE TRIGGER service_clients_deleted AFTER DELETE ON service_clients FOR EACH ROW
    EXECUTE FUNCTION thidua_account_changed('client');
