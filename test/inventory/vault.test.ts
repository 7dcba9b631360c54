import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mask } from "../../lib/core/secrets.js";
import { parseExtraVars } from "../../lib/inventory/extra-vars.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { parseInventory } from "../../lib/inventory/parse.js";
import { readVarsFile } from "../../lib/inventory/vars-files.js";
import { decryptEnvelope, encryptVaultText, parseVaultText } from "../../lib/inventory/vault-cipher.js";
import { decryptVaultText, useVaultSecrets, VaultDecryptError, type VaultSecret } from "../../lib/inventory/vault-keyring.js";
import { rejected, thrown } from "./fixtures.js";

/** test/fixtures/vault/: files made by `ansible-vault` (see its SOURCE.md). */
const VAULT = fileURLToPath(new URL("../fixtures/vault/", import.meta.url));
const PROJECT = `${VAULT}project`;

const defaultPw: VaultSecret = {
  id: "default",
  source: "--vault-password-file vault-pass.txt",
  password: Buffer.from("correct horse battery"),
};
const prodPw: VaultSecret = { id: "prod", source: "--vault-id prod@prod-pass.txt", password: Buffer.from("prod-password") };
const wrongPw: VaultSecret = { id: "default", source: "--vault-password-file wrong.txt", password: Buffer.from("not the password") };

afterEach(() => useVaultSecrets([]));

describe("vault cipher", () => {
  test("text encrypted by bosun decrypts with the same password and not with another", () => {
    const text = encryptVaultText("hello vault\n", Buffer.from("pw-one"));
    expect(text.split("\n")[0]).toBe("$ANSIBLE_VAULT;1.1;AES256");
    expect(
      text
        .split("\n")
        .slice(1, -1)
        .every((l) => l.length <= 80),
    ).toBe(true);
    const envelope = parseVaultText(text);
    expect(decryptEnvelope(envelope, Buffer.from("pw-one"))?.toString()).toBe("hello vault\n");
    expect(decryptEnvelope(envelope, Buffer.from("pw-two"))).toBeUndefined();
  });

  test("a 1.2 envelope carries its vault id", () => {
    const envelope = parseVaultText(encryptVaultText("x", Buffer.from("pw"), { vaultId: "prod" }));
    expect(envelope.version).toBe("1.2");
    expect(envelope.vaultId).toBe("prod");
  });

  test("a changed ciphertext fails the HMAC check and is not decrypted", () => {
    const envelope = parseVaultText(encryptVaultText("secret data here", Buffer.from("pw")));
    const tampered = Buffer.from(envelope.ciphertext);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(decryptEnvelope({ ...envelope, ciphertext: tampered }, Buffer.from("pw"))).toBeUndefined();
  });

  test("an unknown cipher or version is refused by name", () => {
    expect(() => parseVaultText("$ANSIBLE_VAULT;1.1;AES\n00")).toThrow("vault cipher AES is not supported (AES256 is)");
    expect(() => parseVaultText("$ANSIBLE_VAULT;2.0;AES256\n00")).toThrow("vault format version 2.0 is not supported");
  });
});

