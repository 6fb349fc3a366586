import * as fc from 'fast-check';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { decodeControlMessage } from './control-message.decoder';
import {
  createAbortMessage,
  createAcknowledgementMessage,
  createSetChunkSizeMessage,
  createSetPeerBandwidthMessage,
  createUserControlMessage,
  createWindowAcknowledgementSizeMessage,
} from './control-message.factory';
import { MessageDecodeError } from './message-decode.error';
import { MessageType } from './message-type';
import { PeerBandwidthLimit } from './peer-bandwidth-limit';
import { RtmpMessage } from './rtmp-message';
import { expectRtmpError, hex } from './testing/expect-rtmp-error';

const CASES: [string, RtmpMessage, number, string, unknown][] = [
  [
    'SetChunkSize',
    createSetChunkSizeMessage(4096),
    MessageType.SetChunkSize,
    '00001000',
    { type: 'setChunkSize', chunkSize: 4096 },
  ],
  [
    'Abort',
    createAbortMessage(4),
    MessageType.Abort,
    '00000004',
    { type: 'abort', chunkStreamId: 4 },
  ],
  [
    'Acknowledgement',
    createAcknowledgementMessage(2_500_000),
    MessageType.Acknowledgement,
    '002625a0',
    { type: 'acknowledgement', sequenceNumber: 2_500_000 },
  ],
  [
    'UserControl',
    createUserControlMessage({ kind: 'streamBegin', streamId: 1 }),
    MessageType.UserControl,
    '000000000001',
    { type: 'userControl', event: { kind: 'streamBegin', streamId: 1 } },
  ],
  [
    'WindowAcknowledgementSize',
    createWindowAcknowledgementSizeMessage(5_000_000),
    MessageType.WindowAcknowledgementSize,
    '004c4b40',
    { type: 'windowAcknowledgementSize', windowSize: 5_000_000 },
  ],
  [
    'SetPeerBandwidth',
    createSetPeerBandwidthMessage({ windowSize: 5_000_000, limitType: PeerBandwidthLimit.Dynamic }),
    MessageType.SetPeerBandwidth,
    '004c4b4002',
    { type: 'setPeerBandwidth', windowSize: 5_000_000, limitType: PeerBandwidthLimit.Dynamic },
  ],
];

describe('control message factory and decoder', () => {
  describe.each(CASES)('%s', (_, message, typeId, payload, decoded) => {
    it('goes on chunk stream 2, message stream 0, timestamp 0, with the right type', () => {
      expect(message).toMatchObject({ chunkStreamId: 2, messageStreamId: 0, timestamp: 0, typeId });
    });

    it(`carries ${payload}`, () => {
      expect(message.payload.toString('hex')).toBe(payload);
    });

    it('decodes back through decodeControlMessage', () => {
      expect(decodeControlMessage(message)).toEqual(decoded);
    });
  });

  it('decodes the WindowAckSize nginx sent OBS in the capture', () => {
    expect(
      decodeControlMessage({
        typeId: MessageType.WindowAcknowledgementSize,
        payload: hex('004c4b40'),
      }),
    ).toEqual({ type: 'windowAcknowledgementSize', windowSize: 5_000_000 });
  });

  it.each([
    MessageType.Audio,
    MessageType.Video,
    MessageType.CommandAmf0,
    MessageType.Aggregate,
    7,
    0,
  ])('returns undefined for type %i, which is not a control message', (typeId) => {
    expect(decodeControlMessage({ typeId, payload: hex('00000001') })).toBeUndefined();
  });

  it('passes decoder errors through', () => {
    expectRtmpError(
      () => decodeControlMessage({ typeId: MessageType.SetChunkSize, payload: hex('00000000') }),
      MessageDecodeError,
      RtmpErrorCode.MessageMalformed,
    );
  });

  it('returns a value, undefined or an RtmpError for any type and bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 }),
        fc.uint8Array({ maxLength: 16 }),
        (typeId, bytes) => {
          try {
            const value = decodeControlMessage({ typeId, payload: Buffer.from(bytes) });
            expect(value === undefined).toBe(typeId < 1 || typeId > 6);
          } catch (error) {
            expect(error).toBeInstanceOf(RtmpError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
