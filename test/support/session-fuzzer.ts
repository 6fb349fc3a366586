import { connect } from 'net';
import { encodeAmf0 } from '../../libs/rtmp/src/protocol/amf';
import { ChunkWriter } from '../../libs/rtmp/src/protocol/chunk';
import { ClientHandshake } from '../../libs/rtmp/src/protocol/handshake';

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Mutation =
  | 'bit-flips'
  | 'truncate'
  | 'duplicate-slice'
  | 'swap-slices'
  | 'absurd-length'
  | 'absurd-chunk-size'
  | 'tiny-chunk-size'
  | 'fresh-csid-fmt3'
  | 'deep-amf'
  | 'huge-string'
  | 'random-bytes';

export const MUTATIONS: readonly Mutation[] = [
  'bit-flips',
  'truncate',
  'duplicate-slice',
  'swap-slices',
  'absurd-length',
  'absurd-chunk-size',
  'tiny-chunk-size',
  'fresh-csid-fmt3',
  'deep-amf',
  'huge-string',
  'random-bytes',
];

const writer = (): ChunkWriter => new ChunkWriter();

/** A command message on csid 3 whose AMF is hostile. */
function hostileCommand(random: () => number, kind: 'deep' | 'huge'): Buffer {
  let payload: Buffer;
  if (kind === 'deep') {
    // "connect", 1, then objects nested far past any sane depth (built by hand: our encoder
    // would refuse), each level an object with one property "a".
    const depth = 5_000 + Math.floor(random() * 20_000);
    const open = Buffer.from([0x00, 0x01, 0x61, 0x03]); // key "a", object marker
    const parts = [encodeAmf0('connect'), encodeAmf0(1), Buffer.from([0x03])];
    for (let i = 0; i < depth; i += 1) parts.push(open);
    payload = Buffer.concat(parts);
  } else {
    // A long string (0x0C) claiming 4 GiB, followed by a few bytes.
    payload = Buffer.concat([
      encodeAmf0('connect'),
      encodeAmf0(1),
      Buffer.from([0x0c, 0xff, 0xff, 0xff, 0xf0, 0x41, 0x41]),
    ]);
  }
  return writer().encodeToBuffer({
    chunkStreamId: 3,
    messageStreamId: 0,
    typeId: 20,
    timestamp: 0,
    payload,
  });
}

/** Applies one mutation to a publish session's chunk bytes (after the handshake). */
export function mutate(base: Buffer, mutation: Mutation, random: () => number): Buffer {
  const at = (): number => Math.floor(random() * base.length);
  switch (mutation) {
    case 'bit-flips': {
      const copy = Buffer.from(base);
      const flips = 1 + Math.floor(random() * 16);
      for (let i = 0; i < flips; i += 1) {
        const index = Math.floor(random() * copy.length);
        copy[index] ^= 1 << Math.floor(random() * 8);
      }
      return copy;
    }
    case 'truncate':
      return base.subarray(0, at());
    case 'duplicate-slice': {
      const start = at();
      const end = Math.min(base.length, start + 1 + Math.floor(random() * 4096));
      return Buffer.concat([base.subarray(0, end), base.subarray(start, end), base.subarray(end)]);
    }
    case 'swap-slices': {
      const a = at();
      const b = at();
      const [first, second] = a < b ? [a, b] : [b, a];
      const length = Math.min(1 + Math.floor(random() * 2048), second - first);
      return Buffer.concat([
        base.subarray(0, first),
        base.subarray(second, second + length),
        base.subarray(first + length, second),
        base.subarray(first, first + length),
        base.subarray(second + length),
      ]);
    }
    case 'absurd-length': {
      // An fmt 0 header on a fresh csid announcing the largest message, then its first bytes.
      const header = Buffer.from([0x0a, 0, 0, 0, 0xff, 0xff, 0xff, 0x09, 1, 0, 0, 0]);
      const cut = at();
      return Buffer.concat([base.subarray(0, cut), header, base.subarray(cut)]);
    }
    case 'absurd-chunk-size':
    case 'tiny-chunk-size': {
      const size = mutation === 'absurd-chunk-size' ? 0x7fffffff : 1;
      const payload = Buffer.alloc(4);
      payload.writeUInt32BE(size);
      const message = writer().encodeToBuffer({
        chunkStreamId: 2,
        messageStreamId: 0,
        typeId: 1,
        timestamp: 0,
        payload,
      });
      const cut = at();
      return Buffer.concat([base.subarray(0, cut), message, base.subarray(cut)]);
    }
    case 'fresh-csid-fmt3': {
      const cut = at();
      const csid = 10 + Math.floor(random() * 50);
      return Buffer.concat([base.subarray(0, cut), Buffer.from([0xc0 | csid]), base.subarray(cut)]);
    }
    case 'deep-amf':
      return Buffer.concat([hostileCommand(random, 'deep'), base]);
    case 'huge-string':
      return Buffer.concat([hostileCommand(random, 'huge'), base]);
    case 'random-bytes': {
      const length = 1 + Math.floor(random() * 8192);
      const noise = Buffer.alloc(length);
      for (let i = 0; i < length; i += 1) noise[i] = Math.floor(random() * 256);
      const cut = at();
      return Buffer.concat([base.subarray(0, cut), noise]);
    }
  }
}

/**
 * Runs one hostile session: handshake like a client, then write `chunks` and half-close.
 * Resolves when the server has closed the connection (or after `timeoutMs`, then destroys it
 * and resolves `false`).
 */
export function runHostileSession(
  port: number,
  chunks: Buffer,
  timeoutMs: number,
  garbleHandshake = false,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const handshake = new ClientHandshake();
    let handshakeDone = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeoutMs);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('connect', () => {
      const hello = handshake.start();
      if (garbleHandshake) {
        hello[0] = 0x06; // not version 3
      }
      socket.write(hello);
    });
    socket.on('data', (data: Buffer) => {
      if (handshakeDone) return; // the server's replies don't matter here
      try {
        const progress = handshake.push(data);
        if (progress.output !== undefined) socket.write(progress.output);
        if (!progress.complete) return;
      } catch {
        socket.destroy();
        return;
      }
      handshakeDone = true;
      socket.end(chunks);
    });
  });
}
