/** IPv4/IPv6 addresses and networks as ufw writes them, and whether a network holds an address. */
import { isIPv4, isIPv6 } from "node:net";

/** An address or network, parsed. */
export interface Network {
  /** v4 or v6. */
  readonly family: "v4" | "v6";
  /** The address bits. */
  readonly bits: bigint;
  /** Prefix length (32 or 128 for a single address). */
  readonly prefix: number;
  /** The text ufw stores: a bare address, or `network/prefix`. */
  readonly text: string;
}

/** The word ufw writes for "any address" in each family. */
export const ANY_ADDRESS = { v4: "0.0.0.0/0", v6: "::/0" } as const;

function v4Bits(address: string): bigint {
  return address.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6Bits(address: string): bigint {
  let text = address;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const n = v4Bits(v4Tail[1] as string);
    text = `${text.slice(0, -(v4Tail[1] as string).length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail === undefined ? [] : tail ? tail.split(":") : [];
  const zeros = tail === undefined ? 0 : 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(zeros).fill("0"), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
}

/** RFC 5952 text of an IPv6 address (lowercase, longest zero run compressed), as ufw writes it. */
function v6Text(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

function v4Text(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 0xffn)).join(".");
}

function v6FromBits(bits: bigint): string {
  const parts: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) parts.push(((bits >> s) & 0xffffn).toString(16));
  return v6Text(parts.join(":"));
}

/**
 * Parse an address or CIDR network. Returns a message when it is not one, or when a network has
 * host bits set (ufw would silently change `10.1.2.3/8` to `10.0.0.0/8`).
 */
export function parseNetwork(value: string): Network | string {
  const [address = "", prefixText, extra] = value.split("/");
  if (extra !== undefined) return `${JSON.stringify(value)} is not an address or network`;
  const family = isIPv4(address) ? "v4" : isIPv6(address) ? "v6" : undefined;
  if (!family) return `${JSON.stringify(value)} is not an IPv4/IPv6 address or CIDR network`;
  const width = family === "v4" ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return `${JSON.stringify(value)} has an invalid prefix length`;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width) return `${JSON.stringify(value)} has a prefix longer than ${width}`;
  const bits = family === "v4" ? v4Bits(address) : v6Bits(address);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const network = bits & ~hostMask;
  const networkText = family === "v4" ? v4Text(network) : v6FromBits(network);
  if (network !== bits) return `${JSON.stringify(value)} has host bits set; write the network as ${networkText}/${prefix}`;
  const text = prefix === width ? networkText : `${networkText}/${prefix}`;
  return { family, bits, prefix, text };
}

/** Whether `network` (ufw's text, "0.0.0.0/0" for any) holds `address`. */
export function networkContains(network: string, address: string): boolean {
  const net = parseNetwork(network);
  const ip = parseNetwork(address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ""));
  if (typeof net === "string" || typeof ip === "string" || net.family !== ip.family) return false;
  const width = net.family === "v4" ? 32 : 128;
  const shift = BigInt(width - net.prefix);
  return ip.bits >> shift === net.bits >> shift;
}
