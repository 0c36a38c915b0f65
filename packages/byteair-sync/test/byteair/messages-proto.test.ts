import { fromBinary, toBinary, create } from '@bufbuild/protobuf';
import fc from 'fast-check';
import * as handWritten from '../../../../bench/baseline/hand-written-messages.js';
import { WriteResponseSchema } from '../../src/byteair/generated/volcengine_byteair_pb.js';
import { DoneRequestSchema, DoneResponseSchema } from '../../src/byteair/generated/volcengine_common_pb.js';
import * as messages from '../../src/byteair/messages.js';
import { ProtobufDecodeError } from '../../src/byteair/protobuf-error.js';
import type { DataError, ProtoDate, Status, WriteResponse } from '../../src/byteair/messages.js';

/**
 * The .proto files are the source of truth: the product's messages (src/byteair/messages.ts,
 * over the generated code) and the hand-written encoder they replaced (the bench baseline, an
 * independent implementation of the wire format) must write the same bytes for any message,
 * and what they write must read back through the generated schemas as the values given.
 */

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
// Whole code points (no lone surrogates): UTF-8 of any text, ASCII, CJK and astral alike.
const text = fc.string({ unit: 'binary', maxLength: 40 });
const status: fc.Arbitrary<Status> = fc.record({ code: int32, message: text, success: fc.boolean() });
const dataError: fc.Arbitrary<DataError> = fc.record({ message: text, data: text });
const writeResponse: fc.Arbitrary<WriteResponse> = fc.record({ status, errors: fc.array(dataError, { maxLength: 12 }) });
const dates: fc.Arbitrary<ProtoDate[]> = fc.array(fc.record({ year: int32, month: int32, day: int32 }), { maxLength: 8 });

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('messages.ts and the hand-written encoder agree byte for byte, per the official .proto', () => {
  test('WriteResponse', () => {
    fc.assert(
      fc.property(writeResponse, (response) => {
        const bytes = messages.encodeWriteResponse(response);
        expect(hex(bytes)).toBe(hex(handWritten.encodeWriteResponse(response)));
        const read = fromBinary(WriteResponseSchema, bytes);
        expect({
          status: read.status && { code: read.status.code, message: read.status.message, success: read.status.success },
          errors: read.errors.map((e) => ({ message: e.message, data: e.data, success: e.success })),
        }).toEqual({
          status: response.status,
          errors: response.errors.map((e) => ({ ...e, success: false })),
        });
        expect(messages.decodeWriteResponse(bytes)).toEqual(response);
        expect(handWritten.decodeWriteResponse(bytes)).toEqual(response);
      }),
    );
  });

  test('DoneResponse and Status', () => {
    fc.assert(
      fc.property(status, (s) => {
        const bytes = messages.encodeDoneResponse({ status: s });
        expect(hex(bytes)).toBe(hex(handWritten.encodeDoneResponse({ status: s })));
        expect(hex(messages.encodeStatus(s))).toBe(hex(handWritten.encodeStatus(s)));
        const read = fromBinary(DoneResponseSchema, bytes).status;
        expect(read && { code: read.code, message: read.message, success: read.success }).toEqual(s);
        expect(messages.decodeDoneResponse(bytes)).toEqual({ status: s });
        expect(messages.decodeStatus(messages.encodeStatus(s))).toEqual(s);
      }),
    );
  });

  test('DoneRequest', () => {
    fc.assert(
      fc.property(dates, (list) => {
        const bytes = messages.encodeDoneRequest(list);
        expect(hex(bytes)).toBe(hex(handWritten.encodeDoneRequest(list)));
        expect(fromBinary(DoneRequestSchema, bytes).dataDates.map((d) => ({ year: d.year, month: d.month, day: d.day }))).toEqual(list);
        expect(messages.decodeDoneRequest(bytes)).toEqual(list);
        expect(handWritten.decodeDoneRequest(bytes)).toEqual(list);
      }),
    );
  });

  test('what the generated code writes, messages.ts reads (DataError.success, which it drops, included)', () => {
    fc.assert(
      fc.property(writeResponse, fc.boolean(), (response, success) => {
        const bytes = toBinary(
          WriteResponseSchema,
          create(WriteResponseSchema, { status: response.status, errors: response.errors.map((e) => ({ ...e, success })) }),
        );
        expect(messages.decodeWriteResponse(Buffer.from(bytes))).toEqual(response);
        expect(handWritten.decodeWriteResponse(Buffer.from(bytes))).toEqual(response);
      }),
    );
  });
});

describe('malformed bodies', () => {
  test('any bytes decode or throw ProtobufDecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const decode of [messages.decodeWriteResponse, messages.decodeDoneResponse, messages.decodeDoneRequest]) {
          try {
            decode(Buffer.from(bytes));
          } catch (error) {
            expect(error).toBeInstanceOf(ProtobufDecodeError);
          }
        }
      }),
    );
  });

  test.each([
    ['truncated message', '0a05'],
    ['truncated varint', '08ff'],
    ['field number 0', '0001'],
    ['varint longer than 10 bytes', '0a0c08ffffffffffffffffffff01'],
    ['invalid UTF-8 in a DataError', '12040a02c328'],
  ])('%s: ProtobufDecodeError with the cause', (_name, body) => {
    let thrown: unknown;
    try {
      messages.decodeWriteResponse(Buffer.from(body, 'hex'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtobufDecodeError);
    // The runtime's own error (a TypeError from TextDecoder, a RangeError...), kept for the operator.
    expect((thrown as ProtobufDecodeError).cause).toBeDefined();
  });
});
