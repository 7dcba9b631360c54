/**
 * A password prompt without echo, as Python's getpass: the question on stderr, keystrokes read in
 * raw mode from a terminal and never shown. Without a terminal one line of stdin is read
 * (`echo "$PW" | bosun ... --ask-vault-pass`).
 */
import { createInterface } from "node:readline";

function readLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, terminal: false });
    let done = false;
    rl.once("line", (line) => {
      done = true;
      rl.close();
      resolve(line);
    });
    rl.once("close", () => {
      if (!done) reject(new Error("no password given: standard input ended"));
    });
  });
}

function readHidden(input: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") return finish(new Error("interrupted"));
        if (ch === "\u0004" && text === "") return finish(new Error("no password given"));
        if (ch === "\u007f" || ch === "\b") text = [...text].slice(0, -1).join("");
        else if (ch >= " ") text += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}

/** Ask `question` on stderr and read a password without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const input = process.stdin;
  if (input.isTTY) return readHidden(input);
  const line = await readLine(input);
  process.stderr.write("\n");
  return line;
}
