/**
 * The change log's one consumer (capability `claimChanges`). Acknowledging forgets, so two consumers
 * of one log would each lose what the other acknowledged: the backend records who consumes it, every
 * client sees that record, and only a take-over moves it. Each test starts from a released claim
 * (recordChanges(false)) and leaves one, since a backend may be shared between tests.
 */
import { describe, expect } from "vitest";
import type { ChangeClaim } from "../../adapter.js";
import type { VconStorage } from "../../storage.js";
import { expectStorageError } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { randomVconUuid } from "../fixtures.js";

/** Consumer names of their own per test: a claim left by another run must not pass for one of these. */
function consumers(): [string, string] {
  const run = randomVconUuid();
  return [`suite-a ${run}`, `suite-b ${run}`];
}

async function released(storage: VconStorage, body: () => Promise<void>): Promise<void> {
  await storage.recordChanges!(false);
  try {
    await body();
  } finally {
    await storage.recordChanges!(false);
  }
}

function expectClaim(claim: ChangeClaim, holder: string, message: string): void {
  expect(claim.holder, message).toBe(holder);
  expect(Number.isFinite(claim.claimedMs), "claimedMs is epoch milliseconds").toBe(true);
}

export function changeClaimsGroup(suite: SuiteContext): void {
  const group = "change claims";
  const spec = { requires: "claimChanges" } as const;
  describe(group, () => {
    suite.test(
      group,
      "the first consumer takes the claim; another is told who holds it and takes nothing",
      async ({ open }) => {
        const storage = await open();
        const [a, b] = consumers();
        await released(storage, async () => {
          await storage.recordChanges!(true);
          expectClaim(
            await storage.claimChanges!(a),
            a,
            "a change log nobody holds is claimed by the caller",
          );
          expectClaim(
            await storage.claimChanges!(b),
            a,
            "a claim held by another consumer is answered with that holder, not handed over",
          );
          const renewed = await storage.claimChanges!(a);
          expectClaim(renewed, a, "the holder claiming again keeps the claim");
          expectClaim(await storage.claimChanges!(b), a, "asking again still changes nothing");
        });
      },
      spec,
    );

    suite.test(
      group,
      "the holder's claim is renewed each time it claims (claimedMs does not go back)",
      async ({ open }) => {
        const storage = await open();
        const [a, b] = consumers();
        await released(storage, async () => {
          const first = await storage.claimChanges!(a);
          await new Promise((resolve) => setTimeout(resolve, 20));
          const second = await storage.claimChanges!(a);
          expect(second.claimedMs, "a renewal records when the holder last claimed").toBeGreaterThanOrEqual(
            first.claimedMs,
          );
          const seen = await storage.claimChanges!(b);
          expect(seen.claimedMs, "another consumer sees the holder's latest claim").toBe(second.claimedMs);
        });
      },
      spec,
    );

    suite.test(
      group,
      "takeOver moves the claim; the former holder is then told the new one",
      async ({ open }) => {
        const storage = await open();
        const [a, b] = consumers();
        await released(storage, async () => {
          await storage.claimChanges!(a);
          expectClaim(
            await storage.claimChanges!(b, { takeOver: true }),
            b,
            "takeOver gives the claim to the caller whoever held it",
          );
          expectClaim(await storage.claimChanges!(a), b, "the former holder no longer holds it");
        });
      },
      spec,
    );

    suite.test(
      group,
      "recordChanges(false) releases the claim",
      async ({ open }) => {
        const storage = await open();
        const [a, b] = consumers();
        await released(storage, async () => {
          await storage.recordChanges!(true);
          await storage.claimChanges!(a);
          await storage.recordChanges!(false);
          expectClaim(
            await storage.claimChanges!(b),
            b,
            "turning the change log off releases its claim: the next consumer takes it",
          );
        });
      },
      spec,
    );

    suite.test(
      group,
      "claimChanges rejects an empty or overlong consumer and a takeOver that is not a boolean with VALIDATION",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => storage.claimChanges!(""), "VALIDATION");
        await expectStorageError(() => storage.claimChanges!("x".repeat(201)), "VALIDATION");
        await expectStorageError(
          () => storage.claimChanges!("suite", { takeOver: "yes" as unknown as boolean }),
          "VALIDATION",
        );
      },
      spec,
    );

    suite.test(
      group,
      "claimChanges rejects with NOT_SUPPORTED when the capability is not declared",
      async ({ open, skip }) => {
        const storage = await open();
        // Optional in VconStorage: a storage written before it existed may not have it at all.
        if (typeof storage.claimChanges !== "function") skip("the storage has no claimChanges");
        await expectStorageError(() => storage.claimChanges!("suite"), "NOT_SUPPORTED");
      },
      { requiresMissing: "claimChanges" },
    );
  });
}
