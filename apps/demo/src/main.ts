import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { networkInterfaces } from 'os';
import { RtmpServerService } from '../../../src';
import { AppModule } from './app.module';
import { DemoConfig } from './demo-config';
import { publishInstructions } from './publish-instructions';

/** Prints what to type into FFmpeg and OBS to publish to this server (see publishInstructions). */
function printPublishInstructions(config: DemoConfig, port: number): void {
  const host = config.host ?? firstExternalAddress() ?? '127.0.0.1';
  const logger = new Logger('Demo');
  for (const line of publishInstructions(config, `rtmp://${host}:${port}/${config.apps[0]}`))
    logger.log(line);
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
