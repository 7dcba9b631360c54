/** DNS tasks: records at a DNS provider's API (Cloudflare), from the controller. */
export { cloudflareDnsRecord, type CloudflareDnsRecordParams, type CloudflareDnsRecordOutput } from "./cloudflare-dns-record.js";
export type { CloudflareRecord } from "./cloudflare-api.js";
