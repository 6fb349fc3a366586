/*
 * The child's side of ./forked-child.ts: a process the bench forked says it is ready, then
 * answers each request of the bench with a reply carrying the request's id.
 */

export function announceReady(fields: object = {}): void {
  process.send?.({ ...fields, type: 'ready' });
}

/**
 * Answers every request with what `answer` returns for it. The child exits when the bench
 * closes the channel (or dies): it never outlives the bench.
 */
export function answerParent<Request extends { readonly type: string }>(
  answer: (request: Request) => object | Promise<object>,
): void {
  process.on('message', (request: Request & { readonly id: number }) => {
    void Promise.resolve(answer(request)).then((reply) =>
      process.send?.({ ...reply, type: 'reply', id: request.id }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
