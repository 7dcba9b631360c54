/** What went wrong while rendering, before it becomes a ParamsError naming the template. */

/** A variable a template uses is not defined. */
export class MissingVariableError extends Error {
  constructor(
    /** The variable as written in the template (`server_name`, `site.port`). */
    readonly variable: string,
    /** 1-based line in the template, when known. */
    readonly line?: number,
  ) {
    super(`variable "${variable}" is not defined${line ? ` (line ${line})` : ""}`);
    this.name = "MissingVariableError";
  }
}

/** A helper was given a value it cannot use. */
export class HelperError extends Error {
  constructor(message: string, line?: number) {
    super(`${message}${line ? ` (line ${line})` : ""}`);
    this.name = "HelperError";
  }
}

/** The location handlebars gives helpers in `options.loc`. */
export interface HelperLocation {
  /** Start of the expression; `line` is 1-based. */
  readonly start: { readonly line: number; readonly column: number };
}
