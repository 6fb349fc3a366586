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

/**
 * Accepts a publish whose stream name is one of the configured keys. Keys are compared as
 * SHA-256 digests with a constant-time comparison, so neither timing nor length tells an
 * attacker how close a guess was, and a key is never logged whole.
 */
@Injectable()
export class StreamKeysVerifier extends StreamKeyVerifier {
  private readonly logger = new Logger(StreamKeysVerifier.name);
  private readonly digests: readonly Buffer[];

  constructor(config: DemoConfig) {
    super();
    this.digests = config.streamKeys.map(digest);
  }

  verify(request: StreamRequest): StreamVerdict {
    const candidate = digest(request.streamName);
    // Compare against every key, even after a match, so the time taken says nothing.
    let matched = false;
    for (const key of this.digests) matched = timingSafeEqual(candidate, key) || matched;
    const who = `${request.app}/${maskStreamKey(request.streamName)} from ${request.remoteAddress}`;
    if (matched) {
      this.logger.log(`accepted ${who}`);
      return StreamVerdicts.accept();
    }
    this.logger.warn(`rejected ${who}: unknown stream key`);
    return StreamVerdicts.reject('Unknown stream key.');
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
