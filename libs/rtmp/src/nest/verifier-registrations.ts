import { ModulesContainer } from '@nestjs/core';
import { StreamKeyVerifier } from './stream-key-verifier';

/** One StreamKeyVerifier the application registered, and where, for error messages. */
export interface VerifierRegistration {
  readonly verifier: StreamKeyVerifier;
  /** E.g. `TokenVerifier (provided in AuthModule)`. */
  readonly description: string;
}

/**
 * Every distinct StreamKeyVerifier registered: the `verifierInstance` option, and each provider
 * of the StreamKeyVerifier token in any module. Found by walking the modules rather than asking
 * DI for one, because DI would silently hand back whichever it meets first.
 */
export function verifierRegistrations(
  modules: ModulesContainer,
  verifierInstance: StreamKeyVerifier | undefined,
): VerifierRegistration[] {
  const found: VerifierRegistration[] = [];
  if (verifierInstance !== undefined) {
    found.push({
      verifier: verifierInstance,
      description: `${nameOf(verifierInstance)} (RtmpModule's verifierInstance option)`,
    });
  }
  for (const module of modules.values()) {
    const instance: unknown = module.providers.get(StreamKeyVerifier)?.instance;
    if (!(instance instanceof Object)) continue;
    // The same instance is reached through every module that imports its module: one registration.
    if (found.some((registration) => registration.verifier === instance)) continue;
    found.push({
      verifier: instance as StreamKeyVerifier,
      description: `${nameOf(instance)} (provided in ${module.metatype.name})`,
    });
  }
  return found;
}

function nameOf(verifier: object): string {
  return verifier.constructor.name || 'an anonymous verifier';
}
