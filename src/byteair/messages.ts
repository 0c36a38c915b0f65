import { ProtoWriter, ProtobufDecodeError, readFields, toInt32, WIRE_LENGTH_DELIMITED, WIRE_VARINT, type ProtoField } from './protobuf-wire.js';

/**
 * The ByteAir protobuf messages (packages bytedance.volcengine.common / .byteair), see
 * docs/byteair-protocol.md §4-§5:
 *   Date { int32 year = 1; int32 month = 2; int32 day = 3; }
 *   DoneRequest { repeated Date data_dates = 1; }
 *   Status { int32 code = 1; string message = 2; bool success = 3; }
 *   DataError { string message = 1; string data = 2; bool success = 3; }
 *   WriteResponse { Status status = 1; repeated DataError errors = 2; }
 *   DoneResponse { Status status = 1; }
 */

export interface ProtoDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export interface Status {
  readonly code: number;
  readonly message: string;
  readonly success: boolean;
}

export interface DataError {
  readonly message: string;
  /** The failed record, serialized as JSON by the server. */
  readonly data: string;
}

export interface WriteResponse {
  readonly status: Status;
  readonly errors: readonly DataError[];
}

export interface DoneResponse {
  readonly status: Status;
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
