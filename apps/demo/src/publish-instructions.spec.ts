import { DEFAULT_DEMO_STREAM_KEY, DEFAULT_DEMO_STREAM_NAME, DemoConfig } from './demo-config';
import { publishInstructions } from './publish-instructions';

describe('publishInstructions', () => {
  it('shows the built-in demo key, which is no secret, so the demo works by copy and paste, and where to play it', () => {
    const lines = publishInstructions(new DemoConfig({}), 'rtmp://10.0.0.5:1935/live');
    expect(lines).toEqual([
      `Publish with FFmpeg:\n  ffmpeg -re -i input.mp4 -c:v libx264 -c:a aac -f flv rtmp://10.0.0.5:1935/live/${DEFAULT_DEMO_STREAM_KEY}`,
      `Publish with OBS: Settings > Stream > Service "Custom...", Server "rtmp://10.0.0.5:1935/live", Stream Key "${DEFAULT_DEMO_STREAM_KEY}"`,
      `Play it with ffplay (or VLC):\n  ffplay rtmp://10.0.0.5:1935/live/${DEFAULT_DEMO_STREAM_NAME}`,
    ]);
  });

  it('never shows a configured key: a placeholder, and where keys come from; plays by public name', () => {
    const config = new DemoConfig({ RTMP_STREAM_KEYS: 'some-secret-key:alice,another-one' });
    const text = publishInstructions(config, 'rtmp://10.0.0.5:1935/live').join('\n');
    expect(text).not.toContain('some-secret-key');
    expect(text).not.toContain('another-one');
    expect(text).toContain('-f flv "rtmp://10.0.0.5:1935/live/<your stream key>"');
    expect(text).toContain('Stream Key "<your stream key>"');
    expect(text).toContain('one of the keys in RTMP_STREAM_KEYS');
    expect(text).toContain(
      'ffplay rtmp://10.0.0.5:1935/live/alice (the first key; each plays under its name)',
    );
  });

  it('plays a configured key without a name as stream1', () => {
    const config = new DemoConfig({ RTMP_STREAM_KEYS: 'some-secret-key' });
    const lines = publishInstructions(config, 'rtmp://10.0.0.5:1935/live');
    expect(lines[2]).toBe(
      'Play it with ffplay (or VLC):\n  ffplay rtmp://10.0.0.5:1935/live/stream1',
    );
    expect(lines.join('\n')).not.toContain('some-secret-key');
  });
});
