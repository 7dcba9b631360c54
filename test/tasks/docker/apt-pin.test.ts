import { aptOrigin, dockerPinText } from "../../../lib/tasks/docker/apt-pin.js";

describe("dockerPinText", () => {
  test("dockerPinText() pins Docker's packages to the repository's origin at 900 and blocks the distribution's docker.io and docker-cli", () => {
    expect(dockerPinText("https://download.docker.com/linux/debian")).toBe(
      [
        "# Written by bosun (docker_source: docker). Docker's packages come from https://download.docker.com/linux/debian,",
        "# and the distribution's docker.io and docker-cli never replace docker-ce and docker-ce-cli.",
        "Package: docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin docker-ce-rootless-extras",
        'Pin: origin "download.docker.com"',
        "Pin-Priority: 900",
        "",
        "Package: docker.io docker-cli",
        "Pin: version *",
        "Pin-Priority: -1",
        "",
      ].join("\n"),
    );
  });

  test("dockerPinText() does not block a distribution package that is installed (its updates would be held back)", () => {
    const text = dockerPinText("https://download.docker.com/linux/debian", {
      "docker.io": "26.1.5+dfsg1-9+b1",
      "docker-compose": "2.26.1-4",
    });
    expect(text).toContain("# and the distribution's docker-cli never replace docker-ce and docker-ce-cli.\n");
    expect(text).toMatch(/\nPackage: docker-cli\nPin: version \*\nPin-Priority: -1\n$/);
    const both = dockerPinText("https://download.docker.com/linux/debian", { "docker.io": "1", "docker-cli": "1" });
    expect(both).not.toContain("Pin-Priority: -1");
    expect(both).toMatch(
      /^# Written by bosun \(docker_source: docker\)\. Docker's packages come from https:\/\/download\.docker\.com\/linux\/debian\.\nPackage: /,
    );
  });

  test("dockerPinText() follows a mirror: apt's origin is the mirror's host (without the port, as apt matches it)", () => {
    expect(dockerPinText("http://files.lab.test/docker-ce/linux/debian")).toContain('Pin: origin "files.lab.test"\n');
    expect(aptOrigin("https://mirror.example.com:8443/docker/")).toBe("mirror.example.com");
  });
});
