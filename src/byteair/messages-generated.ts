import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { DataErrorSchema, WriteResponseSchema, type DataError as DataErrorMessage } from './generated/volcengine_byteair_pb.js';
import { DateSchema, DoneRequestSchema, DoneResponseSchema, StatusSchema, type Status as StatusMessage } from './generated/volcengine_common_pb.js';
import type { DataError, DoneResponse, ProtoDate, Status, WriteResponse } from './messages.js';
import { ProtobufDecodeError } from './protobuf-wire.js';

/**
 * The ByteAir messages through the code protoc-gen-es generates from the official .proto files
 * (src/byteair/proto/, `npm run proto`), behind the same functions and plain shapes as
 * messages.ts, so either can serve every caller and the two can be compared byte for byte.
 */

const EMPTY_STATUS: Status = Object.freeze({ code: 0, message: '', success: false });

/** Unknown fields are skipped, as the hand-written reader does: nothing here re-encodes an answer. */
const READ_OPTIONS = { readUnknownFields: false } as const;

function decode<Desc extends DescMessage>(schema: Desc, buffer: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, buffer, READ_OPTIONS);
  } catch (error) {
    // One error type for a malformed body, whichever decoder read it (classify-response.ts).
    throw new ProtobufDecodeError(`${schema.typeName}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function plainStatus(status: StatusMessage | undefined): Status {
  return status === undefined ? EMPTY_STATUS : { code: status.code, message: status.message, success: status.success };
}

function statusMessage(status: Status): StatusMessage {
  return create(StatusSchema, { code: status.code, message: status.message, success: status.success });
}

export function encodeDoneRequest(dates: readonly ProtoDate[]): Buffer {
  const dataDates = dates.map((date) => create(DateSchema, { year: date.year, month: date.month, day: date.day }));
  return asBuffer(toBinary(DoneRequestSchema, create(DoneRequestSchema, { dataDates })));
}

export function decodeDoneRequest(buffer: Buffer): ProtoDate[] {
  return decode(DoneRequestSchema, buffer).dataDates.map((date) => ({ year: date.year, month: date.month, day: date.day }));
}

export function encodeStatus(status: Status): Buffer {
  return asBuffer(toBinary(StatusSchema, statusMessage(status)));
}

export function encodeWriteResponse(response: WriteResponse): Buffer {
  const errors: DataErrorMessage[] = response.errors.map((error) => create(DataErrorSchema, { message: error.message, data: error.data }));
  return asBuffer(toBinary(WriteResponseSchema, create(WriteResponseSchema, { status: statusMessage(response.status), errors })));
}

export function encodeDoneResponse(response: DoneResponse): Buffer {
  return asBuffer(toBinary(DoneResponseSchema, create(DoneResponseSchema, { status: statusMessage(response.status) })));
}

export function decodeStatus(buffer: Buffer): Status {
  return plainStatus(decode(StatusSchema, buffer));
}

export function decodeWriteResponse(buffer: Buffer): WriteResponse {
  const message = decode(WriteResponseSchema, buffer);
  const errors: DataError[] = message.errors.map((error) => ({ message: error.message, data: error.data }));
  return { status: plainStatus(message.status), errors };
}

export function decodeDoneResponse(buffer: Buffer): DoneResponse {
  return { status: plainStatus(decode(DoneResponseSchema, buffer).status) };
}
