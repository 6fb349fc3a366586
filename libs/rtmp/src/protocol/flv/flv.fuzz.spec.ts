import fc from 'fast-check';
import { RtmpError } from '../errors/rtmp-error';
import { parseAudioTag } from './audio-tag.parser';
import { encodeFlvHeader } from './flv-file.encoder';
import { FlvReader } from './flv.reader';
import { parseMediaTag } from './media-tag.parser';
import { parseVideoTag } from './video-tag.parser';

/** Runs `action`; any exception must be an RtmpError. Returns the value, or undefined on error. */
function valueOrRtmpError<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch (error) {
    expect(error).toBeInstanceOf(RtmpError);
    return undefined;
  }
}

/** Every body a tag hands out lies inside the payload and shares its memory. */
function expectBodiesInside(payload: Buffer, bodies: Buffer[]): void {
  for (const body of bodies) {
    if (body.length === 0) continue;
    expect(body.buffer).toBe(payload.buffer);
    expect(body.byteOffset).toBeGreaterThanOrEqual(payload.byteOffset);
    expect(body.byteOffset + body.length).toBeLessThanOrEqual(payload.byteOffset + payload.length);
  }
}

const bytes = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
// Leading bytes that steer random data into the ex-header paths (ModEx, multitrack, commands).
const audioLead = fc.constantFrom(0x90, 0x91, 0x94, 0x95, 0x97, 0xaf, 0x2f);
const videoLead = fc.constantFrom(0x17, 0x1c, 0x57, 0x90, 0x91, 0x93, 0x96, 0x97, 0xd1, 0xd4, 0xd7);
const multitrackByte = fc.integer({ min: 0, max: 0x3f });

function steered(lead: fc.Arbitrary<number>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(lead, multitrackByte, bytes)
    .map(([first, second, rest]) => Buffer.concat([Buffer.from([first, second]), rest]));
}

describe('fuzzing (fast-check)', () => {
  it('parseAudioTag returns a tag or throws an RtmpError, for any bytes', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, steered(audioLead)), (payload) => {
        const tag = valueOrRtmpError(() => parseAudioTag(payload));
        if (tag === undefined) return;
        expect(tag.kind).toBe('audio');
        expectBodiesInside(payload, tag.isMultitrack ? tag.tracks.map((t) => t.body) : [tag.body]);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseVideoTag returns a tag or throws an RtmpError, for any bytes', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, steered(videoLead)), (payload) => {
        const tag = valueOrRtmpError(() => parseVideoTag(payload));
        if (tag === undefined) return;
        expect(tag.kind).toBe('video');
        expectBodiesInside(payload, tag.isMultitrack ? tag.tracks.map((t) => t.body) : [tag.body]);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseMediaTag dispatches on the type id and passes other types by', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), bytes, (typeId, payload) => {
        const tag = valueOrRtmpError(() => parseMediaTag(typeId, payload));
        if (typeId !== 8 && typeId !== 9) expect(tag).toBeUndefined();
        else if (tag !== undefined) expect(tag.kind).toBe(typeId === 8 ? 'audio' : 'video');
      }),
    );
  });

  it('FlvReader accepts any bytes split anywhere, failing only with RtmpErrors', () => {
    const header = encodeFlvHeader({ audio: true, video: true });
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([header, b])),
    );
    fc.assert(
      fc.property(
        input,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.option(fc.integer({ min: 0, max: 64 }), { nil: undefined }),
        (file, cuts, maxTagSize) => {
          const points = [...new Set(cuts.map((c) => c % (file.length + 1)))].sort((a, b) => a - b);
          const pieces: Buffer[] = [];
          let start = 0;
          for (const point of [...points, file.length]) {
            pieces.push(file.subarray(start, point));
            start = point;
          }
          const reader = new FlvReader({ maxTagSize });
          valueOrRtmpError(() => {
            for (const piece of pieces) {
              reader.push(piece, (tag) =>
                expect(tag.body.length).toBeLessThanOrEqual(maxTagSize ?? 0xffffff),
              );
            }
            reader.end();
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
