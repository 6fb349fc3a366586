import { MessageType } from '../message/message-type';
import { parseMediaTag } from './media-tag.parser';
import { hex } from './testing/hex';

describe('parseMediaTag', () => {
  it('parses audio messages (type 8)', () => {
    expect(parseMediaTag(MessageType.Audio, hex('AF 00 12 10'))).toMatchObject({
      kind: 'audio',
      codec: 'aac',
      isSequenceHeader: true,
    });
  });

  it('parses video messages (type 9)', () => {
    expect(parseMediaTag(MessageType.Video, hex('17 01 00 00 00 AA'))).toMatchObject({
      kind: 'video',
      codec: 'h264',
      isKeyFrame: true,
    });
  });

  it('returns undefined for other types, such as script data (18)', () => {
    expect(parseMediaTag(MessageType.DataAmf0, hex('02 00 0A'))).toBeUndefined();
  });
});
