import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { PublishRequest, PublishVerdict, PublishVerdicts } from '../server/publish-request';

/** What a verifier may return: a verdict now, later, or as the first value of an Observable. */
export type VerdictResult = PublishVerdict | Promise<PublishVerdict> | Observable<PublishVerdict>;

/**
 * Decides whether a publish may go ahead. It is both the contract and the DI token: implement
 * it, register the class (`RtmpModule.forRoot({ verifier: MyVerifier })` or
 * `{ provide: StreamKeyVerifier, useClass: MyVerifier }`), and inject whatever it needs.
 *
 * Called exactly once per publish, before anything is sent to the publisher. Throwing, erroring,
 * returning something that is not a verdict, or answering after `verifierTimeoutMs` (5 s by
 * default) all reject the publish: the server fails closed.
 *
 * @publicApi
 */
export abstract class StreamKeyVerifier {
  /**
   * `signal` is aborted (its reason an RtmpError) once the answer no longer matters: the
   * timeout passed or the client left. Hand it to fetch() or a database call to stop the work.
   */
  abstract verify(request: PublishRequest, signal?: AbortSignal): VerdictResult;
}

/**
 * Accepts every publish. For development and closed networks only; registering it is a
 * deliberate choice, never a default.
 *
 * @publicApi
 */
@Injectable()
export class AllowAllStreamKeyVerifier extends StreamKeyVerifier {
  verify(): PublishVerdict {
    return PublishVerdicts.accept();
  }
}
