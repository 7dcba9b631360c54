/**
 * authorized_keys lines as data (options, type, key, comment) and the pure edit that adds,
 * replaces or removes keys, or makes the file exactly a set of keys. Keys are matched by their
 * type and base64 blob; a line for the same key with other options or comment is replaced in place.
 */

/** One public key line. */
export interface KeyLine {
  /** Options before the key (`from="10.0.0.0/8",no-pty`), or "" for none. */
  readonly options: string;
  /** Key type (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ...). */
  readonly type: string;
  /** The base64 key. */
  readonly blob: string;
  /** Comment after the key, or "". */
  readonly comment: string;
}

const TYPE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(-cert-v01@openssh\.com)?$/;
const BLOB = /^[A-Za-z0-9+/]+={0,3}$/;

/** Split off the first field of a line: everything up to unquoted whitespace (options may quote spaces). */
function firstField(line: string): [string, string] {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === " " || c === "\t")) return [line.slice(0, i), line.slice(i).trimStart()];
  }
  return [line, ""];
}

/** Parse one authorized_keys line; undefined for blank lines and comments; throws for anything else that is not a key. */
export function parseKeyLine(line: string): KeyLine | undefined {
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return undefined;
  let [first, rest] = firstField(text);
  let options = "";
  if (!TYPE.test(first)) {
    options = first;
    [first, rest] = firstField(rest);
  }
  const [blob, comment] = firstField(rest);
  if (!TYPE.test(first) || !BLOB.test(blob))
    throw new Error(`not an SSH public key: ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)}`);
  return { options, type: first, blob, comment: comment.trim() };
}

/** The line for a key. */
export function formatKeyLine(key: KeyLine): string {
  return [key.options, key.type, key.blob, key.comment].filter(Boolean).join(" ");
}

/** A short name for a key in messages: its comment, or its type and the end of its blob. */
export function describeKey(key: KeyLine): string {
  return key.comment || `${key.type} ...${key.blob.slice(-8)}`;
}

/** What to do with the keys. */
export interface KeysEdit {
  /** The keys given to the task. */
  readonly keys: readonly KeyLine[];
  /** Make them present or absent. */
  readonly state: "present" | "absent";
  /** Present: the file holds exactly these keys (others and comments are removed). */
  readonly exclusive: boolean;
}

/** The edited file and what changed; `content` equals the input when nothing changes. */
export interface KeysEditResult {
  readonly content: string;
  readonly added: readonly KeyLine[];
  readonly replaced: readonly KeyLine[];
  readonly removed: readonly KeyLine[];
}

const id = (k: KeyLine): string => `${k.type.replace(/-cert-v01@openssh\.com$/, "")} ${k.blob}`;

/** Apply an edit to a file's content (undefined: no file). Lines that are not keys are kept unless exclusive. */
export function editAuthorizedKeys(current: string | undefined, edit: KeysEdit): KeysEditResult {
  const before = current ?? "";
  const lines = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const parsed = lines.map((line) => {
    try {
      return parseKeyLine(line);
    } catch {
      return undefined; // a line sshd would also ignore; kept as it is
    }
  });
  const wanted = new Map(edit.keys.map((k) => [id(k), k]));
  const added: KeyLine[] = [];
  const replaced: KeyLine[] = [];
  const removed: KeyLine[] = [];
  let out: string[];
  if (edit.state === "absent") {
    out = lines.filter((line, i) => {
      const key = parsed[i];
      if (key && wanted.has(id(key))) return (removed.push(key), false);
      return true;
    });
  } else if (edit.exclusive) {
    out = [...wanted.values()].map(formatKeyLine);
    const have = new Map(parsed.filter((k): k is KeyLine => !!k).map((k) => [id(k), k]));
    for (const k of wanted.values()) {
      const old = have.get(id(k));
      if (!old) added.push(k);
      else if (formatKeyLine(old) !== formatKeyLine(k)) replaced.push(k);
    }
    for (const k of have.values()) if (!wanted.has(id(k))) removed.push(k);
    const same = out.join("\n") === lines.join("\n");
    if (same) return { content: before, added: [], replaced: [], removed: [] };
  } else {
    const seen = new Set<string>();
    out = lines.flatMap((line, i) => {
      const key = parsed[i];
      const want = key && wanted.get(id(key));
      if (!key || !want) return [line];
      if (seen.has(id(key))) return []; // a duplicate of a wanted key: keep one line
      seen.add(id(key));
      if (formatKeyLine(want) === line.trim()) return [line];
      replaced.push(want);
      return [formatKeyLine(want)];
    });
    for (const [k, want] of wanted) {
      if (!seen.has(k)) {
        added.push(want);
        out.push(formatKeyLine(want));
      }
    }
    if (!added.length && !replaced.length && out.length === lines.length) return { content: before, added, replaced, removed };
  }
  if (!added.length && !replaced.length && !removed.length && out.length === lines.length)
    return { content: before, added, replaced, removed };
  return { content: out.length ? `${out.join("\n")}\n` : "", added, replaced, removed };
}
