/**
 * Releases whose every file says which release it belongs to, and a visitor loop that checks each
 * answer against them — so a response mixing two releases (a page from one, its asset or 404 page
 * from another, headers from one and bytes from another, a range cut from another's file) is
 * caught, not guessed at.
 *
 * Release K has: `index.html` naming K and referencing `/assets/app-K.js` (small, from memory) and
 * `/media/big-K.bin` (over the memory limit, streamed); `data.txt`, a file at the same path in
 * every release, made of `release K|` repeated (a length of its own per K); `about.html` in odd
 * releases only; and a `404.html` naming K.
 */
import { blobIdOf } from '../../core/services/releases/releaseLayout.js';
import { edgeGet } from './edgeClient.js';

/** Bytes of the streamed file: just over the edge's default 2 MiB memory limit (cache.maxFileBytes). */
const BIG_BYTES = 2 * 1024 * 1024 + 64 * 1024;

function repeatTo(unit: string, bytes: number): string {
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/** The files of release `k` (path -> content). */
export function releaseFiles(k: number): Record<string, string> {
  const files: Record<string, string> = {
    'index.html': `<!doctype html><html data-release="${k}"><script src="/assets/app-${k}.js"></script><img src="/media/big-${k}.bin"></html>\n`,
    [`assets/app-${k}.js`]: `/* release ${k} */ ${repeatTo(`console.log(${k});`, 2000)}\n`,
    [`media/big-${k}.bin`]: repeatTo(`release ${k}|`, BIG_BYTES),
    'data.txt': repeatTo(`release ${k}|`, 50_000 + k * 997),
    '404.html': `<h1>404 of release ${k}</h1>\n`,
  };
  if (k % 2 === 1) files['about.html'] = `<h1>about, release ${k}</h1>\n`;
  return files;
}

/** The files that release `k` removes from release `k - 1` (git deletes them from the tree). */
export function removedFiles(k: number): Record<string, null> {
  const gone: Record<string, null> = { [`assets/app-${k - 1}.js`]: null, [`media/big-${k - 1}.bin`]: null };
  if (k % 2 === 0) gone['about.html'] = null;
  return gone;
}

/** What the loop saw. */
export interface HammerReport {
  requests: number;
  /** Release numbers seen on the home page. */
  readonly releases: Set<number>;
  /** Descriptions of every inconsistent answer. */
  readonly mixed: string[];
}

function releaseOf(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** True when `body` is `release K|` repeated from the start, for one K; returns K. */
function uniformRelease(body: string, offset = 0): number | undefined {
  const k = releaseOf(body, /release (\d+)\|/);
  if (k === undefined) return undefined;
  return repeatTo(`release ${k}|`, offset + body.length).slice(offset) === body ? k : undefined;
}

/** One round of a visitor: the page, what it references, a clean URL, a shared file, a range. */
async function visit(base: string, site: string, report: HammerReport): Promise<void> {
  const get = (path: string, headers: Record<string, string> = {}) => edgeGet(base, site, path, { headers });
  const page = await get('/');
  report.requests++;
  const k = releaseOf(page.text, /data-release="(\d+)"/);
  if (page.status !== 200 || k === undefined) return void report.mixed.push(`home page: ${page.status} ${page.text.slice(0, 80)}`);
  report.releases.add(k);
  if (page.headers.etag !== `"${blobIdOf(Buffer.from(releaseFiles(k)['index.html']!))}"`) report.mixed.push(`home page of release ${k} with ETag ${page.headers.etag}`);

  for (const asset of [`/assets/app-${k}.js`, `/media/big-${k}.bin`]) {
    const answer = await get(asset);
    report.requests++;
    if (answer.status === 200) {
      const expected = releaseFiles(k)[asset.slice(1)]!;
      if (answer.text !== expected) report.mixed.push(`${asset} of release ${k} had other bytes`);
    } else if (answer.status === 404) {
      // The asset is gone only because a newer release went live: its 404 page must say so.
      const newer = releaseOf(answer.text, /404 of release (\d+)/);
      if (newer === undefined || newer <= k) report.mixed.push(`${asset} missing with a 404 page of release ${newer}`);
    } else report.mixed.push(`${asset}: status ${answer.status}`);
  }

  const about = await get('/about');
  report.requests++;
  const aboutRelease = releaseOf(about.text, about.status === 200 ? /about, release (\d+)/ : /404 of release (\d+)/);
  if (aboutRelease === undefined || (about.status === 200) !== (aboutRelease % 2 === 1)) report.mixed.push(`/about: ${about.status} with ${about.text.slice(0, 60)}`);

  const data = await get('/data.txt');
  report.requests++;
  const dataRelease = uniformRelease(data.text);
  if (dataRelease === undefined || data.text !== releaseFiles(dataRelease)['data.txt'] || data.headers.etag !== `"${blobIdOf(data.body)}"`) {
    report.mixed.push(`data.txt: ${data.text.length} bytes not of one release, or ETag ${data.headers.etag} not theirs`);
  }

  const part = await get('/data.txt', { range: 'bytes=1000-20999' });
  report.requests++;
  const total = Number(/\/(\d+)$/.exec(part.headers['content-range'] ?? '')?.[1]);
  const partRelease = uniformRelease(part.text, 1000);
  if (part.status !== 206 || partRelease === undefined || releaseFiles(partRelease)['data.txt']!.length !== total) {
    report.mixed.push(`range of data.txt: ${part.status} ${part.headers['content-range']} not of one release`);
  }
}

/** Runs `loops` visitors in parallel until `until` settles; resolves with what they saw. */
export async function hammer(base: string, site: string, loops: number, until: Promise<unknown>): Promise<HammerReport> {
  const report: HammerReport = { requests: 0, releases: new Set(), mixed: [] };
  let done = false;
  const finished = until.finally(() => {
    done = true;
  });
  const visitor = async (): Promise<void> => {
    while (!done) await visit(base, site, report);
  };
  await Promise.all([finished, ...Array.from({ length: loops }, visitor)]);
  return report;
}
