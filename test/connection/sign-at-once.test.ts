import { EventEmitter } from "node:events";
import type { Client } from "ssh2";
import { signPublicKeyAtOnce } from "../../lib/connection/sign-at-once.js";

type Sign = (data: Buffer, send: (signature: Buffer) => void) => void;

/** A client whose protocol records the authPK calls it gets (as ssh2's Protocol would send them). */
function fakeClient() {
  const calls: { username: string; keyAlgo?: unknown; signed?: Buffer }[] = [];
  const client = Object.assign(new EventEmitter(), {
    _protocol: {
      authPK(username: string, _key: unknown, keyAlgo?: string | Sign, sign?: Sign) {
        const call: (typeof calls)[number] = { username, keyAlgo };
        calls.push(call);
        sign?.(Buffer.from("session+request"), (signature) => (call.signed = signature));
      },
    },
  });
  return { client, calls, protocol: client._protocol };
}

const privateKey = (hashes: (string | undefined)[]) => ({
  isPrivateKey: () => true,
  sign: (data: Buffer, hash?: string) => (hashes.push(hash), Buffer.concat([Buffer.from("sig:"), data])),
});

test("a request for a private key the client holds goes out signed at once, with the RSA hash its algorithm names", () => {
  const { client, calls, protocol } = fakeClient();
  signPublicKeyAtOnce(client as unknown as Client);
  const hashes: (string | undefined)[] = [];
  protocol.authPK("deploy", privateKey(hashes), "rsa-sha2-256");
  protocol.authPK("deploy", privateKey(hashes), undefined); // ed25519: no algorithm named
  expect(calls.map((c) => c.signed?.toString())).toEqual(["sig:session+request", "sig:session+request"]);
  expect(hashes).toEqual(["sha256", undefined]);
});

test("an agent's key (public only) and an already signed request are left as ssh2 sends them", () => {
  const { client, calls, protocol } = fakeClient();
  signPublicKeyAtOnce(client as unknown as Client);
  protocol.authPK("deploy", { isPrivateKey: () => false }, "ssh-ed25519");
  protocol.authPK("deploy", privateKey([]), "ssh-ed25519", (_data, send) => send(Buffer.from("by ssh2")));
  expect(calls.map((c) => c.signed?.toString())).toEqual([undefined, "by ssh2"]);
});

test("a key that cannot sign is an authentication error on the client, not a stalled login", () => {
  const { client, protocol } = fakeClient();
  signPublicKeyAtOnce(client as unknown as Client);
  const errors: Error[] = [];
  client.on("error", (e: Error) => errors.push(e));
  protocol.authPK("deploy", { isPrivateKey: () => true, sign: () => new Error("bad key") }, undefined);
  expect(errors.map((e) => e.message)).toEqual(["bad key"]);
});

test("a client without ssh2's protocol object is left alone", () => {
  expect(() => signPublicKeyAtOnce(new EventEmitter() as unknown as Client)).not.toThrow();
});
