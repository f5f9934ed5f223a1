import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { Platform } from './platform.ts';

/** The kinds the construction record and the on-site acceptance require (their forms' `evidence.kinds`). */
export const CONSTRUCTION_KINDS = ['equipment', 'crew-safety', 'cable-tag'];
export const ACCEPTANCE_KINDS = ['acceptance-summary', 'onsite-report', 'completion-documents'];

/** A photo made here (no binary in the repository): noise, so every one is different, optionally with EXIF GPS. */
export async function samplePhoto({
  width = 640,
  height = 480,
  format = 'jpeg',
  gps = false,
}: { width?: number; height?: number; format?: 'jpeg' | 'png' | 'webp'; gps?: boolean } = {}): Promise<Buffer> {
  const w = Math.min(width, 640);
  const h = Math.min(height, 480);
  let image = sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } });
  if (w !== width || h !== height) image = sharp(await image.png().toBuffer()).resize(width, height, { fit: 'fill' });
  const encoded = format === 'png' ? image.png() : format === 'webp' ? image.webp() : image.jpeg({ quality: 80 });
  if (gps) {
    return encoded
      .withExif({
        IFD0: { Make: 'TestPhone', Model: 'Crew Camera' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '43/1 49/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '87/1 37/1 0/1' },
      })
      .toBuffer();
  }
  return encoded.toBuffer();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer) => {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
};

/**
 * A decompression bomb: a valid grey PNG of `edge` × `edge` pixels, all black, that compresses to
 * a few hundred KB and would decode to edge² bytes.
 */
export function pngBomb(edge = 10_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(edge, 0);
  ihdr.writeUInt32BE(edge, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((edge + 1) * edge); // a filter byte and a row of zeros per line
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface Part {
  field: string;
  fileName: string;
  content: Buffer;
  /** What the browser would claim; the server decides by content. */
  contentType?: string;
}

/** A multipart/form-data body as a browser sends it. */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----evidence${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"; filename="${p.fileName}"\r\n` +
          `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      p.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Uploads files on a task (as the admin, unless a token is given). */
export async function upload(platform: Platform, taskKey: string, parts: Part[], token?: string) {
  const body = multipart(parts);
  const headers = token ? { ...body.headers, authorization: `Bearer ${token}` } : body.headers;
  const inject = token ? platform.fastify.inject.bind(platform.fastify) : platform.app.inject;
  return inject({ method: 'POST', url: `/tasks/${taskKey}/evidence`, payload: body.payload, headers });
}

/** One photo of each kind on a task, as a crew would before completing it; fails loudly if refused. */
export async function uploadPhotos(platform: Platform, taskKey: string, kinds: string[]): Promise<{ id: string; kind: string }[]> {
  const parts = await Promise.all(kinds.map(async (kind) => ({ field: kind, fileName: `${kind}.jpg`, content: await samplePhoto() })));
  const res = await upload(platform, taskKey, parts);
  if (res.statusCode !== 201) throw new Error(`upload on task ${taskKey} answered ${res.statusCode}: ${res.body}`);
  return res.json() as { id: string; kind: string }[];
}
