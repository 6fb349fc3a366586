import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { StreamRequest, StreamVerdict, StreamVerdicts } from '../server/stream-request';

/** What a verifier may return: a verdict now, later, or as the first value of an Observable. */
export type VerdictResult = StreamVerdict | Promise<StreamVerdict> | Observable<StreamVerdict>;

/**
 * Decides whether a publish or a play may go ahead (`request.action` says which). It is both
 * the contract and the DI token: implement it, register the class
 * (`RtmpModule.forRoot({ verifier: MyVerifier })` or
 * `{ provide: StreamKeyVerifier, useClass: MyVerifier }`), and inject whatever it needs.
 *
 * Called exactly once per publish and once per play, before anything is sent to the client.
 * Throwing, erroring, returning something that is not a verdict, or answering after
 * `verifierTimeoutMs` (5 s by default) all reject the request: the server fails closed.
 * Accepting a publish with `StreamVerdicts.accept({ name })` gives the stream its public name:
 * it is then live, played, relayed, recorded and logged as `app/<name>`, never under its key
 * (an invalid name rejects the publish; a play's `name` is ignored).
 *
 * @publicApi
 */
export abstract class StreamKeyVerifier {
  /**
   * `signal` is aborted (its reason an RtmpError) once the answer no longer matters: the
   * timeout passed or the client left. Hand it to fetch() or a database call to stop the work.
   */
  abstract verify(request: StreamRequest, signal?: AbortSignal): VerdictResult;
}

/**
 * Accepts every publish. For development and closed networks only; registering it is a
 * deliberate choice, never a default.
 *
 * @publicApi
 */
@Injectable()
export class AllowAllStreamKeyVerifier extends StreamKeyVerifier {
  verify(): StreamVerdict {
    return StreamVerdicts.accept();
  }
}
