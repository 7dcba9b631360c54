/** Paths of the inventory test fixtures. */
import { fileURLToPath } from "node:url";

/** `test/fixtures/inventory/`, the cwd the inventory tests load from. */
export const FIXTURES = fileURLToPath(new URL("../fixtures/inventory/", import.meta.url));

/** The message of whatever `fn` throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw, got none");
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejected(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection, got none");
}
