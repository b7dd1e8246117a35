/**
 * What the intake suites send, and how: realistic Bunny lines, syslog envelopes, and the TCP, UDP
 * and HTTP senders a CDN or a log shipper would be.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

/** User agents seen in real logs, bots among them. */
export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'curl/8.5.0',
];

/** A Bunny line for request number `index` (unique path and request id), served `ageMs` ago. */
export function bunnyLine(index: number, options: { host?: string; ageMs?: number; status?: number } = {}): string {
  const ts = Date.now() - (options.ageMs ?? 1000);
  const agent = USER_AGENTS[index % USER_AGENTS.length];
  const path = index % 5 === 0 ? `/assets/app-${index % 7}.js` : `/posts/${index}`;
  const cache = index % 3 === 0 ? 'MISS' : 'HIT';
  return `${cache}|${options.status ?? 200}|${ts}|${1000 + (index % 5000)}|390|203.0.113.${index % 250}|https://news.ycombinator.com/|https://${options.host ?? 'example.com'}${path}?n=${index}|DE|${agent}|req-${index}|DE`;
}

/**
 * `bunnyLine(index)` with its URL's query padded with `pad` (one character, repeated, then as many
 * `x` as it takes) so that the line is exactly `bytes` long in UTF-8.
 */
export function bunnyLineOfBytes(index: number, bytes: number, pad = 'x'): string {
  const line = bunnyLine(index);
  const room = bytes - Buffer.byteLength(line) - '&pad='.length;
  if (room < 0) throw new Error(`line ${index} is longer than ${bytes} bytes unpadded`);
  const padBytes = Buffer.byteLength(pad);
  return line.replace(`?n=${index}|`, `?n=${index}&pad=${pad.repeat(Math.floor(room / padBytes))}${'x'.repeat(room % padBytes)}|`);
}

/** An RFC 5424 envelope as Bunny's forwarding writes it (with the byte-order mark). */
export function rfc5424(message: string): string {
  return `<165>1 ${new Date().toISOString()} bunny-forwarder evntslog - ID47 [exampleSDID@32473 eventSource="BunnyCDN"] \uFEFF${message}`;
}

/** RFC 6587 octet-counting framing. */
export function octetCounted(message: string): string {
  return `${Buffer.byteLength(message)} ${message}`;
}

/** Writes `data` over one TCP connection and closes it. */
export function sendTcp(port: number, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(data));
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

/** Sends each message as one UDP datagram. */
export async function sendUdp(port: number, messages: readonly (string | Buffer)[]): Promise<void> {
  const socket = createSocket('udp4');
  for (const message of messages) {
    await new Promise<void>((resolve, reject) => socket.send(message, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  }
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

/** Waits until `check` returns true, looking every `pollMs` up to `timeoutMs`; throws with `what` when it never does. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000, pollMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The value of one sample in Prometheus text output (0 when absent). */
export function sampleValue(metricsText: string, sample: string): number {
  const line = metricsText.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
