// Runs in every test file (jest setupFiles): tests connect afresh each run unless a test keeps
// connections on purpose (test/connection/keeper/*), so a kept login never stands in for a new one
// after a test changed sshd, a firewall or a key. The README's "Kept connections" says the same.
process.env.BOSUN_SSH_PERSIST ??= "0";
