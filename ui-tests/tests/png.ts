/**
 * Just enough PNG decoding to compare two screenshots pixel by pixel, so a
 * documentation image is rewritten only when it visibly changed (the
 * browser's anti-aliasing can differ by a shade on a pixel or two between
 * runs, which must not leave the repository modified).
 */
import * as fs from 'fs';
import { inflateSync } from 'zlib';

interface IImage {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

/** Decode an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes). */
export function decodePNG(data: Buffer): IImage {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const chunks: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('ascii', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const colorType = body[9];
      if (body[8] !== 8 || (colorType !== 2 && colorType !== 6) || body[12] !== 0) {
        throw new Error('only 8-bit, non-interlaced RGB(A) PNGs are supported');
      }
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      chunks.push(body);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[row + x - channels] : 0;
      const up = y > 0 ? pixels[row - stride + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[row - stride + x - channels] : 0;
      let predictor = 0;
      if (filter === 1) {
        predictor = left;
      } else if (filter === 2) {
        predictor = up;
      } else if (filter === 3) {
        predictor = (left + up) >> 1;
      } else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[row + x] = (line[x] + predictor) & 255;
    }
  }
  return { width, height, channels, pixels };
}

/** Whether two PNGs look the same: same size, and only a few pixels a shade apart. */
export function looksTheSame(a: Buffer, b: Buffer, maxPixels = 20, maxDelta = 16): boolean {
  const first = decodePNG(a);
  const second = decodePNG(b);
  if (
    first.width !== second.width ||
    first.height !== second.height ||
    first.channels !== second.channels
  ) {
    return false;
  }
  let differing = 0;
  const { channels, pixels } = first;
  for (let i = 0; i < pixels.length; i += channels) {
    let delta = 0;
    for (let c = 0; c < channels; c++) {
      delta = Math.max(delta, Math.abs(pixels[i + c] - second.pixels[i + c]));
    }
    if (delta > maxDelta) {
      return false;
    }
    if (delta > 0 && ++differing > maxPixels) {
      return false;
    }
  }
  return true;
}

/** Write a screenshot unless the file there already looks the same. */
export function writeScreenshot(path: string, image: Buffer): boolean {
  if (fs.existsSync(path) && looksTheSame(fs.readFileSync(path), image)) {
    return false;
  }
  fs.writeFileSync(path, image);
  return true;
}
