import { ConnectionSlots } from './connection-slots';
import { resolveRtmpServerOptions } from './rtmp-server.options';
import { SessionLifecycle } from './session-lifecycle';

type Progress = SessionLifecycle['progress'];

function fakeSession(progress: Progress): SessionLifecycle & { displaced: boolean } {
  const session = {
    progress,
    displaced: false,
    displace() {
      session.displaced = true;
    },
  };
  return session as unknown as SessionLifecycle & { displaced: boolean };
}

function slots(maxConnections: number, maxConnectionsPerAddress: number) {
  const displacedFrom: string[] = [];
  const options = resolveRtmpServerOptions({ maxConnections, maxConnectionsPerAddress });
  const table = new ConnectionSlots(options, (_session, address) => displacedFrom.push(address));
  return { table, displacedFrom };
}

describe('ConnectionSlots', () => {
  it('refuses past maxConnectionsPerAddress, counting each address apart', () => {
    const { table } = slots(10, 2);
    table.add(fakeSession('handshake'), 'a');
    table.add(fakeSession('handshake'), 'a');
    expect(table.admit('a')).toBe('maxConnectionsPerAddress');
    expect(table.admit('b')).toBeUndefined();
  });

  it('gives an address its slot back when a session is released, once', () => {
    const { table } = slots(10, 1);
    const session = fakeSession('connected');
    table.add(session, 'a');
    table.release(session);
    table.release(session);
    expect(table.size).toBe(0);
    expect(table.admit('a')).toBeUndefined();
  });

  it('when full, displaces the oldest connection that made the least progress', () => {
    const { table, displacedFrom } = slots(3, 10);
    const connected = fakeSession('connected');
    const connecting = fakeSession('connecting');
    const handshaking = fakeSession('handshake');
    table.add(connected, 'a');
    table.add(connecting, 'b');
    table.add(handshaking, 'c');
    expect(table.admit('d')).toBeUndefined();
    expect(handshaking.displaced).toBe(true);
    expect(displacedFrom).toEqual(['c']);
    expect(table.size).toBe(2);
    table.add(fakeSession(undefined), 'd');
    expect(table.admit('e')).toBeUndefined();
    expect(connecting.displaced).toBe(true);
    expect(connected.displaced).toBe(false);
  });

  it('never displaces an accepted or verifying connection: refuses instead', () => {
    const { table } = slots(2, 10);
    const accepted = fakeSession(undefined);
    table.add(accepted, 'a');
    table.add(fakeSession(undefined), 'b');
    expect(table.admit('c')).toBe('maxConnections');
    expect(accepted.displaced).toBe(false);
    expect(table.size).toBe(2);
  });
});
