// A unit's own system (Sở Y tế's reporting tool) integrating with thidua:
//  1. log in with client credentials (the OAuth 2.0 form);
//  2. note where the change feed is (its cursor, `lastEventId`);
//  3. send this quarter's progress reports on the bloc's 2021 pledge as one
//     batch with an Idempotency-Key, and retry it once as a client does
//     after a lost answer: the retry must be the first answer again, byte
//     for byte, marked `Idempotent-Replayed: true`, and store nothing twice;
//  4. follow the change feed from the cursor: one `progress.reported` event
//     for the batch, naming the stored reports;
//  5. read the compliance matrix (JSON, and the CSV a spreadsheet takes):
//     the unit's cells show what was reported, with exact percentages.
// Exits non-zero when any of that does not hold.
//
// env: THIDUA_URL, THIDUA_CLIENT_ID, THIDUA_CLIENT_SECRET
import { randomUUID } from "node:crypto";
import { all, check, env, loginAsClient, ok, ThiduaError, type Schemas, type Thidua } from "./thidua.js";

const UNIT = "SYT";
const YEAR = 2021;
const PERIOD = "Q2";

type ReportView = Schemas["ReportView"];
type TargetView = Schemas["TargetView"];
type ReportLine = Schemas["ReportLine"];

async function main(): Promise<void> {
  const api = await loginAsClient(env("THIDUA_URL"), env("THIDUA_CLIENT_ID"), env("THIDUA_CLIENT_SECRET"));
  console.log("1. logged in with client credentials");

  const cursor = await feedEnd(api);
  console.log(`2. change feed: cursor (lastEventId) ${cursor}`);

  const pledges = ok("find the pledge", await api.GET("/api/v1/pledges", { params: { query: { year: YEAR } } }));
  const summary = pledges.items.find((p) => p.status === "in_force");
  check(summary !== undefined, `a ${YEAR} pledge is in force`);
  const pledge = ok("read the pledge", await api.GET("/api/v1/pledges/{id}", { params: { path: { id: summary.id } } }));
  const targets = pledge.items.flatMap((item) => item.targets);
  const batch = reportsFor(targets);

  const stored = await reportOnce(api, pledge.id, { period: PERIOD, reports: batch.map((b) => b.line) });
  console.log(`3. reported ${stored.length} lines for ${PERIOD}; the retry was replayed, nothing stored twice`);
  for (const b of batch) console.log(`     ${b.describe}`);

  await followFeed(api, cursor, pledge.id, stored);

  await readCompliance(api, pledge.id, stored, targets);
}

/** The feed's end: the cursor to follow from. */
async function feedEnd(api: Thidua): Promise<number> {
  let after = 0;
  for (;;) {
    const page = ok("read the change feed", await api.GET("/api/v1/events", { params: { query: { after, limit: 200 } } }));
    if (page.items.length === 0) return page.lastEventId;
    after = page.lastEventId;
  }
}

/** This quarter's figures: one line per measurable target kind the pledge has. */
function reportsFor(targets: TargetView[]): { line: ReportLine; describe: string }[] {
  const lines: { line: ReportLine; describe: string }[] = [];
  const staff = targets.find((t) => t.kind === "percentage" && t.subject === "staff");
  if (staff) {
    lines.push({
      line: { targetId: staff.id, numerator: 45, denominator: 48, note: "Sơ kết quý II" },
      describe: `${staff.label}: 45/48`,
    });
  }
  const subUnits = targets.find((t) => t.kind === "percentage" && t.subject === "sub_units");
  if (subUnits) {
    lines.push({ line: { targetId: subUnits.id, numerator: 7, denominator: 7 }, describe: `${subUnits.label}: 7/7` });
  }
  const yesNo = targets.find((t) => t.kind === "boolean");
  if (yesNo) lines.push({ line: { targetId: yesNo.id, done: true }, describe: `${yesNo.label}: done` });
  check(lines.length > 0, "the pledge has measurable targets");
  return lines;
}

/**
 * POST the batch under one Idempotency-Key, then send it again with the same
 * key (a client that lost the first answer does exactly this). Both answers
 * are read as text to compare them byte for byte.
 */
