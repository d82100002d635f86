// Workaround, to delete once the published document is fixed (issue 14):
// today 29 operations share 5 operationIds (`list` x9, `create` x7, `get` x7,
// `update` x4, `disable` x2). openapi-typescript keys `interface operations`
// by operationId, so each repeated id types all its operations as the first
// one (GET /api/v1/organizations would be typed as the audit list). This
// copies the document without the repeated ids; openapi-typescript then
// types those operations in place under `paths`, which is all this example
// uses. The document is otherwise unchanged. With unique ids it copies the
// document as it is and says so.
//
// usage: node scripts/drop-duplicate-operation-ids.mjs IN.json OUT.json
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const [input, output] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(input, "utf8"));
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
const ops = Object.values(doc.paths ?? {}).flatMap((item) =>
  METHODS.filter((m) => item[m]).map((m) => item[m]),
);
const count = new Map();
for (const op of ops) if (op.operationId) count.set(op.operationId, (count.get(op.operationId) ?? 0) + 1);
const repeated = [...count].filter(([, n]) => n > 1);
let dropped = 0;
for (const op of ops) {
  if (op.operationId && count.get(op.operationId) > 1) {
    delete op.operationId;
    dropped += 1;
  }
}
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, JSON.stringify(doc));
console.log(
  repeated.length
    ? `workaround: dropped ${dropped} repeated operationIds (${repeated.map(([id, n]) => `${id} x${n}`).join(", ")})`
    : "workaround not needed: every operationId is unique (delete scripts/drop-duplicate-operation-ids.mjs)",
);
