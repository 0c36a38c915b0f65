/** A body that is not the protobuf message it should be; classify-response.ts maps it to 'undecodable-body'. */
export class ProtobufDecodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`protobuf: ${message}`, options);
    this.name = 'ProtobufDecodeError';
  }
}
