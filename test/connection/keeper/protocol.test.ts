import { encodeMessage, MessageReader } from "../../../lib/connection/keeper/protocol.js";

describe("MessageReader", () => {
  test("messages split anywhere, several in one chunk, come out whole and in order", () => {
    const text =
      encodeMessage({ id: 1, op: "hello", key: "k" }) +
      encodeMessage({ id: 2, op: "exec", key: "k", text: "printf 'a\\nb'", stdin: "eA==" });
    for (let cut = 0; cut <= text.length; cut++) {
      const reader = new MessageReader<{ id: number }>();
      const got = [...reader.push(text.slice(0, cut)), ...reader.push(text.slice(cut))];
      expect(got.map((m) => m.id)).toEqual([1, 2]);
    }
  });

  test("a character split between two chunks arrives whole", () => {
    const bytes = Buffer.from(encodeMessage({ id: 3, result: { code: 0, stdout: "é€😀", stderr: "", durationMs: 1 } }));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new MessageReader<{ result: { stdout: string } }>();
      const got = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      expect(got[0]?.result.stdout).toBe("é€😀");
    }
  });

  test("a line of 64 MiB arriving in 64 KiB chunks comes out whole", () => {
    const reader = new MessageReader<{ id: number; stdin: string }>();
    const line = encodeMessage({ id: 7, op: "exec", key: "k", text: "cat", stdin: "A".repeat(64 * 1024 * 1024) });
    const got: { id: number; stdin: string }[] = [];
    for (let i = 0; i < line.length; i += 65536) got.push(...reader.push(line.slice(i, i + 65536)));
    expect(got).toHaveLength(1);
    expect(got[0]?.stdin.length).toBe(64 * 1024 * 1024);
  });

  test("a line that is not a message ends the conversation", () => {
    expect(() => new MessageReader().push("not json\n")).toThrow();
    expect(() => new MessageReader().push('{"op":"hello"}\n')).toThrow("not a keeper message");
  });
});
