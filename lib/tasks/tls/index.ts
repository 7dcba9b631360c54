/** TLS tasks: certificates with certbot, and nginx vhosts that serve them. */
export { certbotIssue, type CertbotIssueParams, type CertbotIssueOutput, type CertbotAuthenticator } from "./certbot-issue.js";
export { cloudflareCredentialsContent } from "./certbot-issue-plan.js";
export { certbotRenew, type CertbotRenewParams, type CertbotRenewOutput } from "./certbot-renew.js";
export { nginxSite, NGINX_REJECTED, type NginxSiteParams, type NginxSiteOutput } from "./nginx-site.js";
export {
  switchUpstream,
  nginxUpstreamPlaceholder,
  switchedUpstreamName,
  upstreamFile,
  upstreamConf,
  type SwitchUpstreamParams,
} from "./nginx-upstream.js";
