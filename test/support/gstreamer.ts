import { ChildProcess } from 'child_process';
import { ProcessResult, runProcess } from './child-processes';

/** What a GStreamer publisher generates: test pattern + tone, as H.264 + AAC. */
export interface GstreamerSourceSpec {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  /** Video frames generated (`videotestsrc num-buffers`). */
  readonly videoFrames: number;
  /** Keyframe interval, in frames (`x264enc key-int-max`). */
  readonly gop: number;
  readonly sampleRate: number;
  /** Samples per audio buffer (`audiotestsrc samplesperbuffer`). */
  readonly samplesPerBuffer: number;
  /** Audio buffers generated (`audiotestsrc num-buffers`). */
  readonly audioBuffers: number;
}

/** Samples in one AAC-LC frame. */
const AAC_FRAME_SAMPLES = 1024;

/**
 * The AAC frames voaacenc makes of a spec's audio: one per 1024 samples and no more. It puts no
 * priming frame in front (94 buffers of 1024 samples give 94 frames), and drops a last partial
 * frame rather than pad it (GstAudioEncoder hands it whole frames: 96,000 samples give 93).
 */
export function voaacencFrames(spec: GstreamerSourceSpec): number {
  return Math.floor((spec.audioBuffers * spec.samplesPerBuffer) / AAC_FRAME_SAMPLES);
}

/** The RTMP commands rtmp2sink sends at EOS (`stop-commands`; the default is both). */
export type GstreamerStopCommands = 'fcunpublish+deletestream' | 'deletestream';

export interface GstreamerPublishOptions {
  readonly stopCommands?: GstreamerStopCommands;
  readonly timeoutMs?: number;
}

/**
 * Publishes a generated clip to an RTMP URL with `gst-launch-1.0 -e`, as a GStreamer encoder
 * would: videotestsrc → x264enc (zerolatency) and audiotestsrc → voaacenc, into
 * `flvmux streamable=true` → rtmp2sink. The sink syncs on the clock, so it sends in real time
 * and the run lasts the clip's length. At the end of the sources, the EOS makes rtmp2sink send
 * its stop commands and close. The promise carries the `child`.
 */
export function publishWithGstreamer(
  spec: GstreamerSourceSpec,
  url: string,
  options: GstreamerPublishOptions = {},
): Promise<ProcessResult> & { child: ChildProcess } {
  const video = [
    'videotestsrc',
    `num-buffers=${spec.videoFrames}`,
    '!',
    `video/x-raw,width=${spec.width},height=${spec.height},framerate=${spec.frameRate}/1`,
    '!',
    'x264enc',
    `key-int-max=${spec.gop}`,
    'tune=zerolatency',
    'speed-preset=ultrafast',
    '!',
    'h264parse',
    '!',
    'queue',
    '!',
    'mux.',
  ];
  const audio = [
    'audiotestsrc',
    `num-buffers=${spec.audioBuffers}`,
    `samplesperbuffer=${spec.samplesPerBuffer}`,
    '!',
    `audio/x-raw,rate=${spec.sampleRate},channels=1`,
    '!',
    'voaacenc',
    '!',
    'aacparse',
    '!',
    'queue',
    '!',
    'mux.',
  ];
  const sink = ['flvmux', 'name=mux', 'streamable=true', '!', 'rtmp2sink', `location=${url}`];
  if (options.stopCommands !== undefined) sink.push(`stop-commands=${options.stopCommands}`);
  return runProcess('gst-launch-1.0', ['-e', ...video, ...audio, ...sink], options.timeoutMs);
}

/**
 * Plays an RTMP URL with rtmp2src as a GStreamer viewer would, demuxes it (flvdemux, then
 * h264parse and aacparse check every frame) and remuxes both tracks into a Matroska file.
 * rtmp2src ends with EOS when the server says the publisher left, and `-e` lets matroskamux
 * finish the file. The promise carries the `child`.
 */
export function playWithGstreamer(
  url: string,
  output: string,
  timeoutMs?: number,
): Promise<ProcessResult> & { child: ChildProcess } {
  return runProcess(
    'gst-launch-1.0',
    [
      '-e',
      'rtmp2src',
      `location=${url}`,
      '!',
      'flvdemux',
      'name=demux',
      'demux.video',
      '!',
      'queue',
      '!',
      'h264parse',
      '!',
      'mux.',
      'demux.audio',
      '!',
      'queue',
      '!',
      'aacparse',
      '!',
      'mux.',
      'matroskamux',
      'name=mux',
      '!',
      'filesink',
      `location=${output}`,
    ],
    timeoutMs,
  );
}

/**
 * The lines of gst-launch's output that report trouble: errors, warnings, and the
 * "connection closed remotely" rtmp2sink reports when the server drops it at EOS.
 */
export function gstreamerComplaints(result: ProcessResult): string[] {
  return `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => /ERROR|WARNING|closed remotely/i.test(line));
}
