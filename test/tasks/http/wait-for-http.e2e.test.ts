/** waitForHttp on a lab host over real SSH: a readiness gate in front of a server that starts late. */
import { secret } from "../../../lib/core/secrets.js";
import { waitForHttp } from "../../../lib/tasks/http/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { labTarget, TaskRunner } from "../../e2e/task-harness.js";

const lab = useLab({ name: "t-http", count: 1 });
let runner: TaskRunner;
let raw: string[];
beforeAll(() => {
  const info = lab();
  runner = new TaskRunner(labTarget(info));
  // Every command text exactly as it goes to the host (the events only carry masked text).
  raw = [];
  const exec = runner.connection.exec.bind(runner.connection);
  runner.connection.exec = (c) => {
    raw.push(c.text);
    return exec(c);
  };
  shOk("mkdir -p /srv/www && echo v1 > /srv/www/version.txt");
});
afterAll(async () => {
  await runner?.close();
});

function shOk(command: string): string {
  const r = runner.sh(command);
  if (r.code !== 0) throw new Error(`${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Start `python3 -m http.server PORT` on the host after `delay` seconds, as a transient systemd unit. */
function serveLater(unit: string, port: number, delay: number): void {
  shOk(
    `systemctl stop ${unit} 2>/dev/null; systemctl reset-failed ${unit} 2>/dev/null; systemd-run --quiet --unit=${unit} --working-directory=/srv/www sh -c 'sleep ${delay}; exec python3 -m http.server ${port} --bind 0.0.0.0'`,
  );
}

describe("waitForHttp() on a lab host", () => {
  test("waitForHttp() waits from the host until a server that starts 3 s later answers, in one command, and reports ok", async () => {
    serveLater("t-web-late", 8080, 3);
    expect(shOk("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/version.txt || true")).toBe("000");
    const started = Date.now();
    const r = await runner.run(
      waitForHttp({ url: "http://127.0.0.1:8080/version.txt", body: "v1", timeoutSeconds: 30, intervalSeconds: 0.5 }),
    );
    expect(r.failed ? r.message : r.status).toBe("ok");
    expect(r).toMatchObject({ changed: false, commands: 1, output: { status: 200, body: "v1\n" } });
    expect(Date.now() - started).toBeGreaterThan(2000);
    expect(r.message).toMatch(/^http:\/\/127\.0\.0\.1:8080\/version\.txt answered 200 from t-http1 after ([2-9]|\d{2}) attempt\(s\)/);
  });

  test("waitForHttp() times out with the URL, the expectation, what it last saw and the wait", async () => {
    const r = await runner.run(waitForHttp({ url: "http://127.0.0.1:8099/health", timeoutSeconds: 3, intervalSeconds: 1 }));
    expect(r.failed).toBe(true);
    expect(r.message).toMatch(
      /^Cannot get status 200 from http:\/\/127\.0\.0\.1:8099\/health from t-http1 within 3s: last saw no answer \(curl: \(7\) Failed to connect to 127\.0\.0\.1 port 8099.*\) after [2-4] attempt\(s\)\n {2}hint: /,
    );
  });

  test("waitForHttp() checks the body: v1 is not v2, until the file changes", async () => {
    serveLater("t-web", 8081, 0);
    const r = await runner.run(
      waitForHttp({ url: "http://127.0.0.1:8081/version.txt", body: /^v2$/, timeoutSeconds: 2, intervalSeconds: 0.5 }),
    );
    expect(r.message).toMatch(/last saw status 200, body "v1" after \d+ attempt/);
    shOk("systemd-run --quiet sh -c 'sleep 1; echo v2 > /srv/www/version.txt'");
    const ok = await runner.run(
      waitForHttp({ url: "http://127.0.0.1:8081/version.txt", body: /^v2$/, timeoutSeconds: 20, intervalSeconds: 0.5 }),
    );
    expect(ok.failed ? ok.message : ok.output).toEqual({ status: 200, body: "v2\n" });
  });

  test("waitForHttp() in check mode is skipped without a remote command", async () => {
    const r = await runner.run(waitForHttp({ url: "http://127.0.0.1:8081/version.txt" }), { check: true });
    expect(r).toMatchObject({ status: "skipped", commands: 0, message: "would wait for URL http://127.0.0.1:8081/version.txt" });
  });

  test("waitForHttp() with python3 on the host sends a secret header through stdin, never in the command line", async () => {
    const token = "e2e-hdr-s3cr3t-0pQ7";
    shOk(`cat > /srv/www/echo.py <<'EOF'
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.headers.get("Authorization") == "Bearer ${token}"
        self.send_response(200 if ok else 401); self.end_headers(); self.wfile.write(b"authorized" if ok else b"who are you")
http.server.HTTPServer(("127.0.0.1", 8082), H).serve_forever()
EOF
systemd-run --quiet --unit=t-echo python3 /srv/www/echo.py`);
    const before = raw.length;
    const r = await runner.run(
      waitForHttp({
        url: "http://127.0.0.1:8082/",
        client: "python3",
        body: "authorized",
        headers: { Authorization: secret(`Bearer ${token}`) },
        timeoutSeconds: 10,
        intervalSeconds: 0.5,
      }),
    );
    expect(r.failed ? r.message : r.output).toEqual({ status: 200, body: "authorized" });
    expect(raw.slice(before).join("\n")).not.toContain(token);
    expect(JSON.stringify(r)).not.toContain(token);
  });

  test("waitForHttp() from the controller reaches the host's published port without a remote command", async () => {
    const host = lab().hosts[0]!;
    serveLater("t-web-80", 80, 0);
    const r = await runner.run(
      waitForHttp({
        url: `http://127.0.0.1:${host.httpPort}/version.txt`,
        from: "controller",
        body: "v2",
        timeoutSeconds: 20,
        intervalSeconds: 0.3,
      }),
    );
    expect(r.failed ? r.message : r.status).toBe("ok");
    expect(r.commands).toBe(0);
  });

  test("waitForHttp() rejects a bad parameter before anything runs", () => {
    expect(() => waitForHttp({ url: "http://127.0.0.1/", status: 999 })).toThrow(
      'Cannot use http.waitForHttp: parameter "status" must be HTTP status codes (100-599), got 999',
    );
  });
});
