/**
 * The DI token of RtmpModule's resolved options. In a file of its own so that the services can
 * inject it while the module definition lists the services, without an import cycle.
 */
export const RTMP_MODULE_OPTIONS = Symbol('RTMP_MODULE_OPTIONS');
