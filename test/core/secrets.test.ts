import { MASK, mask, maskDeep, registerSecret, secret, reveal } from "../../lib/core/secrets.js";
import { inspect } from "node:util";

describe("secrets", () => {
  test("a registered value is masked wherever it appears", () => {
    registerSecret("s3cr3t-value-1");
    expect(mask("password=s3cr3t-value-1; again s3cr3t-value-1")).toBe(`password=${MASK}; again ${MASK}`);
  });

  test("a Secret prints, serialises and inspects as ***", () => {
    const s = secret("another-secret-2");
    expect(String(s)).toBe(MASK);
    expect(JSON.stringify({ s })).toBe(`{"s":"${MASK}"}`);
    expect(inspect(s)).toBe(MASK);
    expect(reveal(s)).toBe("another-secret-2");
  });

  test("maskDeep masks nested strings", () => {
    registerSecret("deep-secret-3");
    expect(maskDeep({ a: ["x deep-secret-3"], b: { c: "deep-secret-3" } })).toEqual({ a: [`x ${MASK}`], b: { c: MASK } });
  });

  test("the JSON-escaped form of a secret is masked too", () => {
    registerSecret('quo"te-secret');
    expect(mask(JSON.stringify({ p: 'quo"te-secret' }))).toBe(`{"p":"${MASK}"}`);
  });

  test("values shorter than three characters are not registered (they would shred output)", () => {
    registerSecret("ab");
    expect(mask("abc")).toBe("abc");
  });
});
