import { MessageType } from './message-type';
import { PeerBandwidthLimit } from './peer-bandwidth-limit';
import {
  decodeAbort,
  decodeAcknowledgement,
  decodeSetChunkSize,
  decodeSetPeerBandwidth,
  decodeWindowAcknowledgementSize,
} from './protocol-control.codec';
import { RtmpMessage } from './rtmp-message';
import { UserControlEvent } from './user-control-event';
import { decodeUserControl } from './user-control.codec';

/** A decoded protocol or user control message (types 1..6), told apart by `type`. */
export type ControlMessage =
  | { readonly type: 'setChunkSize'; readonly chunkSize: number }
  | { readonly type: 'abort'; readonly chunkStreamId: number }
  | { readonly type: 'acknowledgement'; readonly sequenceNumber: number }
  | { readonly type: 'userControl'; readonly event: UserControlEvent }
  | { readonly type: 'windowAcknowledgementSize'; readonly windowSize: number }
  | {
      readonly type: 'setPeerBandwidth';
      readonly windowSize: number;
      readonly limitType: PeerBandwidthLimit;
    };

/**
 * Decodes a control message for the session's dispatch, or returns undefined when `typeId` is
 * not one (media, data, commands, aggregates and unknown types are someone else's). Control
 * messages are decoded whatever chunk stream or message stream they came on: peers are not
 * consistent about csid 2, and nothing is gained by refusing them.
 */
export function decodeControlMessage(
  message: Pick<RtmpMessage, 'typeId' | 'payload'>,
): ControlMessage | undefined {
  const { payload } = message;
  switch (message.typeId) {
    case MessageType.SetChunkSize:
      return { type: 'setChunkSize', chunkSize: decodeSetChunkSize(payload) };
    case MessageType.Abort:
      return { type: 'abort', chunkStreamId: decodeAbort(payload) };
    case MessageType.Acknowledgement:
      return { type: 'acknowledgement', sequenceNumber: decodeAcknowledgement(payload) };
    case MessageType.UserControl:
      return { type: 'userControl', event: decodeUserControl(payload) };
    case MessageType.WindowAcknowledgementSize:
      return {
        type: 'windowAcknowledgementSize',
        windowSize: decodeWindowAcknowledgementSize(payload),
      };
    case MessageType.SetPeerBandwidth:
      return { type: 'setPeerBandwidth', ...decodeSetPeerBandwidth(payload) };
    default:
      return undefined;
  }
}
