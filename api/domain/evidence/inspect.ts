import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata } from 'sharp';
import type { EvidenceKind } from '../../../contracts/evidence.ts';

/** Largest file taken (a 48-megapixel phone photo is 10–20 MB; a scanned PDF of four pages less). */
export const MAX_EVIDENCE_BYTES = 25 * 1024 * 1024;
/** Most files in one upload. */
export const MAX_EVIDENCE_FILES = 12;
/**
 * Most pixels an image may decode to: a 48-megapixel phone camera (8064 × 6048) fits, a
 * decompression bomb (a few KB of PNG that would decode to gigabytes) does not.
 */
export const MAX_EVIDENCE_PIXELS = 50_000_000;
const THUMBNAIL_EDGE = 320;

/** Images re-encoded from their pixels (which drops EXIF, GPS and anything appended); PDFs kept as they are if clean. */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
const DOCUMENT_TYPES = new Set(['application/pdf']);
/** Kinds that are photos of something: a PDF is no photo of a crew's helmet. */
const PHOTO_KINDS = new Set<EvidenceKind>(['equipment', 'crew-safety', 'cable-tag']);

/** PDF names that run something when the file is opened: scripts, launching programs, embedded files, forms with scripts. */
const PDF_ACTIVE_CONTENT = /\/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|AA|SubmitForm|ImportData|GoToE)\b/;

export interface InspectedFile {
  mediaType: string;
  content: Buffer;
  sha256: string;
  originalSha256: string;
  width: number | null;
  height: number | null;
  metadataStripped: boolean;
  thumbnail: { content: Buffer; sha256: string; mediaType: string } | null;
}

/** Why a file was refused: a stable code and a message in Chinese and English, naming nothing but the file. */
export class EvidenceRefusal extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** What the first bytes of an unrecognised file look like, to say why it is refused. */
function describeText(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 4096).toString('utf8').toLowerCase();
  if (/<svg[\s>]/.test(head)) return 'SVG';
  if (/<(!doctype html|html|script|body|iframe|object|embed)[\s>]/.test(head)) return 'HTML';
  if (/^\s*<\?xml/.test(head)) return 'XML';
  return null;
}

/**
 * Decides whether a file may be kept as evidence of `kind`: its type from its content (never its
 * name or the browser's word), its size, its pixel count, no script. Images come back re-encoded
 * without metadata (EXIF, GPS location, maker notes) and with a thumbnail; a PDF unchanged.
 */
export async function inspectEvidenceFile(bytes: Buffer, kind: EvidenceKind): Promise<InspectedFile> {
  if (bytes.length === 0) throw new EvidenceRefusal('EVIDENCE_EMPTY', '文件为空。 The file is empty.');
  if (bytes.length > MAX_EVIDENCE_BYTES) {
    throw new EvidenceRefusal(
      'EVIDENCE_TOO_LARGE',
      `文件超过 ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB。 The file is larger than ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB.`,
    );
  }
  const detected = await fileTypeFromBuffer(bytes);
  const mediaType = detected?.mime;
  if (!mediaType || !(IMAGE_TYPES.has(mediaType) || DOCUMENT_TYPES.has(mediaType))) {
    const text = mediaType ? null : describeText(bytes);
    const what = mediaType ?? text ?? 'unknown';
    throw new EvidenceRefusal(
      text === 'SVG' || text === 'HTML' ? 'EVIDENCE_ACTIVE_CONTENT' : 'EVIDENCE_TYPE_NOT_ALLOWED',
      `按内容识别为 ${what}，只接受 JPEG、PNG、WebP 照片或 PDF 文件（SVG、HTML 等可含脚本的文件不接受）。 ` +
        `Its content is ${what}; only JPEG, PNG or WebP photos and PDF documents are taken (no SVG, HTML or anything that can hold scripts).`,
    );
  }
  const originalSha256 = sha256Of(bytes);
  if (DOCUMENT_TYPES.has(mediaType)) {
    if (PHOTO_KINDS.has(kind)) {
      throw new EvidenceRefusal('EVIDENCE_TYPE_NOT_ALLOWED', `此类资料须为照片，不接受 PDF。 A ${kind} must be a photo, not a PDF.`);
    }
    const found = PDF_ACTIVE_CONTENT.exec(bytes.toString('latin1'));
    if (found) {
      throw new EvidenceRefusal(
        'EVIDENCE_ACTIVE_CONTENT',
        `PDF 含有可执行内容（/${found[1]}）。 The PDF holds active content (/${found[1]}).`,
      );
    }
    return {
      mediaType,
      content: bytes,
      sha256: originalSha256,
      originalSha256,
      width: null,
      height: null,
      metadataStripped: false,
      thumbnail: null,
    };
  }

  const open = () => sharp(bytes, { limitInputPixels: MAX_EVIDENCE_PIXELS, failOn: 'error', sequentialRead: true });
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new EvidenceRefusal('EVIDENCE_UNREADABLE', '图片无法读取（文件已损坏）。 The image cannot be read (the file is damaged).');
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0) * Math.max(meta.pages ?? 1, 1);
  if (pixels > MAX_EVIDENCE_PIXELS || !meta.width || !meta.height) {
    throw new EvidenceRefusal(
      'EVIDENCE_TOO_MANY_PIXELS',
      `图片 ${meta.width ?? '?'}×${meta.height ?? '?'} 像素，超过 ${MAX_EVIDENCE_PIXELS / 1_000_000} 百万像素上限（疑似解压炸弹）。 ` +
        `The image is ${meta.width ?? '?'}×${meta.height ?? '?'} pixels, over the ${MAX_EVIDENCE_PIXELS / 1_000_000}-megapixel limit (a decompression bomb?).`,
    );
  }
  try {
    // rotate() applies the EXIF orientation to the pixels; sharp writes no metadata unless asked, so EXIF (GPS) is gone.
    const pipeline = open().rotate();
    const encoded =
      mediaType === 'image/png'
        ? pipeline.png()
        : mediaType === 'image/webp'
          ? pipeline.webp({ quality: 90 })
          : pipeline.jpeg({ quality: 90 });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    // from the clean re-encoded image: a JPEG shrinks on load, so the thumbnail costs little more
    const thumb = await sharp(data)
      .resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 72 })
      .toBuffer();
    return {
      mediaType,
      content: data,
      sha256: sha256Of(data),
      originalSha256,
      width: info.width,
      height: info.height,
      metadataStripped: true,
      thumbnail: { content: thumb, sha256: sha256Of(thumb), mediaType: 'image/jpeg' },
    };
  } catch (e) {
    if (e instanceof Error && /pixel limit/i.test(e.message)) {
      throw new EvidenceRefusal(
        'EVIDENCE_TOO_MANY_PIXELS',
        `图片超过 ${MAX_EVIDENCE_PIXELS / 1_000_000} 百万像素上限。 The image is over the ${MAX_EVIDENCE_PIXELS / 1_000_000}-megapixel limit.`,
      );
    }
    throw new EvidenceRefusal('EVIDENCE_UNREADABLE', '图片无法读取（文件已损坏）。 The image cannot be read (the file is damaged).');
  }
}
