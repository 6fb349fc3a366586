import { decodeCommand } from '../../protocol/command/command.decoder';
import { parseStatusCommand } from '../../protocol/command/response-command.parser';
import { MessageType } from '../../protocol/message/message-type';
import { RtmpMessage } from '../../protocol/message/rtmp-message';
import { decodeUserControl } from '../../protocol/message/user-control.codec';
import { MediaPacket } from '../../media/media-packet';
import { publishRequest } from '../../media/testing/media-packet.fixtures';
import { GopCacheLimits, LiveStream } from '../live-stream';
import { PlayerOutput, StreamPlayer } from '../stream-player';

export const STREAM_ID = 1;
export const MAX_QUEUED = 1_000;
export const GOP: GopCacheLimits = { enabled: true, maxFrames: 1_000, maxBytes: 1_000_000 };

/** A player's socket as the StreamPlayer sees it: records what is sent; the test sets the queue. */
export class FakeOutput implements PlayerOutput {
  readonly sent: RtmpMessage[] = [];
  queuedBytes = 0;

  send(message: RtmpMessage): void {
    this.sent.push(message);
  }

  /** The sent messages as short labels, in order. */
  labels(): string[] {
    return this.sent.map(label);
  }

  /** The media messages sent (audio and video). */
  media(): RtmpMessage[] {
    return this.sent.filter(
      (message) => message.typeId === MessageType.Audio || message.typeId === MessageType.Video,
    );
  }

  clear(): void {
    this.sent.length = 0;
  }
}

/** `streamBegin`, `status:NetStream.Play.Start`, `metadata`, `key@40`, `video@80`, `audio@20`... */
export function label(message: RtmpMessage): string {
  switch (message.typeId) {
    case MessageType.UserControl:
      return decodeUserControl(message.payload).kind;
    case MessageType.CommandAmf0:
      return `status:${parseStatusCommand(decodeCommand(message.payload)).status.code}`;
    case MessageType.DataAmf0:
      return 'metadata';
    case MessageType.Audio:
      return message.payload[1] === 0 ? 'audio-header' : `audio@${message.timestamp}`;
    case MessageType.Video: {
      if (message.payload[0] & 0x80) return `multitrack@${message.timestamp}`;
      if (message.payload[1] === 0) return 'video-header';
      return `${message.payload[0] >> 4 === 1 ? 'key' : 'video'}@${message.timestamp}`;
    }
    default:
      return `type${message.typeId}`;
  }
}

export function liveStream(limits: GopCacheLimits = GOP): LiveStream {
  return new LiveStream(
    publishRequest(),
    (error) => {
      throw error;
    },
    limits,
  );
}

export function deliverAll(stream: LiveStream, packets: readonly MediaPacket[]): void {
  for (const packet of packets) stream.deliver(packet);
}

export function player(output: FakeOutput): StreamPlayer {
  return new StreamPlayer(output, STREAM_ID, { ...publishRequest(), action: 'play' }, MAX_QUEUED);
}
