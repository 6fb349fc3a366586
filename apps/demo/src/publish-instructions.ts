import { DEFAULT_DEMO_STREAM_KEY, DemoConfig } from './demo-config';

/** What the instructions show instead of a key the operator configured. */
const KEY_PLACEHOLDER = '<your stream key>';

/**
 * What to type into FFmpeg and OBS to publish to `server` (`rtmp://host:port/live`), one log
 * message each. Only the built-in demo key is shown as is: it is public anyway, and it makes
 * the demo work by copy and paste. A configured key is a secret, and start-up output ends up
 * in terminals, CI logs and log collectors, so it is replaced by a placeholder.
 */
export function publishInstructions(config: DemoConfig, server: string): string[] {
  const key = config.streamKeys[0];
  if (key === DEFAULT_DEMO_STREAM_KEY) {
    return [
      `Publish with FFmpeg:\n  ffmpeg -re -i input.mp4 -c:v libx264 -c:a aac -f flv ${server}/${key}`,
      `Publish with OBS: Settings > Stream > Service "Custom...", Server "${server}", Stream Key "${key}"`,
    ];
  }
  const where = `${KEY_PLACEHOLDER} is one of the keys in RTMP_STREAM_KEYS`;
  return [
    // Quoted: pasted unedited, the placeholder must not read as a shell redirection.
    `Publish with FFmpeg (${where}):\n  ffmpeg -re -i input.mp4 -c:v libx264 -c:a aac -f flv "${server}/${KEY_PLACEHOLDER}"`,
    `Publish with OBS: Settings > Stream > Service "Custom...", Server "${server}", Stream Key "${KEY_PLACEHOLDER}" (${where})`,
  ];
}
