/**
 * Runs inside the delegated CLI's own network namespace (started by `provider-bridge.ts`): listens
 * on loopback and forwards every connection to a Unix socket — a filesystem object, so it crosses
 * the namespace boundary where no network route does — then runs the CLI in its place and exits
 * with its status. Usage: node netns-forwarder.js <socket> <port> <command> [args…]
 */
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const [socketPath, portText, command, ...args] = process.argv.slice(2);
if (socketPath === undefined || portText === undefined || command === undefined) {
  process.stderr.write('netns-forwarder: usage: <socket> <port> <command> [args…]\n');
  process.exit(2);
}

const server = createServer((client) => {
  const upstream = connect(socketPath);
  client.pipe(upstream).pipe(client);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
});
server.on('error', (error) => {
  process.stderr.write(`netns-forwarder: cannot listen on 127.0.0.1:${portText}: ${error.message}\n`);
  process.exit(125);
});
server.listen(Number(portText), '127.0.0.1', () => {
  const child = spawn(command, args, { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`netns-forwarder: cannot start ${command}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
});
