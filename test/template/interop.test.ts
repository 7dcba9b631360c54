import { Ajv } from "ajv";
import Handlebars from "handlebars";
import { parseDocument, LineCounter } from "yaml";
test("interop", () => {
  const ajv = new Ajv({ allErrors: true });
  expect(ajv.validate({ type: "integer" }, 3)).toBe(true);
  const hb = Handlebars.create();
  expect(hb.compile("{{a}}", { strict: true })({ a: 1 })).toBe("1");
  const lc = new LineCounter();
  parseDocument("a: 1", { lineCounter: lc });
  expect(lc.linePos(3)).toEqual({ line: 1, col: 4 });
});
