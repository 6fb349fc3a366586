/** How an E-RTMP MultichannelConfig describes its channels. */
export const AudioChannelOrder = {
  /** Only the channel count is known. */
  Unspecified: 0,
  /** Channels follow the AudioChannel order; a UI32 mask says which are present. */
  Native: 1,
  /** One AudioChannel byte per channel, in bitstream order. */
  Custom: 2,
} as const;
export type AudioChannelOrder = (typeof AudioChannelOrder)[keyof typeof AudioChannelOrder];

/** Bits of the Native-order channel mask (E-RTMP v2 AudioChannelMask). */
export const AudioChannelMask = {
  FrontLeft: 0x000001,
  FrontRight: 0x000002,
  FrontCenter: 0x000004,
  LowFrequency1: 0x000008,
  BackLeft: 0x000010,
  BackRight: 0x000020,
  FrontLeftCenter: 0x000040,
  FrontRightCenter: 0x000080,
  BackCenter: 0x000100,
  SideLeft: 0x000200,
  SideRight: 0x000400,
  TopCenter: 0x000800,
  TopFrontLeft: 0x001000,
  TopFrontCenter: 0x002000,
  TopFrontRight: 0x004000,
  TopBackLeft: 0x008000,
  TopBackCenter: 0x010000,
  TopBackRight: 0x020000,
  LowFrequency2: 0x040000,
  TopSideLeft: 0x080000,
  TopSideRight: 0x100000,
  BottomFrontCenter: 0x200000,
  BottomFrontLeft: 0x400000,
  BottomFrontRight: 0x800000,
} as const;

/** Speaker positions of a Custom-order channel map (E-RTMP v2 AudioChannel). */
export const AudioChannel = {
  FrontLeft: 0,
  FrontRight: 1,
  FrontCenter: 2,
  LowFrequency1: 3,
  BackLeft: 4,
  BackRight: 5,
  FrontLeftCenter: 6,
  FrontRightCenter: 7,
  BackCenter: 8,
  SideLeft: 9,
  SideRight: 10,
  TopCenter: 11,
  TopFrontLeft: 12,
  TopFrontCenter: 13,
  TopFrontRight: 14,
  TopBackLeft: 15,
  TopBackCenter: 16,
  TopBackRight: 17,
  LowFrequency2: 18,
  TopSideLeft: 19,
  TopSideRight: 20,
  BottomFrontCenter: 21,
  BottomFrontLeft: 22,
  BottomFrontRight: 23,
  /** The channel is empty and can be skipped. */
  Unused: 0xfe,
  /** The channel has data but no known speaker position. */
  Unknown: 0xff,
} as const;
