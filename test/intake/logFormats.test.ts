/**
 * Every log format the intake reads, with lines as the servers write them — including the awkward
 * ones real logs contain.
 */
import { describe, expect, it } from 'vitest';
import { parseBunnyLine, readCacheStatus } from '../../plugins/intake/parsers/bunnyLine.js';
import { parseCombinedLine } from '../../plugins/intake/parsers/combinedLine.js';
import { parseLogLine } from '../../plugins/intake/parsers/logFormat.js';
import { isDrop } from '../../plugins/intake/records/rawAccess.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe("Bunny's pipe-delimited line", () => {
  it("reads Bunny's documented example field by field", () => {
    const line = `HIT|200|1507167062421|412|390|163.172.53.229|-|https://example.b-cdn.net/video.mp4|WA|${CHROME}|322b688bd63fb63f2babe9de30a5d262|DE`;
    expect(parseBunnyLine(line)).toEqual({
      source: 'bunny',
      cacheStatus: 'HIT',
      status: 200,
      ts: 1507167062421,
      bytes: 412,
      pullZoneId: '390',
      ip: '163.172.53.229',
      referrer: undefined,
      url: 'https://example.b-cdn.net/video.mp4',
      edgeLocation: 'WA',
      userAgent: CHROME,
      requestId: '322b688bd63fb63f2babe9de30a5d262',
      country: 'DE',
    });
  });

  it('keeps a user agent that contains pipes whole, splitting from both ends', () => {
    const agent = 'Mozilla/5.0 (compatible; Weird|Bot|2.0; +https://x.test/|about)';
    const parsed = parseBunnyLine(`MISS|404|1507167062421|0|390|2001:db8::1|https://ref.test/a?b=c|https://example.com/a?q=%7C|DE|${agent}|abc123|US`);
    expect(parsed).toMatchObject({ userAgent: agent, requestId: 'abc123', country: 'US', ip: '2001:db8::1', url: 'https://example.com/a?q=%7C', referrer: 'https://ref.test/a?b=c' });
  });

  it('accepts an empty user agent and an empty request id', () => {
    expect(parseBunnyLine('HIT|200|1507167062421|1|390|1.2.3.4|-|https://example.com/||||')).toMatchObject({ userAgent: '', requestId: '', country: '' });
  });

  it('is lenient on the cache status: byte-order mark, BOM spelled out, case, unknown words', () => {
    expect(readCacheStatus('\uFEFFHIT')).toBe('HIT');
    expect(readCacheStatus('BOMHIT')).toBe('HIT');
    expect(readCacheStatus('miss')).toBe('MISS');
    expect(readCacheStatus(' Revalidated ')).toBe('REVALIDATED');
    expect(readCacheStatus('WHATEVER-NEW')).toBe('WHATEVERNEW');
    expect(readCacheStatus('')).toBe('');
    expect(parseBunnyLine(`BOMHIT|200|1507167062421|412|390|1.2.3.4|-|https://e.com/|WA|${CHROME}|id|DE`)).toMatchObject({ cacheStatus: 'HIT', status: 200 });
  });

  it('names what is wrong with a broken line', () => {
    expect(parseBunnyLine('HIT|200|1507167062421|412|390|1.2.3.4|-|https://e.com/|WA|ua|DE')).toBe('malformed');
    expect(parseBunnyLine('HIT|200|1507167062421')).toBe('malformed');
    expect(parseBunnyLine('HIT|2x0|1507167062421|412|390|1.2.3.4|-|https://e.com/|WA|ua|id|DE')).toBe('bad_number');
    expect(parseBunnyLine('HIT|200|yesterday|412|390|1.2.3.4|-|https://e.com/|WA|ua|id|DE')).toBe('bad_number');
    expect(parseBunnyLine('HIT|200|1507167062421|-5|390|1.2.3.4|-|https://e.com/|WA|ua|id|DE')).toBe('bad_number');
    expect(parseBunnyLine('HIT|200|1507167062421|99999999999999999999|390|1.2.3.4|-|https://e.com/|WA|ua|id|DE')).toBe('bad_number');
    expect(parseBunnyLine('HIT|200|1507167062421|5|390|1.2.3.4|-||WA|ua|id|DE')).toBe('malformed');
  });
});

