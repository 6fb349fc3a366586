import { ChunkStreamId, MessageType } from './message-type';
import { SetPeerBandwidth } from './peer-bandwidth-limit';
import {
  encodeAbort,
  encodeAcknowledgement,
  encodeSetChunkSize,
  encodeSetPeerBandwidth,
  encodeWindowAcknowledgementSize,
} from './protocol-control.codec';
import { RtmpMessage } from './rtmp-message';
import { UserControlEvent } from './user-control-event';
import { encodeUserControl } from './user-control.codec';

/*
 * Complete control messages ready for the chunk writer. Protocol and user control messages go
 * on chunk stream 2 with message stream 0 (SPEC §5.4, §6.2); their timestamp is ignored, so 0.
 */

function controlMessage(typeId: number, payload: Buffer): RtmpMessage {
  return {
    chunkStreamId: ChunkStreamId.ProtocolControl,
    messageStreamId: 0,
    typeId,
    timestamp: 0,
    payload,
  };
}

export function createSetChunkSizeMessage(chunkSize: number): RtmpMessage {
  return controlMessage(MessageType.SetChunkSize, encodeSetChunkSize(chunkSize));
}

/** Abort is implemented for completeness; avoid sending it (FFmpeg fails on it, notes C6). */
export function createAbortMessage(chunkStreamId: number): RtmpMessage {
  return controlMessage(MessageType.Abort, encodeAbort(chunkStreamId));
}

export function createAcknowledgementMessage(sequenceNumber: number): RtmpMessage {
  return controlMessage(MessageType.Acknowledgement, encodeAcknowledgement(sequenceNumber));
}

export function createWindowAcknowledgementSizeMessage(windowSize: number): RtmpMessage {
  return controlMessage(
    MessageType.WindowAcknowledgementSize,
    encodeWindowAcknowledgementSize(windowSize),
  );
}

export function createSetPeerBandwidthMessage(value: SetPeerBandwidth): RtmpMessage {
  return controlMessage(MessageType.SetPeerBandwidth, encodeSetPeerBandwidth(value));
}

export function createUserControlMessage(event: UserControlEvent): RtmpMessage {
  return controlMessage(MessageType.UserControl, encodeUserControl(event));
}
