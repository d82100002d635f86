// Swagger UI in a real browser (.ci/contract-swagger-ui.sh runs this against
// `thidua serve --demo`): headless Debian Chromium driven by playwright-core.
//
//  1. Open /swagger-ui/ and get a token the way README tells a person to:
//     auth -> POST /api/v1/auth/token, the `password` example with the
//     admin's real password, Execute; then Authorize with the accessToken.
//  2. For every GET without path parameters in the served document: expand
//     it, Try it out (when not already on), Execute, and record the request
//     the browser actually sent (from the network, and the "Request URL"
//     Swagger UI shows) and the answer's status.
//  3. POST /api/v1/organizations with its body example as shown: 201.
//  4. Save screenshots (the POST with its answer; the first GET that sent
//     another operation's request, if any); print their paths and a table (operation, path sent,
//     status). Exit 1 when any request went to another path than its
//     operation's, any GET was not 2xx, or the POST was not 201.
//
// env: THIDUA_URL, THIDUA_ADMIN_PASSWORD, SCREENSHOT_DIR,
//      CHROMIUM (default /usr/bin/chromium)
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const base = mustEnv("THIDUA_URL");
const password = mustEnv("THIDUA_ADMIN_PASSWORD");
const outDir = mustEnv("SCREENSHOT_DIR");
mkdirSync(outDir, { recursive: true });
const STEP_MS = 15_000;

function mustEnv(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return v;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  // The flags this machine needs (docs/contract.md): no sandbox as root, and
  // no background connections to hosts the closed network refuses.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let failed = false;
const rows = [];
const shots = [];
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1500 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));

  await page.goto(`${base}/swagger-ui/`);
  await page.locator(".swagger-ui .opblock").first().waitFor();
  const doc = await (await page.request.get(`${base}/api-docs/openapi.json`)).json();

  // 1. A token from the password example, then Authorize.
  const tokenBlock = await open(page, "post", "/api/v1/auth/token");
  const examples = tokenBlock.locator(".opblock-section-request-body select.examples-select-element, .opblock-section-request-body .examples-select select");
  if (await examples.count()) {
    await examples.first().selectOption("password");
  }
  const bodyBox = tokenBlock.locator("textarea.body-param__text");
  const example = JSON.parse(await bodyBox.inputValue());
  if (example.grantType !== "password") throw new Error(`the password example is not shown: ${JSON.stringify(example)}`);
  example.password = password; // the example holds a placeholder
  await bodyBox.fill(JSON.stringify(example, null, 2));
  const tokenAnswer = await execute(page, tokenBlock, "POST");
  if (!tokenAnswer.response || tokenAnswer.response.status() !== 200) {
    throw new Error(`POST /api/v1/auth/token from the password example: ${tokenAnswer.response?.status() ?? "no request sent"}`);
  }
  const { accessToken } = await tokenAnswer.response.json();
  await collapse(tokenBlock);
  await page.locator(".auth-wrapper .btn.authorize").click();
  const modal = page.locator(".dialog-ux .modal-ux");
  await modal.locator("input").first().fill(accessToken);
  await modal.locator(".btn.modal-btn.auth.authorize").first().click();
  await modal.locator(".btn.modal-btn.auth.btn-done, .btn-done").first().click();
  console.log("authorized in Swagger UI with a token from the password example");

  // 2. Every GET without path parameters.
  const gets = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (item.get && !path.includes("{")) gets.push({ path, op: item.get });
  }
  for (const { path, op } of gets) {
    const block = await open(page, "get", path);
    const answer = await execute(page, block, "GET");
    const r = await row("GET", path, op.operationId, answer, (s) => s >= 200 && s < 300);
    rows.push(r);
    if (r.wrongPath && !shots.some((s) => s.includes("wrong-path"))) {
      // The first operation that sent another's request, as a person sees it.
      await block.evaluate((el) => el.scrollIntoView({ block: "start" }));
      const shot = join(outDir, "swagger-ui-wrong-path.png");
      await page.screenshot({ path: shot });
      shots.push(shot);
    }
    await collapse(block);
  }

  // 3. Create an organisation from the body example, as shown.
  const orgBlock = await open(page, "post", "/api/v1/organizations");
  const createOp = doc.paths["/api/v1/organizations"].post;
  const orgAnswer = await execute(page, orgBlock, "POST");
  rows.push(await row("POST", "/api/v1/organizations", createOp.operationId, orgAnswer, (s) => s === 201));

  // 4. Screenshots: the POST with its answer, and the whole page.
  // The request as sent (curl, Request URL) and the server's answer.
  await orgBlock.evaluate((el) => el.scrollIntoView({ block: "start" }));
  const shot = join(outDir, "swagger-ui-create-organization.png");
  await page.screenshot({ path: shot });
  shots.push(shot);
  if (pageErrors.length) console.log(`page errors: ${pageErrors.join("; ")}`);
} catch (e) {
  console.error(`swagger-ui check stopped: ${e instanceof Error ? e.message : e}`);
  failed = true;
} finally {
  await browser.close();
}
for (const shot of shots) console.log(`screenshot: ${shot}`);