describe("Bunny's JSON records", () => {
  it('reads PascalCase keys as the JSON log format writes them', () => {
    const line = JSON.stringify({
      PullZoneId: 390,
      Timestamp: 1507167062421,
      Status: 200,
      BytesSent: 412,
      RemoteIp: '163.172.53.229',
      Referer: 'https://news.ycombinator.com/',
      Url: 'https://example.b-cdn.net/index.html',
      EdgeLocation: 'WA',
      UserAgent: CHROME,
      RequestId: 'req-1',
      CountryCode: 'DE',
      CacheStatus: 'MISS',
    });
    expect(parseLogLine(line, 'bunny-json')).toMatchObject({ source: 'bunny', status: 200, ts: 1507167062421, bytes: 412, pullZoneId: '390', cacheStatus: 'MISS', referrer: 'https://news.ycombinator.com/', requestId: 'req-1' });
  });

  it('reads camelCase keys and an ISO timestamp', () => {
    const line = '{"timestamp":"2024-03-04T09:15:00.250Z","statusCode":"304","bytesSent":0,"url":"/a","remoteIp":"::1","userAgent":"curl/8.5.0"}';
    expect(parseLogLine(line, 'auto')).toMatchObject({ status: 304, ts: Date.UTC(2024, 2, 4, 9, 15, 0, 250), bytes: 0, url: '/a' });
  });

  it('refuses JSON that is not an object, or lacks the numbers', () => {
    expect(parseLogLine('[1,2,3]', 'bunny-json')).toBe('malformed');
    expect(parseLogLine('{"Status":200', 'bunny-json')).toBe('malformed');
    expect(parseLogLine('{"Status":"ok","Timestamp":1,"Url":"/"}', 'bunny-json')).toBe('bad_number');
    expect(parseLogLine('{"Status":200,"Timestamp":1507167062421}', 'bunny-json')).toBe('malformed');
  });
});

describe('nginx combined and vhost-combined', () => {
  it('reads a combined line and converts its local time to UTC', () => {
    const line = `203.0.113.9 - alice [10/Oct/2023:13:55:36 +0200] "GET /blog/post?id=1 HTTP/1.1" 200 2326 "https://www.google.com/" "${CHROME}"`;
    expect(parseCombinedLine(line)).toEqual({
      source: 'nginx',
      host: undefined,
      ip: '203.0.113.9',
      ts: Date.UTC(2023, 9, 10, 11, 55, 36),
      method: 'GET',
      url: '/blog/post?id=1',
      status: 200,
      bytes: 2326,
      referrer: 'https://www.google.com/',
      userAgent: CHROME,
    });
  });

  it('reads vhost-combined with and without a port', () => {
    const tail = '[10/Oct/2023:13:55:36 -0700] "HEAD / HTTP/2.0" 301 0 "-" "curl/8.5.0"';
    expect(parseLogLine(`example.com:443 198.51.100.7 - - ${tail}`, 'auto')).toMatchObject({ host: 'example.com:443', ip: '198.51.100.7', method: 'HEAD', status: 301, referrer: undefined });
    expect(parseLogLine(`blog.example.org 2001:db8::7 - - ${tail}`, 'vhost-combined')).toMatchObject({ host: 'blog.example.org', ip: '2001:db8::7' });
    expect(parseLogLine(`blog.example.org 2001:db8::7 - - ${tail}`, 'combined')).toBe('malformed');
  });

  it("decodes nginx's \\x22 and Apache's \\\" escapes in quoted fields", () => {
    const nginx = String.raw`1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET /q?\x22a\x22 HTTP/1.1" 200 5 "-" "Agent \x22quoted\x22 \xC3\xA9"`;
    expect(parseCombinedLine(nginx)).toMatchObject({ url: '/q?"a"', userAgent: 'Agent "quoted" é' });
    const apache = String.raw`1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "Agent \"quoted\" back\\slash"`;
    expect(parseCombinedLine(apache)).toMatchObject({ userAgent: 'Agent "quoted" back\\slash' });
  });

  it('keeps a request nginx could not read (a TLS handshake on a plain port) as method OTHER', () => {
    const line = String.raw`1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-"`;
    expect(parseCombinedLine(line)).toMatchObject({ method: 'OTHER', url: '', status: 400, bytes: 157 });
    expect(parseCombinedLine('1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "-" 408 0 "-" "-"')).toMatchObject({ method: 'OTHER', status: 408 });
  });

  it("reads '-' bytes as 0, ignores extra fields after the user agent, keeps a URI with spaces", () => {
    const line = '1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET /a b/c HTTP/1.1" 304 - "-" "ua" "10.0.0.1" rt=0.012';
    expect(parseCombinedLine(line)).toMatchObject({ url: '/a b/c', bytes: 0, status: 304, userAgent: 'ua' });
  });

  it('names what is wrong with a broken line', () => {
    expect(parseCombinedLine('1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" abc 5')).toBe('bad_number');
    expect(parseCombinedLine('1.2.3.4 - - [31/Foo/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5')).toBe('bad_number');
    expect(parseCombinedLine('1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1')).toBe('malformed');
    expect(parseCombinedLine('just some words')).toBe('malformed');
    expect(parseCombinedLine('a b c d e [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5')).toBe('malformed');
  });
});

