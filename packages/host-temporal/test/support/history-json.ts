import { createRequire } from 'node:module';
import type { temporal } from '@temporalio/proto';

// `historyFromJSON` from @temporalio/common fails here ("type must be a Type"): npm installed a
// separate protobufjs copy under @temporalio/common and under @temporalio/proto, and the JSON
// reader of one does not accept the other's types. Parse with the copy that owns the History type.
const requireFromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const { fromJson } = requireFromProto('protobufjs/ext/protojson') as { fromJson: (type: unknown, json: unknown, options: object) => unknown };
const { patchProtobufRoot } = requireFromProto('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot: (root: unknown) => { lookupType(name: string): unknown } };
const historyType = patchProtobufRoot(requireFromProto('@temporalio/proto')).lookupType('temporal.api.history.v1.History');

/** A history in Temporal's proto3 JSON (as `temporal workflow show --output json` prints it). */
export function historyFromJson(json: unknown): temporal.api.history.v1.History {
  return fromJson(historyType, json, { ignoreUnknownFields: true }) as temporal.api.history.v1.History;
}
