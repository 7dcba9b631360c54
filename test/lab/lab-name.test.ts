import { validateLabName } from "../../lib/lab/lab-name.js";

test.each(["lab", "t-xyz", "demo-a", "a"])("validateLabName() accepts %s", (name) => {
  expect(() => validateLabName(name)).not.toThrow();
});

test.each([
  ["t1", /not ending with a digit/],
  ["Lab", /lowercase/],
  ["-x", /starting with a letter/],
  ["a_b", /dashes/],
  ["cache", /reserved/],
])("validateLabName() rejects %s", (name, message) => {
  expect(() => validateLabName(name)).toThrow(message);
});
