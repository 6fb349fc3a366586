/** Which kinds of tag an FLV file says it holds (TypeFlags). Players use them only as hints. */
export interface FlvHeaderFlags {
  readonly audio: boolean;
  readonly video: boolean;
}

/** The FLV file header as read. */
export interface FlvFileHeader {
  /** 1 for every file written so far; other values are accepted and returned. */
  readonly version: number;
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  /** Where the first PreviousTagSize starts (9 unless a writer left room for more header). */
  readonly dataOffset: number;
}

/** One FLV tag as read from a file. */
export interface FlvTag {
  /** TagType (low 5 bits of the first byte): 8 audio, 9 video, 18 script data, others as sent. */
  readonly type: number;
  /** Milliseconds: Timestamp with TimestampExtended as the upper 8 bits, read as a UI32. */
  readonly timestamp: number;
  /** StreamID as sent (the spec says always 0). */
  readonly streamId: number;
  /**
   * The tag body, the same bytes an RTMP message of this type carries. A view into the pushed
   * chunk when the body arrived inside one chunk, otherwise a copy that joins the pieces.
   */
  readonly body: Buffer;
  /** Byte offset of the tag header in the file, for diagnostics. */
  readonly offset: number;
}

/** Options of {@link FlvReader}. */
export interface FlvReaderOptions {
  /**
   * Largest tag body accepted, in bytes; a bigger DataSize fails with `FlvTagTooLargeError` as
   * soon as its tag header arrives. Default 16 MiB (`DEFAULT_MAX_FLV_TAG_SIZE`).
   */
  readonly maxTagSize?: number;
}

/** A whole FLV file, as {@link readFlvFile} returns it. */
export interface FlvFile {
  readonly header: FlvFileHeader;
  readonly tags: FlvTag[];
  /** PreviousTagSize fields that did not match the tag before them (tolerated, only counted). */
  readonly previousTagSizeMismatches: number;
}
