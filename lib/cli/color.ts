/** ANSI colours for terminal output, or no-ops when output is not a terminal. */

/** A function that wraps text in one colour. */
export type Paint = (text: string) => string;

/** The colours bosun uses. */
export interface Palette {
  readonly green: Paint;
  readonly yellow: Paint;
  readonly red: Paint;
  readonly cyan: Paint;
  readonly magenta: Paint;
  readonly dim: Paint;
  readonly bold: Paint;
}

const plain: Paint = (text) => text;
const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

/** A palette that colours when `enabled` (a TTY, and `NO_COLOR` unset), else leaves text alone. */
export function palette(enabled: boolean): Palette {
  if (!enabled) return { green: plain, yellow: plain, red: plain, cyan: plain, magenta: plain, dim: plain, bold: plain };
  return {
    green: ansi(32, 39),
    yellow: ansi(33, 39),
    red: ansi(31, 39),
    cyan: ansi(36, 39),
    magenta: ansi(35, 39),
    dim: ansi(2, 22),
    bold: ansi(1, 22),
  };
}

/** Whether colours should be used for a stream with this TTY flag. */
export function wantsColor(isTTY: boolean | undefined): boolean {
  return !!isTTY && !process.env.NO_COLOR;
}
