import {
  AmfDictionary,
  AmfEcmaArray,
  AmfTypedObject,
  AmfValue,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
} from '../amf-value';
import { hex, utf8Hex } from './hex';

/**
 * AMF0 fixtures written by hand from the AMF0 spec (§2.2–2.18), one or more per marker, each
 * valid in both directions: decoding the bytes gives the value, encoding the value gives the
 * bytes. Markers that only go one way (reference, unsupported, AMF3 integers behind 0x11...)
 * are in the decoder spec.
 */
export interface AmfFixture {
  readonly name: string;
  readonly bytes: Buffer;
  readonly value: AmfValue;
}

const ONE = '3ff0000000000000';

export const AMF0_FIXTURES: readonly AmfFixture[] = [
  { name: '0x00 number 0', bytes: hex('00 0000000000000000'), value: 0 },
  { name: '0x00 number 1.5', bytes: hex('00 3ff8000000000000'), value: 1.5 },
  { name: '0x00 number -0', bytes: hex('00 8000000000000000'), value: -0 },
  { name: '0x00 number NaN', bytes: hex('00 7ff8000000000000'), value: NaN },
  { name: '0x00 number 0.1', bytes: hex('00 3fb999999999999a'), value: 0.1 },
  { name: '0x01 boolean true', bytes: hex('01 01'), value: true },
  { name: '0x01 boolean false', bytes: hex('01 00'), value: false },
  { name: '0x02 string empty', bytes: hex('02 0000'), value: '' },
  { name: '0x02 string ascii', bytes: hex('02 0005', utf8Hex('hello')), value: 'hello' },
  { name: '0x02 string multi-byte UTF-8', bytes: hex('02 0006 c3a9 f09f8ea5'), value: 'é🎥' },
  {
    name: '0x03 object',
    bytes: hex('03 0001 61', '00', ONE, '0001 62 02 0001 78', '0000 09'),
    value: { a: 1, b: 'x' },
  },
  { name: '0x03 object, empty', bytes: hex('03 0000 09'), value: {} },
  {
    name: '0x03 object, nested',
    bytes: hex('03 0001 6f 03 0001 70 05 0000 09 0000 09'),
    value: { o: { p: null } },
  },
  { name: '0x05 null', bytes: hex('05'), value: null },
  { name: '0x06 undefined', bytes: hex('06'), value: undefined },
  {
    name: '0x08 ECMA array',
    bytes: hex(
      '08 00000002',
      '0005',
      utf8Hex('width'),
      '00 4094000000000000',
      '0006',
      utf8Hex('stereo'),
      '01 01',
      '0000 09',
    ),
    value: new AmfEcmaArray({ width: 1280, stereo: true }),
  },
  { name: '0x08 ECMA array, empty', bytes: hex('08 00000000 0000 09'), value: new AmfEcmaArray() },
  {
    name: '0x0A strict array',
    bytes: hex('0a 00000003', '00', ONE, '02 0001 61', '05'),
    value: [1, 'a', null],
  },
  { name: '0x0A strict array, empty', bytes: hex('0a 00000000'), value: [] },
  {
    name: '0x0B date (2020-01-01T00:00:00Z, time zone 0)',
    bytes: hex('0b 4276f5e66e800000 0000'),
    value: new Date(Date.UTC(2020, 0, 1)),
  },
  {
    name: '0x0C long string (0x10000 bytes)',
    bytes: Buffer.concat([hex('0c 00010000'), Buffer.alloc(0x10000, 'a')]),
    value: 'a'.repeat(0x10000),
  },
  {
    name: '0x0F XML document',
    bytes: hex('0f 00000004', utf8Hex('<a/>')),
    value: new AmfXmlDocument('<a/>'),
  },
  {
    name: '0x10 typed object',
    bytes: hex('10 0003', utf8Hex('Foo'), '0001 78 00', ONE, '0000 09'),
    value: new AmfTypedObject('Foo', { x: 1 }),
  },
  {
    name: '0x11 AVM+ byte array',
    bytes: hex('11 0c 07 010203'),
    value: Buffer.from([1, 2, 3]),
  },
  { name: '0x11 AVM+ E4X XML', bytes: hex('11 0b 09', utf8Hex('<a/>')), value: new AmfXml('<a/>') },
  {
    name: '0x11 AVM+ vector of int',
    bytes: hex('11 0d 05 00 ffffffff 00000002'),
    value: new AmfVector('int', [-1, 2]),
  },
  {
    name: '0x11 AVM+ dictionary',
    bytes: hex('11 11 03 00 06 03 6b 04 01'),
    value: new AmfDictionary(new Map([['k', 1]])),
  },
  {
    name: '0x11 AVM+ inside an object property',
    bytes: hex('03 0001 62 11 0c 03 ff 0000 09'),
    value: { b: Buffer.from([0xff]) },
  },
];
