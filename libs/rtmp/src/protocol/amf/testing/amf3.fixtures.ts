import {
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfTypedObject,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
} from '../amf-value';
import { AmfFixture } from './amf0.fixtures';
import { hex, utf8Hex } from './hex';

/**
 * AMF3 fixtures written by hand from the AMF3 spec (§1.3, §3.2–3.16), valid in both directions
 * with the encoder's default (string and traits references on). Every marker 0x00–0x11 is here.
 */
export const AMF3_FIXTURES: readonly AmfFixture[] = [
  { name: '0x00 undefined', bytes: hex('00'), value: undefined },
  { name: '0x01 null', bytes: hex('01'), value: null },
  { name: '0x02 false', bytes: hex('02'), value: false },
  { name: '0x03 true', bytes: hex('03'), value: true },
  { name: '0x04 integer 0 (U29, 1 byte)', bytes: hex('04 00'), value: 0 },
  { name: '0x04 integer 127 (1 byte)', bytes: hex('04 7f'), value: 127 },
  { name: '0x04 integer 128 (2 bytes)', bytes: hex('04 8100'), value: 128 },
  { name: '0x04 integer 16383 (2 bytes)', bytes: hex('04 ff7f'), value: 16383 },
  { name: '0x04 integer 16384 (3 bytes)', bytes: hex('04 818000'), value: 16384 },
  { name: '0x04 integer 2097151 (3 bytes)', bytes: hex('04 ffff7f'), value: 2097151 },
  {
    name: '0x04 integer 2097152 (4 bytes, last gives 8 bits)',
    bytes: hex('04 80c08000'),
    value: 2097152,
  },
  { name: '0x04 integer 268435455 (largest)', bytes: hex('04 bfffffff'), value: 0x0fffffff },
  { name: '0x04 integer -1 (29-bit two’s complement)', bytes: hex('04 ffffffff'), value: -1 },
  { name: '0x04 integer -268435456 (smallest)', bytes: hex('04 c0808000'), value: -0x10000000 },
  { name: '0x05 double 1.5', bytes: hex('05 3ff8000000000000'), value: 1.5 },
  {
    name: '0x05 double 268435456 (past the integer range)',
    bytes: hex('05 41b0000000000000'),
    value: 0x10000000,
  },
  { name: '0x05 double -0', bytes: hex('05 8000000000000000'), value: -0 },
  { name: '0x06 string empty', bytes: hex('06 01'), value: '' },
  { name: '0x06 string', bytes: hex('06 0b', utf8Hex('hello')), value: 'hello' },
  {
    name: '0x06 string reference (second "ab" is `06 00`)',
    bytes: hex('09 05 01 06 05 6162 06 00'),
    value: ['ab', 'ab'],
  },
  {
    name: '0x07 XML document',
    bytes: hex('07 09', utf8Hex('<a/>')),
    value: new AmfXmlDocument('<a/>'),
  },
  {
    name: '0x08 date',
    bytes: hex('08 01 4276f5e66e800000'),
    value: new Date(Date.UTC(2020, 0, 1)),
  },
  { name: '0x09 array, dense', bytes: hex('09 05 01 04 01 04 02'), value: [1, 2] },
  { name: '0x09 array, empty', bytes: hex('09 01 01'), value: [] },
  {
    name: '0x09 array, associative and dense',
    bytes: hex('09 03 03 61 04 01 01 06 03 78'),
    value: new AmfEcmaArray({ a: 1, 0: 'x' }),
  },
  {
    name: '0x0A object, anonymous dynamic',
    bytes: hex('0a 0b 01 03 61 04 01 01'),
    value: { a: 1 },
  },
  {
    name: '0x0A object, typed and sealed',
    bytes: hex('0a 13 07', utf8Hex('Foo'), '03 78 04 01'),
    value: new AmfTypedObject('Foo', { x: 1 }, { sealed: ['x'], dynamic: false }),
  },
  {
    name: '0x0A object, typed, sealed and dynamic',
    bytes: hex('0a 1b 07', utf8Hex('Foo'), '03 78 04 01 03 79 04 02 01'),
    value: new AmfTypedObject('Foo', { x: 1, y: 2 }, { sealed: ['x'], dynamic: true }),
  },
  {
    name: '0x0A object, anonymous and sealed',
    bytes: hex('0a 13 01 03 78 01'),
    value: new AmfTypedObject('', { x: null }, { sealed: ['x'], dynamic: false }),
  },
  {
    name: '0x0A object, traits reference (second object is `0a 01`)',
    bytes: hex('09 05 01 0a 13 07', utf8Hex('Foo'), '03 78 04 01 0a 01 04 02'),
    value: [
      new AmfTypedObject('Foo', { x: 1 }, { sealed: ['x'], dynamic: false }),
      new AmfTypedObject('Foo', { x: 2 }, { sealed: ['x'], dynamic: false }),
    ],
  },
  {
    name: '0x0A object, externalizable ArrayCollection',
    bytes: hex('0a 07 43', utf8Hex('flex.messaging.io.ArrayCollection'), '09 03 01 04 01'),
    value: new AmfExternalizable('flex.messaging.io.ArrayCollection', [1]),
  },
  {
    name: '0x0A object, externalizable ObjectProxy',
    bytes: hex('0a 07 3b', utf8Hex('flex.messaging.io.ObjectProxy'), '0a 0b 01 03 61 03 01'),
    value: new AmfExternalizable('flex.messaging.io.ObjectProxy', { a: true }),
  },
  { name: '0x0B XML', bytes: hex('0b 09', utf8Hex('<a/>')), value: new AmfXml('<a/>') },
  { name: '0x0C byte array', bytes: hex('0c 07 010203'), value: Buffer.from([1, 2, 3]) },
  {
    name: '0x0D vector of int',
    bytes: hex('0d 05 00 ffffffff 00000001'),
    value: new AmfVector('int', [-1, 1]),
  },
  {
    name: '0x0E vector of uint, fixed',
    bytes: hex('0e 03 01 ffffffff'),
    value: new AmfVector('uint', [0xffffffff], true),
  },
  {
    name: '0x0F vector of double',
    bytes: hex('0f 03 00 3ff8000000000000'),
    value: new AmfVector('double', [1.5]),
  },
  {
    name: '0x10 vector of object, type "*"',
    bytes: hex('10 05 00 03 2a 06 03 61 04 01'),
    value: new AmfVector('object', ['a', 1], false, '*'),
  },
  {
    name: '0x11 dictionary',
    bytes: hex('11 05 00 06 03 6b 04 01 04 02 03'),
    value: new AmfDictionary(
      new Map<string | number, number | boolean>([
        ['k', 1],
        [2, true],
      ]),
    ),
  },
  {
    name: '0x11 dictionary, weak keys',
    bytes: hex('11 01 01'),
    value: new AmfDictionary(new Map(), true),
  },
];
