/** Command names as they travel (case-sensitive). */
export const CommandName = {
  Connect: 'connect',
  Close: 'close',
  CreateStream: 'createStream',
  DeleteStream: 'deleteStream',
  CloseStream: 'closeStream',
  ReleaseStream: 'releaseStream',
  FCPublish: 'FCPublish',
  FCUnpublish: 'FCUnpublish',
  FCSubscribe: 'FCSubscribe',
  Publish: 'publish',
  Play: 'play',
  GetStreamLength: 'getStreamLength',
  CheckBandwidth: '_checkbw',
  Result: '_result',
  Error: '_error',
  OnStatus: 'onStatus',
  OnFCPublish: 'onFCPublish',
  OnFCUnpublish: 'onFCUnpublish',
  OnBWDone: 'onBWDone',
} as const;

export type CommandName = (typeof CommandName)[keyof typeof CommandName];

/** Names that open data messages (type 18 / 15). */
export const DataMessageName = {
  /** Asks the server to keep the data that follows for later players (FFmpeg, OBS). */
  SetDataFrame: '@setDataFrame',
  ClearDataFrame: '@clearDataFrame',
  OnMetaData: 'onMetaData',
  /** Lets Flash players read raw audio and video (nginx, SRS send it on play). */
  RtmpSampleAccess: '|RtmpSampleAccess',
} as const;

export type DataMessageName = (typeof DataMessageName)[keyof typeof DataMessageName];