async function reportOnce(api: Thidua, pledgeId: string, body: Schemas["ReportBody"]): Promise<ReportView[]> {
  const key = randomUUID();
  const send = () =>
    api.POST("/api/v1/pledges/{id}/reports", {
      params: { path: { id: pledgeId }, header: { "Idempotency-Key": key } },
      body,
      parseAs: "text",
    });
  const first = await send();
  const firstText = ok("send the report batch", first, 201);
  check(first.response.headers.get("Idempotent-Replayed") === null, "the first answer is not a replay");

  const retry = await send();
  const retryText = ok("retry the report batch", retry, 201);
  check(retry.response.headers.get("Idempotent-Replayed") === "true", "the retry is marked Idempotent-Replayed: true");
  check(retryText === firstText, "the retry's body is the first answer's, byte for byte");

  const stored = JSON.parse(firstText) as ReportView[];
  check(stored.length === body.reports.length, `one stored report per line (${stored.length})`);

  // Nothing stored twice: the current reports of the unit for the period are these.
  const current = await all(async (cursor) =>
    ok(
      "list the unit's reports",
      await api.GET("/api/v1/pledges/{id}/reports", {
        params: {
          path: { id: pledgeId },
          query: { organizationId: stored[0]!.organizationId, period: `${YEAR}-${PERIOD}`, ...(cursor ? { cursor } : {}) },
        },
      }),
    ),
  );
  const ids = new Set(stored.map((r) => r.id));
  const mine = current.filter((r) => body.reports.some((l) => l.targetId === r.targetId));
  check(
    mine.length === stored.length && mine.every((r) => ids.has(r.id)),
    `the unit's current ${PERIOD} reports are exactly the ${stored.length} stored (found ${mine.length})`,
  );

  // A retry with the same key but another body is refused, not stored.
  try {
    ok(
      "reuse the key with another body",
      await api.POST("/api/v1/pledges/{id}/reports", {
        params: { path: { id: pledgeId }, header: { "Idempotency-Key": key } },
        body: { ...body, period: "Q3" },
      }),
    );
    check(false, "a reused key with another body is refused");
  } catch (e) {
    check(e instanceof ThiduaError && e.status === 422 && e.problem?.code === "idempotency_key_reused",
      `a reused key with another body is 422 idempotency_key_reused (${e instanceof Error ? e.message : e})`);
  }
  return stored;
}

/** Follow the feed from `cursor` to its end: the batch is one event. */
async function followFeed(api: Thidua, cursor: number, pledgeId: string, stored: ReportView[]): Promise<void> {
  const events: Schemas["Event"][] = [];
  let after = cursor;
  for (;;) {
    const page = ok("follow the change feed", await api.GET("/api/v1/events", { params: { query: { after, limit: 50 } } }));
    events.push(...page.items);
    if (page.items.length === 0) break;
    check(page.items.every((e) => e.id > after), "events come after the cursor, in order");
    after = page.lastEventId;
  }
  const reported = events.filter((e) => e.type === "progress.reported" && e.entityId === pledgeId);
  check(reported.length === 1, `one progress.reported event for the batch and its retry (got ${reported.length})`);
  const event = reported[0]!;
  const named = JSON.stringify(event.data);
  check(stored.every((r) => named.includes(r.id)), "the event names every stored report");
  console.log(`4. change feed after ${cursor}: ${events.length} event(s): ${events.map((e) => `#${e.id} ${e.type}`).join(", ")}; next cursor ${after}`);
}

/** The unit's row of the compliance matrix shows what was reported. */
async function readCompliance(api: Thidua, pledgeId: string, stored: ReportView[], targets: TargetView[]): Promise<void> {
  const matrix = ok("read the compliance matrix", await api.GET("/api/v1/pledges/{id}/compliance", { params: { path: { id: pledgeId } } }));
  const row = matrix.units.find((u) => u.code === UNIT);
  check(row !== undefined, `the matrix has a row for ${UNIT}`);
  console.log(`5. compliance of ${row.name}: ${row.summary.achieved} of ${row.summary.measurable} measurable targets achieved, ${row.summary.reported} reported`);
  for (const r of stored) {
    const cell = row.cells.find((c) => c.targetId === r.targetId);
    check(cell !== undefined, `a cell for target ${r.targetId}`);
    check(
      cell.numerator === r.numerator && cell.denominator === r.denominator && cell.done === r.done,
      `the cell shows the reported values for ${r.targetId}`,
    );
    const label = targets.find((t) => t.id === r.targetId)?.label ?? r.targetId;
    const value = cell.percent !== null && cell.percent !== undefined ? `${cell.numerator}/${cell.denominator} = ${cell.percent}%` : `done: ${cell.done}`;
    console.log(`     ${label}: ${value}, ${cell.achieved ? "achieved" : "not achieved"} (${cell.status})`);
  }
  const staff = stored.find((r) => r.numerator === 45 && r.denominator === 48);
  if (staff) {
    const cell = row.cells.find((c) => c.targetId === staff.targetId);
    check(cell?.percent === "93.75" && cell.achieved === false, "45/48 is exactly 93.75%, not achieved against 100%");
  }

  const csv = await api.GET("/api/v1/pledges/{id}/compliance", {
    params: { path: { id: pledgeId } },
    headers: { Accept: "text/csv" },
    parseAs: "text",
  });
  const text = ok("read the compliance matrix as CSV", csv, 200);
  check((csv.response.headers.get("Content-Type") ?? "").startsWith("text/csv"), "the CSV is text/csv");
  const lines = text.trim().split(/\r?\n/);
  check(lines.some((l) => l.includes(UNIT)), `the CSV has a line for ${UNIT}`);
  console.log(`     CSV: ${lines.length} lines, header: ${lines[0]?.slice(0, 100)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
