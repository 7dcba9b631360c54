/**
 * Split a command-line string into words like a POSIX shell (Python's `shlex.split`, which Ansible
 * uses for `ansible_ssh_common_args` and `-e k=v`): single quotes are literal, double quotes allow
 * `\"`, `\\`, `` \` `` and `\$`, a backslash outside quotes escapes the next character.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text.charAt(i + 1))) word += text.charAt(++i);
      else word += c;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === "\\" && i + 1 < text.length) word += text.charAt(++i);
      else word += c;
    }
  }
  if (quote) throw new Error(`Cannot split ${JSON.stringify(text)} into words: unclosed ${quote}`);
  if (inWord) words.push(word);
  return words;
}
