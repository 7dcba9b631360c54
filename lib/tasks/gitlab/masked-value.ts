/**
 * GitLab's rule for masked CI/CD variables (Ci::Maskable): a single line of at least 8 characters
 * from the Base64 alphabet (RFC 4648, `+ / =`) plus `@ : . ~ - _`. GitLab refuses to mask any
 * other value (400, `value is invalid`), so a key in PEM text or known_hosts lines cannot be masked:
 * encode them in base64, or store them unmasked as a "file" variable.
 */

/** The pattern a masked value must match. */
export const MASKABLE_VALUE = /^[A-Za-z0-9+/=@:.~_-]{8,}$/;

/** Why GitLab would refuse to mask `value` (never quoting it), or undefined when it can be masked. */
export function maskedValueProblem(value: string): string | undefined {
  if (MASKABLE_VALUE.test(value)) return undefined;
  const why: string[] = [];
  if (value.length < 8) why.push(`it has ${value.length} characters, fewer than 8`);
  if (/\s/.test(value)) why.push(/[\r\n]/.test(value) ? "it has more than one line" : "it contains whitespace");
  if (/[^A-Za-z0-9+/=@:.~_\-\s]/.test(value)) why.push("it contains characters other than A-Z a-z 0-9 + / = @ : . ~ - _");
  return why.join(", ");
}

/** True when GitLab can mask `value`. */
export function isMaskable(value: string): boolean {
  return MASKABLE_VALUE.test(value);
}
