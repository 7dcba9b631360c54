/** kernelModule(): the probe's answer in, the plan out (lab hosts are containers: they cannot load modules, so no e2e). */
import { kernelModule } from "../../../lib/tasks/system/kernel-module.js";
import { fakeHost } from "../../support/host.js";

const probe = (live: boolean, file?: string) => `${live ? "live" : "absent"}\n${file === undefined ? "nofile\n" : `file\n${file}`}`;

async function run(call: ReturnType<typeof kernelModule>, stdout: string, check = false) {
  const { host, connection } = fakeHost({ check, respond: (text) => ({ stdout: text.includes("/sys/module/") ? stdout : "" }) });
  const result = await host.run(call);
  return { result, commands: connection.executed.map((c) => c.text) };
}

describe("kernelModule()", () => {
  test("loads a missing module and lists it for boot, in one command after the probe", async () => {
    const { result, commands } = await run(kernelModule({ name: "br_netfilter" }), probe(false));
    expect(result).toMatchObject({ status: "changed", message: "write /etc/modules-load.d/br_netfilter.conf; load br_netfilter" });
    expect(commands).toHaveLength(2);
    expect(commands[0]).toContain("/sys/module/br_netfilter");
    expect(commands[1]).toContain("modprobe -- br_netfilter");
  });

  test("is ok when the module is loaded and its boot file holds exactly its name", async () => {
    const { result, commands } = await run(kernelModule({ name: "br_netfilter" }), probe(true, "br_netfilter\n"));
    expect(result).toMatchObject({ status: "ok", message: "br_netfilter: loaded, listed for boot" });
    expect(commands).toHaveLength(1);
  });

  test("looks for a dashed name under its underscored /sys/module directory", async () => {
    const { commands } = await run(kernelModule({ name: "nf-conntrack" }), probe(true, "nf-conntrack\n"));
    expect(commands[0]).toContain("/sys/module/nf_conntrack");
  });

  test("load: false only writes the boot file (what a container can do)", async () => {
    const { result } = await run(kernelModule({ name: "wireguard", load: false }), probe(false));
    expect(result.message).toBe("write /etc/modules-load.d/wireguard.conf");
  });

  test("state absent unloads it and removes its boot file", async () => {
    const { result, commands } = await run(kernelModule({ name: "wireguard", state: "absent" }), probe(true, "wireguard\n"));
    expect(result.message).toBe("remove /etc/modules-load.d/wireguard.conf; unload wireguard");
    expect(commands[1]).toContain("modprobe -r -- wireguard");
  });

  test("--check plans without running anything after the probe", async () => {
    const { result, commands } = await run(kernelModule({ name: "br_netfilter" }), probe(false), true);
    expect(result.status).toBe("changed");
    expect(commands).toHaveLength(1);
  });

  test("rejects bad names and a call with nothing to do", () => {
    expect(() => kernelModule({ name: "br netfilter" })).toThrow(/parameter "name"/);
    expect(() => kernelModule({ name: "x", load: false, persistent: false })).toThrow(/nothing to do/);
  });
});
