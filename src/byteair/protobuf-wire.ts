/**
 * The few protobuf wire-format primitives the ByteAir messages need. Hand-written because
 * the whole schema is five tiny messages; a generated runtime would be far larger than this.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

export class ProtobufDecodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`protobuf: ${message}`, options);
    this.name = 'ProtobufDecodeError';
  }
}

export class ProtoWriter {
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

export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  /** Set for varint fields. */
  readonly varint?: bigint;
  /** Set for length-delimited fields. */
  readonly bytes?: Buffer;
}

/** Splits a message into its fields, in wire order; unknown fields are kept for the caller to ignore. */
export function readFields(buffer: Buffer): ProtoField[] {
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
export function toInt32(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}
