import { AmfVector } from '../amf/amf-value';
import { expectRtmpError } from '../amf/testing/expect-rtmp-error';
import { hex } from '../amf/testing/hex';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { MessageType } from '../message/message-type';
import { CommandMalformedError } from './command-malformed.error';
import { decodeCommand } from './command.decoder';
import { encodeCommand, encodeMessageValues } from './command.encoder';
import { OBS_CONNECT, OBS_PUBLISH } from './testing/obs-capture.fixtures';

describe('encodeCommand', () => {
  it('encodes a decoded command back to the same bytes (OBS connect and publish)', () => {
    for (const payload of [OBS_CONNECT, OBS_PUBLISH]) {
      expect(encodeCommand(decodeCommand(payload)).equals(payload)).toBe(true);
    }
  });

  it('writes a null command object when none is given', () => {
    expect(encodeCommand({ name: 'a', transactionId: 0 }).toString('hex')).toBe(
      hex('02 0001 61 00 0000000000000000 05').toString('hex'),
    );
  });

  it('prefixes type 17 with the 0x00 format selector and switches AMF3-only values', () => {
    const payload = encodeCommand(
      { name: 'a', transactionId: 0, args: [new AmfVector('int', [1])] },
      MessageType.CommandAmf3,
    );
    expect(payload.toString('hex')).toBe(
      hex('00 02 0001 61 00 0000000000000000 05 11 0d 03 00 00000001').toString('hex'),
    );
    expect(decodeCommand(payload, MessageType.CommandAmf3).args).toEqual([
      new AmfVector('int', [1]),
    ]);
  });

  it('refuses a message type that carries no AMF', () => {
    expectRtmpError(
      () => encodeMessageValues([], MessageType.Audio),
      CommandMalformedError,
      RtmpErrorCode.CommandMalformed,
      false,
    );
  });
});