// The table.
const wide = (k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
const cols = ["operation", "operationId", "sent", "uiUrl", "status", "verdict"];
const heads = { operation: "operation", operationId: "operationId", sent: "path sent", uiUrl: "Request URL shown", status: "status", verdict: "verdict" };
const w = Object.fromEntries(cols.map((c) => [c, Math.max(heads[c].length, wide(c))]));
console.log(cols.map((c) => heads[c].padEnd(w[c])).join("  "));
console.log(cols.map((c) => "-".repeat(w[c])).join("  "));
for (const r of rows) console.log(cols.map((c) => String(r[c]).padEnd(w[c])).join("  "));
const wrongPath = rows.filter((r) => r.wrongPath).length;
const badStatus = rows.filter((r) => !r.wrongPath && !r.ok).length;
const total = rows.length;
console.log(
  `swagger-ui: ${total} operations tried: ${total - wrongPath - badStatus} right, ${wrongPath} sent to another path, ${badStatus} with an unexpected status`,
);
process.exit(failed || wrongPath || badStatus || total === 0 ? 1 : 0);

/** The operation block of METHOD PATH, expanded, with Try it out on. */
async function open(page, method, path) {
  const block = page
    .locator(`.opblock.opblock-${method}`)
    .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) })
    .first();
  await block.scrollIntoViewIfNeeded();
  if (!(await block.evaluate((el) => el.classList.contains("is-open")))) {
    await block.locator(".opblock-summary").first().click();
  }
  await block.locator(".opblock-body").waitFor();
  const tryOut = block.locator("button.try-out__btn");
  if ((await tryOut.count()) && (await tryOut.innerText()).trim().toLowerCase().startsWith("try it out")) {
    await tryOut.click();
  }
  await block.locator("button.execute").waitFor();
  return block;
}

async function collapse(block) {
  if (await block.evaluate((el) => el.classList.contains("is-open"))) {
    await block.locator(".opblock-summary").first().click();
  }
}

/** Press Execute; the request the browser sent to the API, if any, and what Swagger UI shows. */
async function execute(page, block, method) {
  const sent = page
    .waitForResponse((r) => r.request().method() === method && r.url().startsWith(base) && !r.url().includes("/swagger-ui/") && !r.url().includes("/api-docs/"), { timeout: STEP_MS })
    .catch(() => null);
  await block.locator("button.execute").click();
  const response = await sent;
  let uiUrl = "";
  let uiStatus = "";
  try {
    await block.locator(".live-responses-table .response .response-col_status").first().waitFor({ timeout: STEP_MS });
    uiUrl = (await block.locator(".request-url pre").first().innerText()).trim();
    uiStatus = (await block.locator(".live-responses-table .response .response-col_status").first().innerText()).trim();
  } catch {
    /* nothing shown */
  }
  return { response, uiUrl, uiStatus };
}

async function row(method, path, operationId, answer, good) {
  const sentUrl = answer.response ? new URL(answer.response.url()) : null;
  const sent = sentUrl ? `${sentUrl.pathname}${sentUrl.search}` : "(nothing sent)";
  const uiUrl = answer.uiUrl ? new URL(answer.uiUrl).pathname : "";
  let status = answer.response ? answer.response.status() : "-";
  if (answer.response && answer.response.status() >= 400) {
    try {
      status = `${status} ${(await answer.response.json()).code ?? ""}`.trim();
    } catch {
      /* not a problem body */
    }
  }
  const wrongPath = !sentUrl || sentUrl.pathname !== path;
  const ok = !wrongPath && answer.response !== null && good(answer.response.status());
  return {
    operation: `${method} ${path}`,
    operationId: operationId ?? "",
    sent,
    uiUrl,
    status,
    wrongPath,
    ok,
    verdict: wrongPath ? "WRONG PATH" : ok ? "ok" : "UNEXPECTED STATUS",
  };
}
