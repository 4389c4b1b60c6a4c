// Pure parts of the client: Retry-After parsing, backoff bounds, pagination.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { portalClientOptionsFromEnv } from "../../src/portal/client.js";
import { paginate } from "../../src/portal/paginate.js";
import { backoffDelayMs, parseRetryAfter } from "../../src/portal/retry.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("reads delta seconds and HTTP dates", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });
  it("ignores absent or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("backoffDelayMs", () => {
  it("stays within [0, min(max, min * 2^(retry-1))) — full jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (retry, minDelayMs, maxDelayMs, random) => {
          const delay = backoffDelayMs(retry, { retries: 5, minDelayMs, maxDelayMs }, () => random);
          const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** (retry - 1));
          return delay >= 0 && delay <= ceiling && Number.isInteger(delay);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("paginate", () => {
  it("reads ceil(n / size) pages and returns every item in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 250 }), fc.integer({ min: 1, max: 100 }), async (count, size) => {
        const items = Array.from({ length: count }, (_, index) => index);
        let calls = 0;
        const all = await paginate(async ({ _page, _page_size }) => {
          calls++;
          const start = (_page - 1) * _page_size;
          return { count, next_page: start + _page_size < count ? _page + 1 : null, results: items.slice(start, start + _page_size) };
        }, size);
        expect(all).toEqual(items);
        expect(calls).toBe(Math.max(1, Math.ceil(count / size)));
      }),
      { numRuns: 50 },
    );
  });
  it("refuses a next_page that does not move forward, and an out-of-range page size", async () => {
    await expect(paginate(async () => ({ count: 2, next_page: 1, results: [1] }))).rejects.toThrow(/next_page 1 on page 1/);
    await expect(paginate(async () => ({ count: 0, next_page: null, results: [] }), 101)).rejects.toThrow(RangeError);
  });
});

describe("portalClientOptionsFromEnv", () => {
  it("reads PIGELLO_PORTAL_URL and PIGELLO_PORTAL_TOKEN and names what is missing", () => {
    expect(portalClientOptionsFromEnv({ PIGELLO_PORTAL_URL: "http://127.0.0.1:4010", PIGELLO_PORTAL_TOKEN: "t" })).toEqual({
      baseUrl: "http://127.0.0.1:4010",
      token: "t",
    });
    expect(() => portalClientOptionsFromEnv({ PIGELLO_PORTAL_URL: "http://127.0.0.1:4010" })).toThrow(/Set PIGELLO_PORTAL_TOKEN to reach/);
    expect(() => portalClientOptionsFromEnv({})).toThrow(/Set PIGELLO_PORTAL_URL and PIGELLO_PORTAL_TOKEN/);
  });
});
