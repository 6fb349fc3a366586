/*
 * The players of the fan-out scenario, all in this one process so that they cost the machine
 * little and are the same load whatever the server: each is this repository's RtmpPlayClient
 * (FFmpeg's player sequence: connect, createStream, play, SetBufferLength), counting what it
 * receives. The bench (./player-swarm.ts) asks for the counts over IPC (./player-swarm-ipc.ts).
 *
 *   node .bench-work/build/bench/support/player-swarm-process.js
 *   (compiled by the bench with the servers, see compileServers)
 */
import { RtmpPlayClient } from '../../libs/rtmp/src/client/rtmp-play-client';
import { NetStatusCode } from '../../libs/rtmp/src/protocol/command/net-status-code';
import { announceReady, answerParent } from './parent-channel';
import { OpenReport, PlayerCounters, SwarmRequest, SwarmSnapshot } from './player-swarm-ipc';

/** How many failure messages an open reports. */
const MAX_ERRORS = 5;

interface Player {
  readonly client: RtmpPlayClient;
  sawSequenceHeader: boolean;
  startedOnKeyFrame: boolean | undefined;
  playingSince: number | undefined;
  msToFirstKeyFrame: number | undefined;
  closed: string | undefined;
}

const players: Player[] = [];

function openPlayer(url: string): Promise<void> {
  const client = new RtmpPlayClient({ url });
  const player: Player = {
    client,
    sawSequenceHeader: false,
    startedOnKeyFrame: undefined,
    playingSince: undefined,
    msToFirstKeyFrame: undefined,
    closed: undefined,
  };
  client.onPacket((packet) => {
    if (packet.type !== 'video') return;
    const { tag } = packet;
    if (tag.isSequenceHeader) {
      player.sawSequenceHeader = true;
      return;
    }
    player.startedOnKeyFrame ??= player.sawSequenceHeader && tag.isKeyFrame;
    if (tag.isKeyFrame && player.msToFirstKeyFrame === undefined) {
      const now = performance.now();
      player.msToFirstKeyFrame = now - (player.playingSince ?? now);
    }
  });
  // Stamped as the status is parsed: a GOP cache's keyframe may come in the same socket read.
  client.onStatus((status) => {
    if (status.code === NetStatusCode.PlayStart) player.playingSince ??= performance.now();
  });
  client.onClose((cause) => (player.closed = cause?.message ?? 'closed'));
  return client.connect().then(() => {
    players.push(player);
  });
}

async function open(url: string, count: number, batch: number): Promise<OpenReport> {
  let opened = 0;
  const errors: string[] = [];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const results = await Promise.allSettled(Array.from({ length: size }, () => openPlayer(url)));
    for (const result of results) {
      if (result.status === 'fulfilled') opened += 1;
      else if (errors.length < MAX_ERRORS) errors.push(String(result.reason));
    }
  }
  return { opened, errors };
}

function counters(player: Player): PlayerCounters {
  return {
    bytes: player.client.bytesReceived,
    startedOnKeyFrame: player.startedOnKeyFrame,
    msToFirstKeyFrame: player.msToFirstKeyFrame,
    closed: player.closed,
  };
}

answerParent<SwarmRequest>(
  async (request): Promise<{ open?: OpenReport; snapshot?: SwarmSnapshot }> => {
    switch (request.type) {
      case 'open':
        return { open: await open(request.url, request.count, request.batch) };
      case 'snapshot':
        return { snapshot: { players: players.map(counters) } };
      case 'close':
        await Promise.all(players.map((player) => player.client.close()));
        players.length = 0;
        return {};
    }
  },
);
announceReady();
