import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { networkInterfaces } from 'os';
import { RtmpServerService } from '../../../src';
import { AppModule } from './app.module';
import { DemoConfig } from './demo-config';

/** Prints exactly what to type into FFmpeg and OBS to publish to this server. */
function printPublishInstructions(config: DemoConfig, port: number): void {
  const host = config.host ?? firstExternalAddress() ?? '127.0.0.1';
  const server = `rtmp://${host}:${port}/live`;
  const key = config.streamKeys[0];
  const logger = new Logger('Demo');
  logger.log(
    `Publish with FFmpeg:\n  ffmpeg -re -i input.mp4 -c:v libx264 -c:a aac -f flv ${server}/${key}`,
  );
  logger.log(
    `Publish with OBS: Settings > Stream > Service "Custom...", Server "${server}", Stream Key "${key}"`,
  );
}

function firstExternalAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    const external = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (external !== undefined) return external.address;
  }
  return undefined;
}

async function bootstrap(): Promise<void> {
  // An application context: the demo serves RTMP, not HTTP.
  const app = await NestFactory.createApplicationContext(AppModule);
  // On SIGTERM/SIGINT: close gracefully (publishers are told, recordings closed), then exit 0.
  // Without useProcessExit Nest re-raises the signal, and the exit looks like a plain kill.
  app.enableShutdownHooks([], { useProcessExit: true });
  const address = app.get(RtmpServerService).address();
  printPublishInstructions(app.get(DemoConfig), address?.port ?? 1935);
}

void bootstrap();
