/**
 * kubectl sends typed objects to the API server as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`) and
 * does not fall back to JSON on 415, so the test API server reads the one object it must understand, a
 * ClusterRoleBinding, from that encoding: the `k8s\0` magic, a runtime.Unknown envelope (field 2: the raw object),
 * and the rbac/v1 field numbers of ClusterRoleBinding, ObjectMeta, Subject and RoleRef (k8s.io/api generated.proto).
 */
import type { ClusterRoleBinding } from './api-rbac.js';

type Fields = Map<number, Buffer[]>;

/** Length-delimited fields by number; varint and fixed fields are skipped (none is needed here). */
function fieldsOf(message: Buffer): Fields {
  const fields: Fields = new Map();
  let offset = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = message[offset++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (offset < message.length) {
    const key = varint();
    const wireType = key & 7;
    const number = Math.floor(key / 8);
    if (wireType === 0) varint();
    else if (wireType === 1) offset += 8;
    else if (wireType === 5) offset += 4;
    else if (wireType === 2) {
      const length = varint();
      fields.set(number, [...(fields.get(number) ?? []), message.subarray(offset, offset + length)]);
      offset += length;
    } else throw new Error(`unsupported protobuf wire type ${wireType}`);
  }
  return fields;
}

const text = (fields: Fields, number: number) => fields.get(number)?.[0]?.toString('utf8') ?? '';
const message = (fields: Fields, number: number) => fieldsOf(fields.get(number)?.[0] ?? Buffer.alloc(0));

export function decodeClusterRoleBinding(body: Buffer): ClusterRoleBinding {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('not Kubernetes protobuf');
  const binding = message(fieldsOf(body.subarray(4)), 2);
  const roleRef = message(binding, 3);
  return {
    metadata: { name: text(message(binding, 1), 1) },
    subjects: (binding.get(2) ?? []).map((raw) => {
      const subject = fieldsOf(raw);
      return { kind: text(subject, 1), apiGroup: text(subject, 2), name: text(subject, 3) };
    }),
    roleRef: { apiGroup: text(roleRef, 1), kind: text(roleRef, 2), name: text(roleRef, 3) },
  };
}
