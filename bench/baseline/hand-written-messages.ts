import { ProtobufDecodeError } from 'byteair-sync/internal/src/byteair/protobuf-error.js';
import type { DoneResponse, ProtoDate, Status, WriteResponse } from 'byteair-sync/internal/src/byteair/messages.js';

/**
 * Hand-written ByteAir messages, an independent implementation of the same wire format as
 * src/byteair/messages.ts (generated code): the baseline of `npm run bench -- protobuf` and the
 * second encoder of test/byteair/messages-proto.test.ts, so each side checks the other.
 * Not used by the product; bench/RESULTS.md gives the comparison.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

class ProtoWriter {
  readonly #bytes: number[] = [];

  #varint(value: bigint): void {
    // int32 negatives are sign-extended to 64 bits, as every protobuf runtime does.
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.#bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#bytes.push(Number(v));
  }

  #tag(field: number, wire: number): void {
    this.#varint(BigInt((field << 3) | wire));
  }

  /** proto3 semantics: default values (0, false, '') are not written. */
  int32(field: number, value: number): this {
    if (value !== 0) {
      this.#tag(field, WIRE_VARINT);
      this.#varint(BigInt(value | 0));
    }
    return this;
  }

  bool(field: number, value: boolean): this {
    if (value) {
      this.#tag(field, WIRE_VARINT);
      this.#varint(1n);
    }
    return this;
  }

  string(field: number, value: string): this {
    if (value.length > 0) this.bytes(field, Buffer.from(value, 'utf8'));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE_LENGTH_DELIMITED);
    this.#varint(BigInt(value.length));
    for (const byte of value) this.#bytes.push(byte);
    return this;
  }

  /** An embedded message; written even when empty, as repeated elements must be. */
  message(field: number, encoded: Uint8Array): this {
    return this.bytes(field, encoded);
  }

  finish(): Buffer {
    return Buffer.from(this.#bytes);
  }
}

interface ProtoField {
  readonly field: number;
  readonly wire: number;
  /** Set for varint fields. */
  readonly varint?: bigint;
  /** Set for length-delimited fields. */
  readonly bytes?: Buffer;
}

/** Splits a message into its fields, in wire order; unknown fields are kept for the caller to ignore. */
function readFields(buffer: Buffer): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (offset >= buffer.length) throw new ProtobufDecodeError('truncated varint');
      const byte = buffer[offset] as number;
      offset += 1;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtobufDecodeError('varint longer than 10 bytes');
    }
  };
  while (offset < buffer.length) {
    const key = readVarint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtobufDecodeError('field number 0');
    switch (wire) {
      case WIRE_VARINT:
        fields.push({ field, wire, varint: readVarint() });
        break;
      case WIRE_FIXED64:
        offset += 8;
        if (offset > buffer.length) throw new ProtobufDecodeError('truncated fixed64');
        fields.push({ field, wire });
        break;
      case WIRE_LENGTH_DELIMITED: {
        const length = Number(readVarint());
        if (offset + length > buffer.length) throw new ProtobufDecodeError(`field ${field} claims ${length} bytes, ${buffer.length - offset} left`);
        fields.push({ field, wire, bytes: buffer.subarray(offset, offset + length) });
        offset += length;
        break;
      }
      case WIRE_FIXED32:
        offset += 4;
        if (offset > buffer.length) throw new ProtobufDecodeError('truncated fixed32');
        fields.push({ field, wire });
        break;
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wire} (field ${field})`);
    }
  }
  return fields;
}

/** int32 from a varint: the low 32 bits, signed. */
function toInt32(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}

const EMPTY_STATUS: Status = Object.freeze({ code: 0, message: '', success: false });

export function encodeDoneRequest(dates: readonly ProtoDate[]): Buffer {
  const writer = new ProtoWriter();
  for (const date of dates) {
    writer.message(1, new ProtoWriter().int32(1, date.year).int32(2, date.month).int32(3, date.day).finish());
  }
  return writer.finish();
}

export function decodeDoneRequest(buffer: Buffer): ProtoDate[] {
  return readFields(buffer)
    .filter((f) => f.field === 1)
    .map((f) => {
      const fields = readFields(embedded(f, 'DoneRequest.data_dates'));
      return {
        year: int32Of(fields, 1),
        month: int32Of(fields, 2),
        day: int32Of(fields, 3),
      };
    });
}

export function encodeStatus(status: Status): Buffer {
  return new ProtoWriter().int32(1, status.code).string(2, status.message).bool(3, status.success).finish();
}

export function encodeWriteResponse(response: WriteResponse): Buffer {
  const writer = new ProtoWriter().message(1, encodeStatus(response.status));
  for (const error of response.errors) {
    writer.message(2, new ProtoWriter().string(1, error.message).string(2, error.data).finish());
  }
  return writer.finish();
}

export function encodeDoneResponse(response: DoneResponse): Buffer {
  return new ProtoWriter().message(1, encodeStatus(response.status)).finish();
}

export function decodeStatus(buffer: Buffer): Status {
  const fields = readFields(buffer);
  return { code: int32Of(fields, 1), message: stringOf(fields, 2), success: boolOf(fields, 3) };
}

/** Decodes a WriteResponse; an empty buffer decodes to code 0 with success=false, as in protobuf. */
export function decodeWriteResponse(buffer: Buffer): WriteResponse {
  const fields = readFields(buffer);
  const statusField = last(fields, 1);
  return {
    status: statusField === undefined ? EMPTY_STATUS : decodeStatus(embedded(statusField, 'WriteResponse.status')),
    errors: fields
      .filter((f) => f.field === 2)
      .map((f) => {
        const inner = readFields(embedded(f, 'WriteResponse.errors'));
        return { message: stringOf(inner, 1), data: stringOf(inner, 2) };
      }),
  };
}

export function decodeDoneResponse(buffer: Buffer): DoneResponse {
  const statusField = last(readFields(buffer), 1);
  return { status: statusField === undefined ? EMPTY_STATUS : decodeStatus(embedded(statusField, 'DoneResponse.status')) };
}

function last(fields: readonly ProtoField[], field: number): ProtoField | undefined {
  // protobuf: for a non-repeated field the last occurrence wins.
  return fields.filter((f) => f.field === field).at(-1);
}

function embedded(field: ProtoField, name: string): Buffer {
  if (field.wire !== WIRE_LENGTH_DELIMITED || field.bytes === undefined) throw new ProtobufDecodeError(`${name} is not a message`);
  return field.bytes;
}

function int32Of(fields: readonly ProtoField[], field: number): number {
  const found = last(fields, field);
  if (found === undefined) return 0;
  if (found.wire !== WIRE_VARINT || found.varint === undefined) throw new ProtobufDecodeError(`field ${field} is not a varint`);
  return toInt32(found.varint);
}

function boolOf(fields: readonly ProtoField[], field: number): boolean {
  return int32Of(fields, field) !== 0;
}

function stringOf(fields: readonly ProtoField[], field: number): string {
  const found = last(fields, field);
  if (found === undefined) return '';
  if (found.wire !== WIRE_LENGTH_DELIMITED || found.bytes === undefined) throw new ProtobufDecodeError(`field ${field} is not a string`);
  return found.bytes.toString('utf8');
}
