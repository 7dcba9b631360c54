/** certbotIssue's pure parts: params checks, the certbot command line, when to (re)issue. Unit-tested. */
import { sh, type Command } from "../../core/command.js";
import { Secret, reveal } from "../../core/secrets.js";
import type { CertbotLineage } from "../../facts/certificates.js";
import type { CertbotIssueParams } from "./certbot-issue-params.js";
import { certNameProblem, domainsProblem, envPrefix, envProblem, hookArgs, sameDomains } from "./certbot-args.js";

const DAY = 86_400;

/** The credentials file certbot-dns-cloudflare reads. */
export function cloudflareCredentialsContent(token: string): string {
  return `# Cloudflare API token for certbot (written by bosun)\ndns_cloudflare_api_token = ${token}\n`;
}

/** What is wrong with the params (naming the parameter), or undefined. */
export function issueProblem(p: CertbotIssueParams): string | undefined {
  const dp = domainsProblem(p.domains) ?? certNameProblem(p.certName) ?? envProblem(p.env);
  if (dp) return dp;
  const dns = p.authenticator === "dns-cloudflare" || (p.authenticator === "manual" && (p.challenge ?? "dns") === "dns");
  const wildcard = p.domains.find((d) => d.startsWith("*."));
  if (wildcard && !dns)
    return `parameter "authenticator" must be "dns-cloudflare" or "manual" (dns) for the wildcard ${JSON.stringify(wildcard)}`;
  if (p.authenticator === "webroot" && !p.webroot) return `parameter "webroot" is required with authenticator "webroot"`;
  if (p.authenticator !== "webroot" && p.webroot) return `parameter "webroot" works only with authenticator "webroot"`;
  if (p.authenticator === "dns-cloudflare" && p.cloudflareToken === undefined)
    return `parameter "cloudflareToken" is required with authenticator "dns-cloudflare"`;
  if (
    p.authenticator !== "dns-cloudflare" &&
    (p.cloudflareToken !== undefined || p.cloudflareCredentials || p.dnsPropagationSeconds !== undefined)
  ) {
    return `parameters "cloudflareToken", "cloudflareCredentials" and "dnsPropagationSeconds" work only with authenticator "dns-cloudflare"`;
  }
  if (p.authenticator === "manual" && !p.authHook)
    return `parameter "authHook" is required with authenticator "manual" (certbot runs non-interactively)`;
  if (p.authenticator !== "manual" && (p.authHook || p.cleanupHook || p.challenge))
    return `parameters "authHook", "cleanupHook" and "challenge" work only with authenticator "manual"`;
  if (!p.email === !p.registerUnsafelyWithoutEmail) return `give exactly one of the parameters "email" and "registerUnsafelyWithoutEmail"`;
  if (p.renewBeforeDays !== undefined && p.renewBeforeDays < 1) return `parameter "renewBeforeDays" must be at least 1`;
  if (p.cloudflareToken !== undefined && !(typeof p.cloudflareToken === "string" || p.cloudflareToken instanceof Secret))
    return `parameter "cloudflareToken" must be a string or a Secret`;
  if (p.cloudflareToken !== undefined && /[\n\r]/.test(reveal(p.cloudflareToken))) return `parameter "cloudflareToken" must be one line`;
  return undefined;
}

/** certbot's options for the authenticator. */
export function authenticatorArgs(p: CertbotIssueParams, credentials: string): string[] {
  switch (p.authenticator) {
    case "standalone":
      return ["--standalone"];
    case "webroot":
      return ["--webroot", "--webroot-path", p.webroot as string];
    case "dns-cloudflare":
      return [
        "--dns-cloudflare",
        "--dns-cloudflare-credentials",
        credentials,
        ...(p.dnsPropagationSeconds === undefined ? [] : ["--dns-cloudflare-propagation-seconds", String(p.dnsPropagationSeconds)]),
      ];
    case "manual":
      return [
        "--manual",
        "--preferred-challenges",
        p.challenge ?? "dns",
        "--manual-auth-hook",
        p.authHook as string,
        ...(p.cleanupHook ? ["--manual-cleanup-hook", p.cleanupHook] : []),
      ];
  }
}

/** The `certbot certonly` command that obtains (or, with `force`, replaces) the lineage. */
export function certonlyCommand(p: CertbotIssueParams, lineage: { certName: string; credentials: string; force: boolean }): Command {
  const { certName, credentials, force } = lineage;
  const args = [
    "certonly",
    "--non-interactive",
    "--agree-tos",
    "--cert-name",
    certName,
    ...p.domains.flatMap((d) => ["-d", d]),
    "--key-type",
    p.keyType ?? "ecdsa",
    ...(p.server ? ["--server", p.server] : []),
    ...(p.email ? ["--email", p.email] : ["--register-unsafely-without-email"]),
    ...(force ? ["--force-renewal"] : []),
    ...authenticatorArgs(p, credentials),
    ...hookArgs(p),
  ];
  return sh`${envPrefix(p.env)}certbot ${args}`;
}

/** Why the lineage must be (re)issued, or undefined when it is fine. */
export function reissueReason(p: CertbotIssueParams, lineage: CertbotLineage | undefined): string | undefined {
  if (!lineage || lineage.secondsLeft === undefined) return "no certificate yet";
  if (!sameDomains(lineage.domains, p.domains)) return `names differ: ${lineage.domains.join(", ")} -> ${p.domains.join(", ")}`;
  if (lineage.keyType && lineage.keyType !== (p.keyType ?? "ecdsa")) return `key type ${lineage.keyType} -> ${p.keyType ?? "ecdsa"}`;
  if (p.server && lineage.server && lineage.server !== p.server) return `ACME server ${lineage.server} -> ${p.server}`;
  const window = (p.renewBeforeDays ?? 30) * DAY;
  if (lineage.secondsLeft < window) return `${lineage.daysLeft} day(s) left, renewing within ${p.renewBeforeDays ?? 30}`;
  return undefined;
}
