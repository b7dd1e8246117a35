/**
 * On-the-fly compression of text files that were deployed without `.br`/`.gz` siblings. Only
 * types that compress well are touched (images and fonts in woff2 are compressed already); the
 * result is cached with the file's blob id, so each file is compressed once per encoding.
 */
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const COMPRESSIBLE_APPLICATION = new Set([
  'application/javascript', 'application/json', 'application/xml', 'application/manifest+json', 'application/rss+xml',
  'application/atom+xml', 'application/ld+json', 'application/wasm', 'application/vnd.ms-fontobject', 'image/svg+xml',
  'image/x-icon', 'image/bmp', 'font/ttf', 'font/otf',
]);

/** True for a Content-Type worth compressing: text, JSON, XML, JavaScript, SVG and uncompressed fonts. */
export function isCompressible(contentType: string): boolean {
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type.startsWith('text/') || type.endsWith('+json') || type.endsWith('+xml') || COMPRESSIBLE_APPLICATION.has(type);
}

/** How hard to compress. */
export interface CompressionLevels {
  readonly brotliQuality: number;
  readonly gzipLevel: number;
}

/** Compresses content for one encoding. */
export function compress(content: Buffer, encoding: 'br' | 'gzip', levels: CompressionLevels): Promise<Buffer> {
  if (encoding === 'br') {
    return brotli(content, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: levels.brotliQuality,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      },
    });
  }
  return gzipAsync(content, { level: levels.gzipLevel });
}
