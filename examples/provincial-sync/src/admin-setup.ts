// What the provincial board (the admin) does once before a unit's system
// can report on the demo's 2021 pledge (README, "Try a year"):
//  1. register the unit's system as a service client bound to the unit
//     (Sở Y tế, `SYT`), with read and write scopes: its secret is shown once;
//  2. move the 2021 reporting cut-off (T8, 15 December 2021 in the demo) to a
//     year from today, with a reason (audited).
// Writes the client's credentials as JSON to $THIDUA_CREDENTIALS_FILE.
//
// env: THIDUA_URL, THIDUA_ADMIN_PASSWORD, THIDUA_CREDENTIALS_FILE,
//      THIDUA_CLIENT_ID (default `syt-reporting`)
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { all, check, env, loginAsUser, ok, ThiduaError, type Schemas, type Thidua } from "./thidua.js";

const BLOC = "VHXH";
const UNIT = "SYT";
const YEAR = 2021;

async function main(): Promise<void> {
  const base = env("THIDUA_URL");
  const admin = await loginAsUser(base, "admin", env("THIDUA_ADMIN_PASSWORD"));
  const clientId = process.env["THIDUA_CLIENT_ID"] ?? "syt-reporting";

  const orgs = ok("find the unit", await admin.GET("/api/v1/organizations", { params: { query: { code: UNIT } } }));
  const unit = orgs.items.find((o) => o.code === UNIT);
  check(unit !== undefined, `organisation ${UNIT} exists`);

  const secret = await registerClient(admin, clientId, unit.id);
  writeFileSync(env("THIDUA_CREDENTIALS_FILE"), JSON.stringify({ clientId, clientSecret: secret }), { mode: 0o600 });
  console.log(`client ${clientId}: registered for ${UNIT} (${unit.id}) with scopes read, write`);

  // Blocs cannot be filtered by code (`?code=` is 400 today): page through.
  const blocs = await all(async (cursor) =>
    ok("list blocs", await admin.GET("/api/v1/blocs", { params: { query: cursor ? { cursor } : {} } })),
  );
  const bloc = blocs.find((b) => b.code === BLOC);
  check(bloc !== undefined, `bloc ${BLOC} exists`);

  const cutoff = inVietnam(new Date(Date.now() + 365 * 24 * 3600 * 1000));
  const term = ok(
    "move the reporting cut-off",
    await admin.PUT("/api/v1/blocs/{id}/terms/{year}/reporting-cutoff", {
      params: { path: { id: bloc.id, year: YEAR } },
      body: { reportingCutoff: cutoff, reason: "Ví dụ tích hợp: mở nhập số liệu năm 2021 (demo)" },
    }),
    200,
  );
  check(term.reportingCutoff === cutoff, `the term's cut-off is now ${cutoff} (got ${term.reportingCutoff})`);
  console.log(`bloc ${BLOC} ${YEAR}: reporting cut-off moved to ${cutoff}`);
}

/** The secret of a new client, or of the existing one after a rotation. */
async function registerClient(admin: Thidua, clientId: string, organizationId: string): Promise<string> {
  const body: Schemas["CreateClientBody"] = {
    clientId,
    name: "Hệ thống báo cáo của Sở Y tế",
    scopes: ["read", "write"],
    organizationId,
  };
  try {
    const created = ok(
      "register the client",
      await admin.POST("/api/v1/clients", { body, params: { header: { "Idempotency-Key": randomUUID() } } }),
      201,
    );
    return created.clientSecret;
  } catch (e) {
    if (!(e instanceof ThiduaError && e.problem?.code === "client_id_taken")) throw e;
  }
  // Run before against this database: rotate the secret of the one there.
  const clients = await all(async (cursor) =>
    ok("list clients", await admin.GET("/api/v1/clients", { params: { query: cursor ? { cursor } : {} } })),
  );
  const existing = clients.find((c) => c.clientId === clientId);
  check(existing !== undefined, `client ${clientId} is listed`);
  const rotated = ok(
    "rotate the client's secret",
    await admin.POST("/api/v1/clients/{id}/secret", { params: { path: { id: existing.id } } }),
  );
  return rotated.clientSecret;
}

/** The calendar date in Vietnam (UTC+7), as the cut-off is one. */
function inVietnam(when: Date): string {
  return new Date(when.getTime() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
