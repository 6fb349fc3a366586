/** Thrown at startup when no StreamKeyVerifier is registered: the module never accepts blindly. */
export class MissingStreamKeyVerifierError extends Error {
  constructor() {
    super(
      'RtmpModule needs a StreamKeyVerifier to decide who may publish, and none is registered. ' +
        'Register one with RtmpModule.forRoot({ port: 1935, verifier: MyVerifier }), with ' +
        '{ provide: StreamKeyVerifier, useClass: MyVerifier } in your module, or through ' +
        'forRootAsync({ useFactory: () => ({ verifierInstance: new MyVerifier() }) }). ' +
        'To accept every publish on purpose, use AllowAllStreamKeyVerifier.',
    );
    this.name = 'MissingStreamKeyVerifierError';
  }
}
