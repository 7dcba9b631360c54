import { createHash } from "node:crypto";
import { aptRepository, renderDeb822 } from "../../../lib/tasks/packages/apt-repository.js";
import { crc24, dearmorKey } from "../../../lib/tasks/packages/openpgp-armor.js";
import { fakeHost } from "../../support/host.js";

// A throwaway ed25519 key generated on a lab host; `gpg --dearmor` of it is 232 bytes with this sha256.
const KEY = `-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEawKb7xYJKwYBBAHaRw8BAQdAB1znzyDj2u3SOxZJ6HJECf0M3roDqNFN99KC
LXgNUg20H2Jvc3VuIHRlc3QgcmVwbyA8cmVwb0BsYWIudGVzdD6IkAQTFggAOBYh
BL0awynTy93h+3AMLvpHTsprHAMmBQJrApvvAhsDBQsJCAcCBhUKCQgLAgQWAgMB
Ah4BAheAAAoJEPpHTsprHAMmhUcBAPYL+zsG6kAsGSM7wo9iVCBSx8/9iDyqUGX5
ViRSA9jqAP9+fyW/omX0nyDCpq+7s4dEg2blPE6oX4E0gauA6AtPAQ==
=IhNB
-----END PGP PUBLIC KEY BLOCK-----
`;
const GPG_DEARMOR_SHA256 = "9225a887400ec2b6221d4a2485c55a627b693eca58f4283aa626707e9898c708";
const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

describe("dearmorKey()", () => {
  test("gives the bytes gpg --dearmor gives", () => {
    const bin = dearmorKey(KEY);
    expect(bin.length).toBe(232);
    expect(sha(bin)).toBe(GPG_DEARMOR_SHA256);
  });

  test("passes a binary key through, and accepts armour in a Buffer or with CRLF and headers", () => {
    const bin = dearmorKey(KEY);
    expect(dearmorKey(bin)).toBe(bin);
    expect(sha(dearmorKey(Buffer.from(KEY)))).toBe(GPG_DEARMOR_SHA256);
    const withHeader = KEY.replace("BLOCK-----\n\n", "BLOCK-----\nComment: test\n\n").replace(/\n/g, "\r\n");
    expect(sha(dearmorKey(withHeader))).toBe(GPG_DEARMOR_SHA256);
  });

  test("concatenates several armoured blocks", () => {
    expect(dearmorKey(KEY + KEY).length).toBe(464);
  });

  test("refuses corrupted armour and things that are no key", () => {
    expect(() => dearmorKey(KEY.replace("mDMEawKb7x", "mDMEawKb7y"))).toThrow(/checksum does not match/);
    expect(() => dearmorKey(KEY.replace(/-----END[^\n]*\n/, ""))).toThrow(/no END line/);
    expect(() => dearmorKey("ssh-ed25519 AAAA...")).toThrow(/neither ASCII-armoured/);
  });

  test("computes RFC 4880's CRC-24", () => {
    expect(crc24(Buffer.alloc(0))).toBe(0xb704ce);
    expect(crc24(dearmorKey(KEY))).toBe(Buffer.from("IhNB", "base64").readUIntBE(0, 3));
  });
});

describe("renderDeb822()", () => {
  test("writes a deb822 source with Signed-By", () => {
    const text = renderDeb822(
      {
        name: "docker",
        uri: "https://download.docker.com/linux/debian",
        suites: "bookworm",
        components: ["stable"],
        architectures: ["amd64"],
      },
      "/etc/apt/keyrings/docker.gpg",
    );
    expect(text).toBe(
      "Types: deb\nURIs: https://download.docker.com/linux/debian\nSuites: bookworm\nComponents: stable\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/docker.gpg\n",
    );
  });

  test("leaves out Components for a flat repository", () => {
    expect(renderDeb822({ name: "local", uri: "http://127.0.0.1:8080/", suites: "./" }, undefined)).toBe(
      "Types: deb\nURIs: http://127.0.0.1:8080/\nSuites: ./\n",
    );
  });
});

describe("aptRepository()", () => {
  const base = { name: "local", uri: "http://127.0.0.1:8080/", suites: "./", key: KEY };

  test.each([
    [{ ...base, name: "../etc" }, /parameter "name" must match pattern/],
    [{ ...base, uri: "not a uri" }, /parameter "uri" must match pattern/],
    [{ ...base, suites: "bookworm" }, /parameter "components" is required unless the suite is a flat path/],
    [{ ...base, components: ["main"] }, /a flat repository \("\.\/"\) takes one suite and no components/],
    [{ ...base, key: "not a key" }, /parameter "key" is not an OpenPGP public key: it is neither ASCII-armoured/],
    [{ ...base, signedBy: "/usr/share/keyrings/x.gpg" }, /give at most one of parameters "key" and "signedBy"/],
    [{ ...base, suite: "./" }, /unknown parameter "suite"/],
  ])("rejects bad parameters: %#", (input, message) => {
    expect(() => aptRepository(input as Parameters<typeof aptRepository>[0])).toThrow(message);
  });

  function snapshot(content: Buffer | string | undefined): string {
    return content === undefined ? "absent" : `file\n${sha(content)}\n${Buffer.from(content).toString("base64")}`;
  }

  test("is ok when both files have the wanted content, and rewrites only what differs", async () => {
    const sources = renderDeb822(base, "/etc/apt/keyrings/local.gpg");
    const run = async (src: string | undefined, keyring: Buffer | undefined) => {
      const { host, connection } = fakeHost({
        check: true,
        respond: () => ({ stdout: `@@bosun:sources\n${snapshot(src)}\n@@bosun:keyring\n${snapshot(keyring)}\n` }),
      });
      return { result: await host.run(aptRepository(base)), commands: connection.executed.length };
    };
    expect(await run(sources, dearmorKey(KEY))).toMatchObject({ result: { status: "ok" }, commands: 1 });
    expect((await run(sources.replace("8080", "9090"), dearmorKey(KEY))).result.message).toBe(
      "update /etc/apt/sources.list.d/local.sources; fetch its lists",
    );
    expect((await run(undefined, undefined)).result.message).toBe(
      "add key /etc/apt/keyrings/local.gpg (was absent); write /etc/apt/sources.list.d/local.sources; fetch its lists",
    );
  });
});
