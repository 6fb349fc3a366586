import { Socket } from 'net';
import { ReadSlabs } from './read-slabs';

/** What an accepted socket carries that re-wrapping needs (Node internals, checked at run time). */
interface AcceptedSocketInternals {
  _handle: { useUserBuffer?: unknown; readStart?: unknown } | null;
}

/** Receives what a slab-reading socket read: a view of a slab, never reused. */
export type SlabReadSink = (socket: Socket, data: Buffer) => void;

/**
 * Moves a connection accepted by a `pauseOnConnect` server (so nothing has been read yet) onto
 * a socket that reads into {@link ReadSlabs} through Node's `onread` option, and hands each
 * read to `sink` instead of emitting `'data'`.
 *
 * Node gives `onread` to client sockets only (`net.connect`, `new net.Socket`), not to a
 * server's: this takes the accepted socket's TCP handle (`_handle`) and builds a new Socket
 * around it with `onread`, as Node's own `onconnection` builds the first one, then destroys
 * the empty shell (it no longer owns the handle, so that closes nothing). What that saves,
 * against Node's stream reads, is measured in bench/profile-notes.md ("Session 5"): about a
 * fifth of the server's user CPU with 50 live publishers.
 *
 * Returns undefined, with `accepted` untouched, where this Node's sockets lack what it takes
 * (a handle with `useUserBuffer`): the caller then reads `accepted` the usual way.
 */
export function adoptWithSlabReads(
  accepted: Socket,
  sink: SlabReadSink,
  maxSlabBytes: number,
): Socket | undefined {
  const internals = accepted as unknown as AcceptedSocketInternals;
  const handle = internals._handle;
  if (
    handle === null ||
    typeof handle !== 'object' ||
    typeof handle.useUserBuffer !== 'function' ||
    typeof handle.readStart !== 'function'
  ) {
    return undefined;
  }
  const slabs = new ReadSlabs(maxSlabBytes);
  internals._handle = null;
  accepted.destroy();
  // `handle` is not in @types/node's SocketConstructorOpts: it is the option Node's net
  // server and child_process use to wrap an existing handle.
  const adopted: Socket = new Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: () => slabs.nextReadBuffer(),
      callback: (nread: number) => {
        sink(adopted, slabs.took(nread));
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
  return adopted;
}
