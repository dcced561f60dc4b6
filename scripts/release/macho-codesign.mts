// Mach-O code signatures, enough to check and to make an ad-hoc one without Apple's tools (docs/release.md).
// Apple Silicon refuses to run an executable whose signature is missing or does not match its pages, and an
// x86_64 executable whose hardened-runtime signature does not match is killed as well. Bun signs the darwin-arm64
// executables it compiles ad hoc, but leaves darwin-x64 ones with the Bun runtime's own signature, which no longer
// matches once the program is appended.
//
// Format (all signature structures are big-endian, the Mach-O header little-endian): LC_CODE_SIGNATURE points at a
// SuperBlob (magic 0xfade0cc0) indexing blobs; the CodeDirectory (0xfade0c02) holds one hash per page of the file
// before the signature (codeLimit), and, in "special slots" before them, the hashes of other blobs (requirements,
// entitlements).
import { createHash } from 'node:crypto';

const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const LC_VERSION_MIN_MACOSX = 0x24;
const LC_BUILD_VERSION = 0x32;
const PLATFORM_MACOS = 1;
const SUPERBLOB = 0xfade0cc0;
const CODE_DIRECTORY = 0xfade0c02;
const CS_ADHOC = 0x2;
const CS_LINKER_SIGNED = 0x20000;
const CS_EXECSEG_MAIN_BINARY = 0x1;
const HASH_SHA256 = 2;
const PAGE_SHIFT = 12;
const CPU_TYPES: Record<number, string> = { 16777223: 'x86_64', 16777228: 'arm64' };

interface Segment {
  readonly commandOffset: number;
  readonly vmsize: number;
  readonly fileoff: number;
  readonly filesize: number;
}
interface CodeSignatureCommand {
  readonly commandOffset: number;
  readonly dataoff: number;
  readonly datasize: number;
}
export interface MachO {
  readonly cpu: string;
  readonly segments: Map<string, Segment>;
  readonly codeSignature: CodeSignatureCommand | undefined;
  /** The oldest macOS it runs on ("13.0"), from LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX. */
  readonly minimumMacOS: string | undefined;
}
export interface SignatureCheck {
  readonly problems: string[];
  identifier?: string;
  flags?: number;
  pages: number;
  mismatchedPages: number;
}

