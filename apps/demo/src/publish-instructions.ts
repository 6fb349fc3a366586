import { DEFAULT_DEMO_STREAM_KEY, DemoConfig } from './demo-config';

/** What the instructions show instead of a key the operator configured. */
const KEY_PLACEHOLDER = '<your stream key>';

/**
 * What to type into FFmpeg and OBS to publish to `server` (`rtmp://host:port/live`), and what
 * to play, one log message each. Only the built-in demo key is shown as is: it is public anyway,
 * and it makes the demo work by copy and paste. A configured key is a secret, and start-up
 * output ends up in terminals, CI logs and log collectors, so it is replaced by a placeholder.
 * Players use the stream's public name, never the key, so the play URL is shown whole.
 */
export function publishInstructions(config: DemoConfig, server: string): string[] {
  const [{ key, name }] = config.streamKeys;
  const play = `Play it with ffplay (or VLC):\n  ffplay ${server}/${name}`;
  if (key === DEFAULT_DEMO_STREAM_KEY) {
    return [
      `Publish with FFmpeg:\n  ffmpeg -re -i input.mp4 -c:v libx264 -c:a aac -f flv ${server}/${key}`,
      `Publish with OBS: Settings > Stream > Service "Custom...", Server "${server}", Stream Key "${key}"`,
      play,
    ];
  }
  const where = `${KEY_PLACEHOLDER} is one of the keys in RTMP_STREAM_KEYS`;
  const others = config.streamKeys.length > 1 ? ' (the first key; each plays under its name)' : '';
  return [
    // Quoted: pasted unedited, the placeholder must not read as a shell redirection.
    `Publish with FFmpeg (${where}):\n  ffmpeg -re -i input.mp4 -c:v libx264 -c:a aac -f flv "${server}/${KEY_PLACEHOLDER}"`,
    `Publish with OBS: Settings > Stream > Service "Custom...", Server "${server}", Stream Key "${KEY_PLACEHOLDER}" (${where})`,
    `${play}${others}`,
  ];
}