describe("vault passwords and decryption", () => {
  test("a 1.2 envelope decrypts with the password of its vault id among others, and a label no password has tries them all", () => {
    const text = encryptVaultText("by-prod-id", Buffer.from("prod-password"), { vaultId: "prod" });
    useVaultSecrets([wrongPw, prodPw]);
    expect(decryptVaultText(text, "x.yml")).toBe("by-prod-id");
    // A 1.2 envelope whose label matches no password is still tried with every password, as Ansible does.
    const otherLabel = encryptVaultText("other-label", Buffer.from("prod-password"), { vaultId: "staging" });
    expect(decryptVaultText(otherLabel, "y.yml")).toBe("other-label");
  });

  test("a wrong password names the file and every vault id tried", () => {
    const text = encryptVaultText("x", Buffer.from("prod-password"), { vaultId: "prod" });
    useVaultSecrets([wrongPw]);
    const error = thrown(() => decryptVaultText(text, "group_vars/all/vault.yml")) as VaultDecryptError;
    expect(error.message).toBe(
      'Cannot decrypt group_vars/all/vault.yml (vault id "prod"): no vault password matches; tried vault id "default" (--vault-password-file wrong.txt)',
    );
    expect(error.context.hint).toMatch(/--ask-vault-pass/);
  });

  test("vault text without any password says that none was given", () => {
    const text = encryptVaultText("x", Buffer.from("pw"));
    expect(thrown(() => decryptVaultText(text, "host_vars/web1.yml")).message).toBe(
      "Cannot decrypt host_vars/web1.yml: it is vault-encrypted and no vault password was given",
    );
  });

  test("passwords and decrypted values are masked in output", () => {
    useVaultSecrets([prodPw]);
    decryptVaultText(encryptVaultText("decrypted-value-77", Buffer.from("prod-password")), "z.yml");
    expect(mask("pw prod-password value decrypted-value-77")).toBe("pw *** value ***");
  });
});

describe("vault files made by ansible-vault", () => {
  test("a group_vars file encrypted whole loads, and its strings are masked", async () => {
    useVaultSecrets([defaultPw]);
    const vars = await readVarsFile(`${PROJECT}/group_vars/all/vault.yml`, { cwd: PROJECT });
    expect(vars).toEqual({
      vault_db_password: "db-s3cret-from-vault",
      vault_api_keys: ["key-one-abcdef", "key-two-ghijkl"],
      vault_port: 5433,
    });
    expect(mask("db-s3cret-from-vault key-two-ghijkl port 5433")).toBe("*** *** port 5433");
  });

  test("an inventory with an encrypted group_vars file and an inline !vault (vault id prod) loads", async () => {
    useVaultSecrets([defaultPw, prodPw]);
    const inventory = await loadInventory(`${PROJECT}/hosts.yml`, { cwd: PROJECT });
    const vars = inventory.hosts.get("web1")?.vars;
    expect(vars?.api_token).toBe("inline-prod-token-123");
    expect(vars?.vault_db_password).toBe("db-s3cret-from-vault");
    expect(vars?.plain_setting).toBe("visible");
    expect(mask("token=inline-prod-token-123")).toBe("token=***");
  });

  test("an encrypted group_vars file with the wrong password fails naming the file", async () => {
    useVaultSecrets([wrongPw]);
    const error = await rejected(loadInventory(`${PROJECT}/hosts.yml`, { cwd: PROJECT }));
    expect(error.message).toMatch(/^Cannot decrypt group_vars\/all\/vault\.yml: no vault password matches; tried vault id "default"/);
  });

  test("an encrypted -e @file loads and its strings are masked", async () => {
    useVaultSecrets([defaultPw]);
    const dir = await mkdtemp(join(tmpdir(), "bosun-vault-e-"));
    await writeFile(join(dir, "secrets.yml"), encryptVaultText("release_token: rel-tok-9f2\nreplicas: 3\n", defaultPw.password));
    expect(parseExtraVars(["@secrets.yml"], dir)).toEqual({ release_token: "rel-tok-9f2", replicas: 3 });
    expect(mask("rel-tok-9f2")).toBe("***");
    await rm(dir, { recursive: true, force: true });
  });

  test("an inline !vault with no matching password fails at its line, naming the vault id", () => {
    useVaultSecrets([defaultPw]);
    const inline = encryptVaultText("v", Buffer.from("prod-password"), { vaultId: "prod" }).replace(/\n(?=.)/g, "\n        ");
    const error = thrown(() => parseInventory(`all:\n  vars:\n    token: !vault |\n        ${inline}`, "inventory/x.yml"));
    expect(error.message).toBe(
      'inventory/x.yml:3:12: Cannot decrypt the !vault value (vault id "prod"): no vault password matches; tried vault id "default" (--vault-password-file vault-pass.txt) (give the vault password with --ask-vault-pass, --vault-password-file FILE, --vault-id LABEL@SOURCE or ANSIBLE_VAULT_PASSWORD_FILE)',
    );
  });
});
