/**
 * Thrown at startup when more than one StreamKeyVerifier is registered: which one would decide
 * who may publish must never depend on the order DI happens to find them in.
 */
export class DuplicateStreamKeyVerifierError extends Error {
  constructor(readonly registrations: readonly string[]) {
    super(
      `RtmpModule found ${registrations.length} StreamKeyVerifiers: ${registrations.join(', ')}. ` +
        'Register exactly one: the verifier option of forRoot, the verifierInstance option, or ' +
        'a { provide: StreamKeyVerifier } provider.',
    );
    this.name = 'DuplicateStreamKeyVerifierError';
  }
}
