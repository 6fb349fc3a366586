import type { ByteReader } from '../buffer/byte-reader';
import { AudioChannelOrder } from './audio-channel.constants';
import type { AudioMultichannelConfig } from './audio-tag.types';

/**
 * Reads an E-RTMP MultichannelConfig: channel order UI8, channel count UI8, then a UI32 mask
 * (Native) or one UI8 speaker per channel (Custom). Unspecified and reserved orders carry
 * nothing more, so whatever follows stays in the body.
 */
export function readMultichannelConfig(reader: ByteReader): AudioMultichannelConfig {
  const channelOrder = reader.u8();
  const channelCount = reader.u8();
  let channelMask: number | undefined;
  let channelMapping: number[] | undefined;
  if (channelOrder === AudioChannelOrder.Native) {
    channelMask = reader.u32();
  } else if (channelOrder === AudioChannelOrder.Custom) {
    channelMapping = Array.from(reader.bytes(channelCount));
  }
  return { channelOrder, channelCount, channelMask, channelMapping };
}
