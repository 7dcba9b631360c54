import { editAuthorizedKeys, formatKeyLine, parseKeyLine } from "../../../lib/tasks/access/authorized-keys-plan.js";

const A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa alice@laptop";
const B = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQbbbb bob";
const C = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYcccc= carol";
const key = (line: string) => parseKeyLine(line)!;

describe("authorized_keys lines", () => {
  test("parseKeyLine() reads options (with quoted spaces), type, key and comment", () => {
    expect(parseKeyLine(`from="10.0.0.1,10.0.0.2",command="echo hi there" ${A}`)).toEqual({
      options: `from="10.0.0.1,10.0.0.2",command="echo hi there"`,
      type: "ssh-ed25519",
      blob: "AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      comment: "alice@laptop",
    });
    expect(parseKeyLine("sk-ssh-ed25519@openssh.com AAAAGnNr")).toMatchObject({ type: "sk-ssh-ed25519@openssh.com", comment: "" });
  });

  test("parseKeyLine() skips blanks and comments and refuses what is not a key", () => {
    expect(parseKeyLine("  ")).toBeUndefined();
    expect(parseKeyLine("# a comment")).toBeUndefined();
    expect(() => parseKeyLine("hunter2")).toThrow(/not an SSH public key/);
    expect(() => parseKeyLine("ssh-ed25519 not*base64")).toThrow(/not an SSH public key/);
  });

  test("formatKeyLine() writes options, type, key and comment", () => {
    expect(formatKeyLine({ ...key(A), options: "no-pty" })).toBe(`no-pty ${A}`);
  });
});

describe("editAuthorizedKeys()", () => {
  test("adds a missing key to a new file", () => {
    expect(editAuthorizedKeys(undefined, { keys: [key(A)], state: "present", exclusive: false })).toMatchObject({
      content: `${A}\n`,
      added: [key(A)],
    });
  });

  test("leaves a file alone when the key is there, whatever else it holds", () => {
    const content = `# mine\n${B}\n${A}\n`;
    expect(editAuthorizedKeys(content, { keys: [key(A)], state: "present", exclusive: false })).toEqual({
      content,
      added: [],
      replaced: [],
      removed: [],
    });
  });

  test("replaces a key's line in place when its options or comment differ", () => {
    const r = editAuthorizedKeys(`${B}\n${A}\n${C}\n`, {
      keys: [{ ...key(A), options: 'from="10.0.0.1"' }],
      state: "present",
      exclusive: false,
    });
    expect(r.content).toBe(`${B}\nfrom="10.0.0.1" ${A}\n${C}\n`);
    expect(r.replaced).toHaveLength(1);
  });

  test("keeps one line of a key given twice in the file", () => {
    expect(editAuthorizedKeys(`${A}\n${A}\n`, { keys: [key(A)], state: "present", exclusive: false }).content).toBe(`${A}\n`);
  });

  test("exclusive: the file becomes exactly the keys given, and stays when it already is", () => {
    const r = editAuthorizedKeys(`# mine\n${B}\n${A}\n`, { keys: [key(A), key(C)], state: "present", exclusive: true });
    expect(r.content).toBe(`${A}\n${C}\n`);
    expect(r).toMatchObject({ added: [key(C)], removed: [key(B)] });
    expect(editAuthorizedKeys(r.content, { keys: [key(A), key(C)], state: "present", exclusive: true }).content).toBe(r.content);
  });

  test("absent: removes the key, whatever its options, and keeps other lines", () => {
    const r = editAuthorizedKeys(`no-pty ${A}\n# mine\n${B}\n`, { keys: [key(A)], state: "absent", exclusive: false });
    expect(r.content).toBe(`# mine\n${B}\n`);
    expect(r.removed).toHaveLength(1);
    expect(editAuthorizedKeys(r.content, { keys: [key(A)], state: "absent", exclusive: false }).content).toBe(r.content);
  });

  test("keeps lines it cannot parse unless exclusive", () => {
    expect(editAuthorizedKeys(`garbage line\n`, { keys: [key(A)], state: "present", exclusive: false }).content).toBe(
      `garbage line\n${A}\n`,
    );
  });
});
