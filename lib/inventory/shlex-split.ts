/**
 * Python's `shlex.split(line, comments=True)`, which Ansible's INI inventory uses to cut a host
 * line into the host and its `k=v` words: whitespace separates words, `'...'` is literal, `"..."`
 * allows `\"` and `\\`, a backslash outside quotes escapes the next character, and `#` outside
 * quotes (even inside a word) starts a comment.
 */

/** Split one line; throws an Error with shlex's message on an unclosed quote or a trailing backslash. */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let started = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && (line.charAt(i + 1) === '"' || line.charAt(i + 1) === "\\")) word += line.charAt(++i);
      else word += c;
    } else if (c === "#") {
      break;
    } else if (/\s/.test(c)) {
      if (started) words.push(word);
      word = "";
      started = false;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error("No escaped character");
      word += line.charAt(++i);
      started = true;
    } else {
      word += c;
      started = true;
    }
  }
  if (quote) throw new Error("No closing quotation");
  if (started) words.push(word);
  return words;
}
