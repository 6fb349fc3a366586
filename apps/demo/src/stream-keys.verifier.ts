import { Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'crypto';
import {
  maskStreamKey,
  StreamRequest,
  StreamVerdict,
  StreamVerdicts,
  StreamKeyVerifier,
} from '../../../src';
import { DemoConfig } from './demo-config';
import { DemoStreamKey } from './demo-stream-keys';

/**
 * Accepts a publish whose stream name is one of the configured keys, under that key's public
 * name (RTMP_STREAM_KEYS `key:name`), and a play of a configured public name: the stream is
 * live, played and logged as `app/<name>`, and its key stays with the encoder. Keys are compared
 * as SHA-256 digests with a constant-time comparison, so neither timing nor length tells an
 * attacker how close a guess was, and a key is never logged whole. Public names are no secret:
 * anyone may play them, and a play of anything else (a key included) is refused.
 */
@Injectable()
export class StreamKeysVerifier extends StreamKeyVerifier {
  private readonly logger = new Logger(StreamKeysVerifier.name);
  private readonly keys: readonly (DemoStreamKey & { readonly digest: Buffer })[];
  private readonly names: ReadonlySet<string>;

  constructor(config: DemoConfig) {
    super();
    this.keys = config.streamKeys.map((entry) => ({ ...entry, digest: digest(entry.key) }));
    this.names = new Set(config.streamKeys.map((entry) => entry.name));
  }

  verify(request: StreamRequest): StreamVerdict {
    return request.action === 'play' ? this.verifyPlay(request) : this.verifyPublish(request);
  }

  private verifyPublish(request: StreamRequest): StreamVerdict {
    const candidate = digest(request.streamName);
    // Compare against every key, even after a match, so the time taken says nothing.
    let matched: DemoStreamKey | undefined;
    for (const entry of this.keys) {
      if (timingSafeEqual(candidate, entry.digest)) matched ??= entry;
    }
    const who = `${request.app}/${maskStreamKey(request.streamName)} from ${request.remoteAddress}`;
    if (matched !== undefined) {
      this.logger.log(`accepted ${who} as ${request.app}/${matched.name}`);
      return StreamVerdicts.accept({ name: matched.name });
    }
    this.logger.warn(`rejected ${who}: unknown stream key`);
    return StreamVerdicts.reject('Unknown stream key.');
  }

  private verifyPlay(request: StreamRequest): StreamVerdict {
    if (this.names.has(request.streamName)) return StreamVerdicts.accept();
    // Not a public name: perhaps a key someone tries, so masked.
    const what = `${request.app}/${maskStreamKey(request.streamName)}`;
    this.logger.warn(`rejected play of ${what} from ${request.remoteAddress}: unknown stream`);
    return StreamVerdicts.reject('Unknown stream.');
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
