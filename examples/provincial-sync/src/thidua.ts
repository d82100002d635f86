// A typed thidua client: openapi-fetch over the types openapi-typescript
// generates from the published document (`npm run generate`). Everything an
// integration needs beyond the generated types is here: the bearer token,
// the problem+json errors, and the two ways to log in.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/thidua.js";

export type Schemas = components["schemas"];
// JSON answers are typed as JSON; a call that wants CSV says `parseAs: "text"`.
export type Thidua = Client<paths, "application/json">;
export type Problem = Schemas["Problem"];

/** An answer that is not the one the integration expected. */
export class ThiduaError extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    const code = problem?.code ?? "(no problem body)";
    const detail = problem?.detail ? `: ${problem.detail}` : "";
    super(`${what}: HTTP ${status} ${code}${detail}`);
  }
}

/**
 * The answer's data, or a ThiduaError naming the step, the status and the
 * problem's stable `code` (RFC 9457).
 */
export function ok<T>(
  what: string,
  result: { data?: T; error?: unknown; response: Response },
  expectStatus?: number,
): T {
  const { data, error, response } = result;
  if (error !== undefined || data === undefined || (expectStatus && response.status !== expectStatus)) {
    throw new ThiduaError(what, response.status, isProblem(error) ? error : undefined);
  }
  return data;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "code" in value && "status" in value;
}

/** A client for `baseUrl` that sends `token` (when given) on every call. */
export function thidua(baseUrl: string, token?: string): Thidua {
  const client = createClient<paths, "application/json">({ baseUrl, headers: { "Accept-Language": "en" } });
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}

/**
 * Client credentials, sent as the OAuth 2.0 form a stock client sends
 * (`grant_type=client_credentials`), the other content type the token
 * operation takes besides JSON.
 */
export async function loginAsClient(baseUrl: string, clientId: string, clientSecret: string): Promise<Thidua> {
  const form: Schemas["TokenFormBody"] = {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
  };
  const token = ok(
    "log in with client credentials",
    await thidua(baseUrl).POST("/api/v1/auth/token", {
      body: form,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
    }),
    200,
  );
  return thidua(baseUrl, token.accessToken);
}

/** A person's login, with the JSON body. */
export async function loginAsUser(baseUrl: string, username: string, password: string): Promise<Thidua> {
  const token = ok(
    `log in as ${username}`,
    await thidua(baseUrl).POST("/api/v1/auth/token", {
      body: { grantType: "password", username, password },
    }),
    200,
  );
  return thidua(baseUrl, token.accessToken);
}

/** Every item of a keyset-paginated collection, following `nextCursor`. */
export async function all<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const p = await page(cursor);
    items.push(...p.items);
    if (!p.nextCursor) return items;
    cursor = p.nextCursor;
  }
}

/** Read an environment variable the example cannot run without. */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return value;
}

/** Stop with a message when an expectation about the API does not hold. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}