describe("Caddy's JSON access log", () => {
  const caddy = {
    level: 'info',
    ts: 1709543700.5241024,
    logger: 'http.log.access.log0',
    msg: 'handled request',
    request: {
      remote_ip: '203.0.113.5',
      remote_port: '41342',
      client_ip: '203.0.113.5',
      proto: 'HTTP/2.0',
      method: 'GET',
      host: 'www.example.com',
      uri: '/about/?utm_source=x',
      headers: { 'User-Agent': [CHROME], Referer: ['https://duckduckgo.com/'], Accept: ['*/*'] },
      tls: { resumed: false, version: 772, cipher_suite: 4865, proto: 'h2', server_name: 'www.example.com' },
    },
    bytes_read: 0,
    user_id: '',
    duration: 0.000929675,
    size: 10900,
    status: 200,
    resp_headers: { Server: ['Caddy'], 'Content-Type': ['text/html; charset=utf-8'] },
  };

  it('reads a Caddy 2 access record', () => {
    expect(parseLogLine(JSON.stringify(caddy), 'auto')).toMatchObject({
      source: 'caddy',
      ts: 1709543700524,
      status: 200,
      bytes: 10900,
      url: '/about/?utm_source=x',
      host: 'www.example.com',
      method: 'GET',
      ip: '203.0.113.5',
      userAgent: CHROME,
      referrer: 'https://duckduckgo.com/',
    });
    expect((parseLogLine(JSON.stringify(caddy), 'caddy') as { durationMs: number }).durationMs).toBeCloseTo(0.929675, 5);
  });

  it('reads ISO times and string durations some Caddy configs write', () => {
    const line = JSON.stringify({ ...caddy, ts: '2024-03-04T09:15:00.000Z', duration: '12.5ms' });
    expect(parseLogLine(line, 'caddy')).toMatchObject({ ts: Date.UTC(2024, 2, 4, 9, 15), durationMs: 12.5 });
  });

  it('is not taken for a Bunny record when the format is fixed', () => {
    expect(parseLogLine(JSON.stringify(caddy), 'bunny-json')).toBe('malformed');
  });
});

describe('auto-detection', () => {
  it('tells every format apart by its shape, and names the rest unknown', () => {
    expect(parseLogLine('HIT|200|1507167062421|412|390|1.2.3.4|-|https://e.com/|WA|ua|id|DE', 'auto')).toMatchObject({ source: 'bunny' });
    expect(parseLogLine('1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"', 'auto')).toMatchObject({ source: 'nginx' });
    expect(parseLogLine('hello world', 'auto')).toBe('unknown_format');
    expect(parseLogLine('', 'auto')).toBe('unknown_format');
  });
});

describe('lines a log shipper wrapped in a JSON event', () => {
  const combined = '1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET /shipped HTTP/1.1" 200 5 "-" "ua"';
  const bunny = 'HIT|200|1507167062421|412|390|1.2.3.4|-|https://e.com/shipped|WA|ua|id|DE';

  it("reads Vector's message and Fluent Bit's or Docker's log, in the listener's format or detected", () => {
    const vector = JSON.stringify({ file: '/var/log/nginx/access.log', host: 'web1', message: combined, source_type: 'file', timestamp: '2026-12-01T10:00:00Z' });
    expect(parseLogLine(vector, 'auto')).toMatchObject({ source: 'nginx', url: '/shipped' });
    expect(parseLogLine(vector, 'combined')).toMatchObject({ source: 'nginx', url: '/shipped' });
    expect(parseLogLine(JSON.stringify({ date: 1733047200.5, log: bunny }), 'bunny')).toMatchObject({ source: 'bunny', url: 'https://e.com/shipped' });
    expect(parseLogLine(JSON.stringify({ log: `${combined}\n`, stream: 'stdout', time: '2026-12-01T10:00:00Z' }), 'auto')).toMatchObject({ url: '/shipped' });
  });

  it('reads a JSON access record shipped as the message text', () => {
    const caddy = { ts: 1709543700.5, request: { client_ip: '203.0.113.5', method: 'GET', host: 'e.com', uri: '/from-vector', headers: {} }, status: 200, size: 10 };
    expect(parseLogLine(JSON.stringify({ message: JSON.stringify(caddy), host: 'web1' }), 'caddy')).toMatchObject({ source: 'caddy', url: '/from-vector' });
  });

  it('unwraps once, and leaves records of the JSON formats as they are', () => {
    expect(isDrop(parseLogLine(JSON.stringify({ message: JSON.stringify({ message: combined }) }), 'auto'))).toBe(true);
    expect(parseLogLine(JSON.stringify({ message: 42 }), 'combined')).toBe('malformed');
    // A Bunny record with a message of its own is read as the record it is.
    expect(parseLogLine(JSON.stringify({ Status: 200, Timestamp: 1507167062421, Url: '/own', message: combined }), 'auto')).toMatchObject({ source: 'bunny', url: '/own' });
  });
});
