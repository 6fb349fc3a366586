/** SetPeerBandwidth limit types (SPEC §5.4.5). */
export const PeerBandwidthLimit = {
  /** Limit output to the window size. */
  Hard: 0,
  /** Limit output to the smaller of this window and the one already in force. */
  Soft: 1,
  /** Hard if the previous limit was hard, ignored otherwise. What every server examined sends. */
  Dynamic: 2,
} as const;

export type PeerBandwidthLimit = (typeof PeerBandwidthLimit)[keyof typeof PeerBandwidthLimit];

/** The payload of a SetPeerBandwidth message (type 6). */
export interface SetPeerBandwidth {
  /** Acknowledgement window, in bytes, the peer asks us to keep to. */
  readonly windowSize: number;
  readonly limitType: PeerBandwidthLimit;
}
