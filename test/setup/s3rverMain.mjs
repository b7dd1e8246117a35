/**
 * Runs s3rver in a process of its own, started by s3Server.ts with `--openssl-legacy-provider`:
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers through
 * its legacy provider, and that flag cannot be turned on inside the test runner's own process.
 *
 * Usage: node --openssl-legacy-provider s3rverMain.mjs <directory> <bucket>
 * Prints one line, {"port":N}, once the server listens on 127.0.0.1; stops on SIGTERM or SIGINT.
 */
import { createRequire } from 'node:module';

const S3rver = createRequire(import.meta.url)('s3rver');
const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) {
  process.stderr.write('usage: s3rverMain.mjs <directory> <bucket>\n');
  process.exit(2);
}

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  resetOnClose: false,
  configureBuckets: [{ name: bucket }],
});
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  // A response body nobody read keeps its keep-alive socket open, and close() would wait for it.
  server.httpServer.closeAllConnections();
  await server.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The runner died without stopping us: its end of stdin closes, so we go too.
process.stdin.on('end', stop).resume();
