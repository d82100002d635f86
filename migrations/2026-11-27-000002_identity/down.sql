DROP TABLE login_failures;
DROP TABLE service_clients;
DROP TABLE users;
