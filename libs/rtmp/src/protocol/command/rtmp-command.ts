import { AmfValue } from '../amf/amf-value';

/**
 * A command message (type 20, or 17 for AMF3): a name, a transaction id, a command object (most
 * often null) and any further arguments (SPEC §7.1.1).
 */
export interface RtmpCommand {
  readonly name: string;
  readonly transactionId: number;
  readonly commandObject: AmfValue;
  readonly args: readonly AmfValue[];
}

/** What `encodeCommand` takes: the command object defaults to null, the arguments to none. */
export interface RtmpCommandInit {
  readonly name: string;
  readonly transactionId: number;
  readonly commandObject?: AmfValue;
  readonly args?: readonly AmfValue[];
}
