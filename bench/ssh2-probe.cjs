/**
 * Preloaded by cpu-profile.ts (`node --require`): prints the cipher each ssh2 connection negotiates
 * (first connection only) and, with BOSUN_BENCH_NO_SSH2_BINDING=1, makes ssh2's optional native
 * crypto binding unavailable, as when npm did not run ssh2's install script.
 */
const Module = require("node:module");
const process = require("node:process");

if (process.env.BOSUN_BENCH_NO_SSH2_BINDING === "1") {
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (String(request).endsWith("sshcrypto.node")) throw new Error("binding disabled for the benchmark");
    return load.call(this, request, parent, isMain);
  };
}

// The same module instance the run imports (Node shares CommonJS modules with ES imports).
const { Client } = require("ssh2");
const { bindingAvailable } = require("ssh2/lib/protocol/crypto.js");
let logged = false;
const connect = Client.prototype.connect;
Client.prototype.connect = function (...args) {
  this.once("handshake", (n) => {
    if (logged) return;
    logged = true;
    process.stderr.write(
      `ssh2: kex ${n.kex}, host key ${n.serverHostKey}, cipher ${n.cs.cipher} (mac ${n.cs.mac || "implicit"}), native binding ${bindingAvailable ? "loaded" : "not loaded"}\n`,
    );
  });
  return connect.apply(this, args);
};