/** Load commands we need: segments by name, the code signature's place. */
export function parseMachO(file: Buffer): MachO {
  if (file.length < 32 || file.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('not a 64-bit Mach-O file');
  const cpu = CPU_TYPES[file.readUInt32LE(4)] ?? `cpu 0x${file.readUInt32LE(4).toString(16)}`;
  const segments = new Map<string, Segment>();
  let codeSignature: CodeSignatureCommand | undefined;
  let minimumMacOS: string | undefined;
  // Versions are nibbles xxxx.yy.zz.
  const version = (v: number) => `${v >>> 16}.${(v >>> 8) & 0xff}`;
  let offset = 32;
  for (let i = 0; i < file.readUInt32LE(16); i++) {
    const cmd = file.readUInt32LE(offset);
    if (cmd === LC_SEGMENT_64) {
      segments.set(file.toString('latin1', offset + 8, offset + 24).replace(/\0.*$/s, ''), {
        commandOffset: offset,
        vmsize: Number(file.readBigUInt64LE(offset + 32)),
        fileoff: Number(file.readBigUInt64LE(offset + 40)),
        filesize: Number(file.readBigUInt64LE(offset + 48)),
      });
    }
    if (cmd === LC_CODE_SIGNATURE) {
      codeSignature = {
        commandOffset: offset,
        dataoff: file.readUInt32LE(offset + 8),
        datasize: file.readUInt32LE(offset + 12),
      };
    }
    if (cmd === LC_BUILD_VERSION && file.readUInt32LE(offset + 8) === PLATFORM_MACOS)
      minimumMacOS = version(file.readUInt32LE(offset + 12));
    if (cmd === LC_VERSION_MIN_MACOSX) minimumMacOS = version(file.readUInt32LE(offset + 8));
    offset += file.readUInt32LE(offset + 4);
  }
  return { cpu, segments, codeSignature, minimumMacOS };
}

/**
 * Checks the signature as the kernel and `codesign --verify` would for an ad-hoc or Developer ID signed single
 * executable: the CodeDirectory covers every byte before the signature, nothing follows the signature, every page
 * hash matches, and every special slot matches the blob it names.
 */
export function verifyCodeSignature(file: Buffer): SignatureCheck {
  const problems: string[] = [];
  const result: SignatureCheck = { problems, pages: 0, mismatchedPages: 0 };
  const { segments, codeSignature } = parseMachO(file);
  if (!codeSignature) return { ...result, problems: ['no LC_CODE_SIGNATURE load command (unsigned)'] };
  const { dataoff, datasize } = codeSignature;
  if (dataoff + datasize > file.length) problems.push('the signature extends past the end of the file');
  if (file.readUInt32BE(dataoff) !== SUPERBLOB)
    return { ...result, problems: ['no SuperBlob at the signature offset'] };
  const superLength = file.readUInt32BE(dataoff + 4);
  if (superLength > datasize) problems.push('the SuperBlob is longer than LC_CODE_SIGNATURE says');
  const linkedit = segments.get('__LINKEDIT');
  if (!linkedit || linkedit.fileoff + linkedit.filesize !== file.length)
    problems.push('__LINKEDIT does not end at the end of the file');
  // codesign reserves room for a larger signature (datasize); nothing may follow that room.
  if (file.length !== dataoff + datasize) problems.push('data after the signature');

  const blobs = new Map<number, Buffer>();
  for (let i = 0; i < file.readUInt32BE(dataoff + 8); i++) {
    const type = file.readUInt32BE(dataoff + 12 + i * 8);
    const start = dataoff + file.readUInt32BE(dataoff + 16 + i * 8);
    blobs.set(type, file.subarray(start, start + file.readUInt32BE(start + 4)));
  }
  const cd = blobs.get(0);
  if (!cd || cd.readUInt32BE(0) !== CODE_DIRECTORY)
    return { ...result, problems: [...problems, 'no CodeDirectory'] };
  const version = cd.readUInt32BE(8);
  const hashOffset = cd.readUInt32BE(16);
  const nSpecialSlots = cd.readUInt32BE(24);
  const nCodeSlots = cd.readUInt32BE(28);
  const codeLimit = cd.readUInt32BE(32);
  const hashSize = cd.readUInt8(36);
  const hashType = cd.readUInt8(37);
  const pageSize = 2 ** cd.readUInt8(39);
  const algorithm = ({ 1: 'sha1', 2: 'sha256' } as Record<number, string>)[hashType];
  result.flags = cd.readUInt32BE(12);
  result.identifier = cd.toString('latin1', cd.readUInt32BE(20)).replace(/\0.*$/s, '');
  if (!algorithm) return { ...result, problems: [...problems, `unknown hash type ${hashType}`] };
  if (codeLimit !== dataoff) problems.push(`code limit ${codeLimit} is not the signature offset ${dataoff}`);
  if (nCodeSlots !== Math.ceil(codeLimit / pageSize))
    problems.push(`${nCodeSlots} page hashes for ${Math.ceil(codeLimit / pageSize)} pages`);
  const hashAt = (slot: number) =>
    cd.subarray(hashOffset + slot * hashSize, hashOffset + (slot + 1) * hashSize);
  const digest = (bytes: Buffer) => createHash(algorithm).update(bytes).digest().subarray(0, hashSize);
  for (let page = 0; page < nCodeSlots; page++) {
    const start = page * pageSize;
    const bytes = file.subarray(start, Math.min(start + pageSize, codeLimit));
    if (!digest(bytes).equals(hashAt(page))) result.mismatchedPages++;
  }
  result.pages = nCodeSlots;
  if (result.mismatchedPages > 0)
    problems.push(`${result.mismatchedPages} of ${nCodeSlots} page hashes do not match`);
  for (let slot = 1; slot <= nSpecialSlots; slot++) {
    const blob = blobs.get(slot);
    const stored = hashAt(-slot);
    const expected = blob ? digest(blob) : Buffer.alloc(hashSize);
    // Slot 1 (Info.plist) and 3 (resources) hash files outside a bare executable: they are only checked for zero.
    if ((slot === 1 || slot === 3) && !blob) continue;
    if (!expected.equals(stored)) problems.push(`special slot ${slot} does not match its blob`);
  }
  if (version >= 0x20400) {
    const text = segments.get('__TEXT');
    if (text && Number(cd.readBigUInt64BE(72)) !== text.filesize)
      problems.push('the executable segment limit is not the size of __TEXT');
  }
  return result;
}

/**
 * Replaces the signature with an ad-hoc one of the form Apple's linker writes (and Bun writes for darwin-arm64):
 * one SHA-256 CodeDirectory, 4 KiB pages, no requirements or entitlements, hardened runtime off (the JIT needs no
 * entitlement then). The signature stays where LC_CODE_SIGNATURE puts it; __LINKEDIT is resized to end with it.
 * Returns the signed file.
 */
export function signAdHoc(input: Buffer, identifier: string): Buffer {
  const { segments, codeSignature } = parseMachO(input);
  const linkedit = segments.get('__LINKEDIT');
  const text = segments.get('__TEXT');
  if (!codeSignature || !linkedit || !text)
    throw new Error('no LC_CODE_SIGNATURE, __LINKEDIT or __TEXT to sign');
  const codeLimit = codeSignature.dataoff;
  const pageSize = 2 ** PAGE_SHIFT;
  const nCodeSlots = Math.ceil(codeLimit / pageSize);
  const ident = Buffer.from(`${identifier}\0`, 'latin1');
  const headerSize = 88;
  const hashOffset = headerSize + ident.length;
  const cdLength = hashOffset + nCodeSlots * 32;
  const superLength = 20 + cdLength;

  const file = Buffer.alloc(codeLimit + superLength);
  input.copy(file, 0, 0, codeLimit);
  file.writeUInt32LE(superLength, codeSignature.commandOffset + 12);
  const linkeditSize = codeLimit + superLength - linkedit.fileoff;
  file.writeBigUInt64LE(BigInt(linkeditSize), linkedit.commandOffset + 48);
  file.writeBigUInt64LE(BigInt(Math.ceil(linkeditSize / pageSize) * pageSize), linkedit.commandOffset + 32);

  let at = codeLimit;
  const u32 = (value: number) => {
    file.writeUInt32BE(value, at);
    at += 4;
  };
  const u64 = (value: number) => {
    file.writeBigUInt64BE(BigInt(value), at);
    at += 8;
  };
  u32(SUPERBLOB);
  u32(superLength);
  u32(1);
  u32(0); // slot type: CodeDirectory
  u32(20); // its offset in the SuperBlob
  u32(CODE_DIRECTORY);
  u32(cdLength);
  u32(0x20400); // version with the executable segment fields
  u32(CS_ADHOC | CS_LINKER_SIGNED);
  u32(hashOffset);
  u32(headerSize); // identOffset
  u32(0); // nSpecialSlots
  u32(nCodeSlots);
  u32(codeLimit);
  file.writeUInt8(32, at++); // hashSize
  file.writeUInt8(HASH_SHA256, at++);
  file.writeUInt8(0, at++); // platform
  file.writeUInt8(PAGE_SHIFT, at++);
  u32(0); // spare2
  u32(0); // scatterOffset
  u32(0); // teamOffset
  u32(0); // spare3
  u64(0); // codeLimit64
  u64(0); // execSegBase
  u64(text.filesize); // execSegLimit
  u64(CS_EXECSEG_MAIN_BINARY);
  ident.copy(file, at);
  at += ident.length;
  // The hashes last: they cover the load commands edited above.
  for (let page = 0; page < nCodeSlots; page++) {
    const start = page * pageSize;
    createHash('sha256')
      .update(file.subarray(start, Math.min(start + pageSize, codeLimit)))
      .digest()
      .copy(file, at);
    at += 32;
  }
  return file;
}
