import { CODEC_MEDIA, ChunkCodecResult } from './chunk-codec.bench';
import { bold, columns } from './report-format';
import { RenderInput } from './results';
import { MIN_MEASURE_SECONDS } from './support/in-process';
import { MB } from './support/util';
import { SessionPathResult } from './session.bench';

function chunkTable(results: readonly ChunkCodecResult[]): string {
  const percent = (share: number | undefined): string =>
    share === undefined ? 'none fit' : `${(share * 100).toFixed(0)} %`;
  return columns(results, [
    ['chunk size', 'r', (r) => String(r.chunkSize)],
    ['stream', 'l', (r) => `${(r.streamBytes / MB).toFixed(1)} MB, ${r.messages} messages`],
    ['reader MB/s (CPU)', 'r', (r) => bold(r.readerMBps.toFixed(0))],
    ['writer MB/s (CPU)', 'r', (r) => r.writerMBps.toFixed(0)],
    ['media messages as views', 'r', (r) => percent(r.zeroCopyShare)],
    ['of those in one chunk', 'r', (r) => percent(r.zeroCopyShareOfSingleChunk)],
  ]);
}

function sessionTable(results: readonly SessionPathResult[]): string {
  return columns(results, [
    ['chunk size', 'r', (r) => String(r.chunkSize)],
    ['media bytes per round', 'r', (r) => `${(r.mediaBytes / MB).toFixed(1)} MB`],
    ['MB/s (CPU)', 'r', (r) => bold(r.mbPerCpuSecond.toFixed(0))],
    ['packets per round', 'r', (r) => String(r.packets)],
  ]);
}

/** In this process, so the current code only: no baseline, no servers. */
export function codecSection({ results }: RenderInput): string | undefined {
  const parts: string[] = [];
  if (results.codec.length > 0) {
    const spec = CODEC_MEDIA;
    parts.push(`A ${spec.seconds} s ${spec.width}x${spec.height}@${spec.frameRate} H.264 (${spec.videoBitrate}bit/s) + AAC clip as \`ChunkWriter\` chunks it, in 64 KiB reads to
\`ChunkReader\`: MB/s per CPU second, at least ${MIN_MEASURE_SECONDS} s after a warm-up. Views: only of a message in one
chunk. Target (issue 2): reader 1 GB/s at chunk size 4096, 200 MB/s at 128.

${chunkTable(results.codec)}`);
  }
  if (results.sessionPath.length > 0) {
    parts.push(`**Session path.** Section 1b's recordings, fed the same way to a real \`RtmpServer\` session
through a stand-in socket (\`bench/session.bench.ts\`): our whole per-byte path, less the kernel and
Node's sockets.

${sessionTable(results.sessionPath)}`);
  }
  if (parts.length === 0) return undefined;
  return `## 4. Protocol core

${parts.join('\n\n')}`;
}
