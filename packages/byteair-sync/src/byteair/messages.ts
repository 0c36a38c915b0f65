import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { DataErrorSchema, WriteResponseSchema, type DataError as DataErrorMessage } from './generated/volcengine_byteair_pb.js';
import { DateSchema, DoneRequestSchema, DoneResponseSchema, StatusSchema, type Status as StatusMessage } from './generated/volcengine_common_pb.js';
import { ProtobufDecodeError } from './protobuf-error.js';

/**
 * The ByteAir protobuf messages (packages bytedance.volcengine.common / .byteair), see
 * docs/byteair-protocol.md §4-§5, through the code protoc-gen-es generates from the official
 * .proto files (src/byteair/proto/, `npm run proto`), behind plain shapes so no caller sees
 * the generated types:
 *   Date { int32 year = 1; int32 month = 2; int32 day = 3; }
 *   DoneRequest { repeated Date data_dates = 1; }
 *   Status { int32 code = 1; string message = 2; bool success = 3; }
 *   DataError { string message = 1; string data = 2; bool success = 3; }
 *   WriteResponse { Status status = 1; repeated DataError errors = 2; }
 *   DoneResponse { Status status = 1; }
 *
 * Generated, not hand-written, since `npm run bench -- protobuf` found the generated code
 * faster where it counts (bench/RESULTS.md): decoding a 10 000-error 1001 answer 0.38 x the
 * time, encoding it (the emulator) 0.04 x; only a one-date DoneRequest is slower, 1.7 us
 * against 0.4 us, once per Done call. The hand-written code is kept as the bench's baseline
 * (bench/baseline/hand-written-messages.ts).
 *
 * Malformed bodies still throw ProtobufDecodeError. Where the generated reader differs from the
 * hand-written one, it does what protobuf runtimes do: invalid UTF-8 in a string is an error
 * (as in the official SDKs' Go and Python runtimes), a message field seen twice is merged,
 * groups (wire types 3/4) of unknown fields are skipped, and a known field with another wire
 * type is read as its declared type, not refused. Encoding an int32 outside int32 throws.
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

/** Unknown fields (a newer server's) are dropped: nothing here re-encodes an answer, keeping them would only cost memory. */
const READ_OPTIONS = { readUnknownFields: false } as const;

function decode<Desc extends DescMessage>(schema: Desc, buffer: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, buffer, READ_OPTIONS);
  } catch (error) {
    // One error type for a malformed body, whatever the runtime threw: classify-response.ts makes it 'undecodable-body'.
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
