DROP TRIGGER service_clients_deleted ON service_clients;
DROP TRIGGER service_clients_changed ON service_clients;
DROP TRIGGER users_deleted ON users;
DROP TRIGGER users_changed ON users;
DROP FUNCTION thidua_account_changed();
