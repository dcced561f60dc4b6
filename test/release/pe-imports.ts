/**
 * What the release tests read from Windows executables: the DLLs one imports, from its PE headers (the import and
 * delay-import directories; `objdump -p` shows the same names), the Windows images embedded in a file (Bun embeds
 * native addons in its executables), its resources (version information, icons) and whether it is signed. Enough
 * of the PE/COFF format for that, written for these tests.
 */

/**
 * DLLs every Windows 10 and 11 has: the system DLLs, the API sets (`api-ms-win-core-*`) and the Universal CRT
 * (`api-ms-win-crt-*`, part of Windows since 10). Not VCRUNTIME140.dll or MSVCP140.dll: those come with the Visual
 * C++ Redistributable, which a clean Windows does not have.
 */
const systemDlls = new Set(
  [
    'advapi32.dll',
    'bcrypt.dll',
    'bcryptprimitives.dll',
    'crypt32.dll',
    'dbghelp.dll',
    'iphlpapi.dll',
    'kernel32.dll',
    'ncrypt.dll',
    'ntdll.dll',
    'ole32.dll',
    'oleaut32.dll',
    'powrprof.dll',
    'psapi.dll',
    'secur32.dll',
    'shell32.dll',
    'shlwapi.dll',
    'user32.dll',
    'userenv.dll',
    'version.dll',
    'winmm.dll',
    'ws2_32.dll',
    'wsock32.dll',
  ].map((name) => name.toLowerCase()),
);

export function isWindowsSystemDll(name: string): boolean {
  const lower = name.toLowerCase();
  return systemDlls.has(lower) || /^api-ms-win-(core|crt)-[a-z0-9-]+\.dll$/.test(lower);
}

interface Section {
  readonly virtualAddress: number;
  readonly virtualSize: number;
  readonly rawSize: number;
  readonly rawOffset: number;
}

/** The headers of the image starting at `start` of `file`: a data directory's RVA, and RVA → file offset. */
function peImage(file: Buffer, start: number) {
  const image = file.subarray(start);
  if (image.toString('latin1', 0, 2) !== 'MZ') throw new Error('not a PE image (no MZ)');
  const pe = image.readUInt32LE(0x3c);
  if (image.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE image (no PE signature)');
  const sectionCount = image.readUInt16LE(pe + 6);
  const optionalSize = image.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const directories = optional + (image.readUInt16LE(optional) === 0x20b ? 112 : 96);
  const sections: Section[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = optional + optionalSize + i * 40;
    sections.push({
      virtualSize: image.readUInt32LE(at + 8),
      virtualAddress: image.readUInt32LE(at + 12),
      rawSize: image.readUInt32LE(at + 16),
      rawOffset: image.readUInt32LE(at + 20),
    });
  }
  return {
    image,
    directory: (index: number) => image.readUInt32LE(directories + index * 8),
    offsetOf: (rva: number): number => {
      const section = sections.find(
        (s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize),
      );
      if (!section) throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
      return rva - section.virtualAddress + section.rawOffset;
    },
  };
}

/** The names of the DLLs the image starting at `start` of `file` imports (normal and delay-loaded). */
export function importedDlls(file: Buffer, start = 0): string[] {
  const { image, directory, offsetOf } = peImage(file, start);
  const nameAt = (rva: number) => {
    const at = offsetOf(rva);
    return image.toString('latin1', at, image.indexOf(0, at));
  };
  const names: string[] = [];
  // Directory 1: imports, 20-byte descriptors with the name's RVA at +12. Directory 13: delay imports, 32-byte
  // descriptors with the name's RVA at +4. Both lists end with a zero descriptor.
  for (const [index, size, nameField] of [
    [1, 20, 12],
    [13, 32, 4],
  ] as const) {
    const rva = directory(index);
    if (rva === 0) continue;
    for (let at = offsetOf(rva); ; at += size) {
      const nameRva = image.readUInt32LE(at + nameField);
      if (nameRva === 0) break;
      names.push(nameAt(nameRva));
    }
  }
  return names;
}

/** Whether the image carries an Authenticode signature (directory 4, the certificate table, is set). */
export function hasAuthenticodeSignature(file: Buffer): boolean {
  return peImage(file, 0).directory(4) !== 0;
}

/**
 * The resources of an image by numeric type (RT_ICON 3, RT_GROUP_ICON 14, RT_VERSION 16, …): each one's data, in
 * every name and language. Directory 2 is a tree: type → name → language → data entry (RVA, size).
 */
export function resourcesByType(file: Buffer): Map<number, Buffer[]> {
  const { image, directory, offsetOf } = peImage(file, 0);
  const root = offsetOf(directory(2));
  const entries = (dir: number) => {
    const count = image.readUInt16LE(dir + 12) + image.readUInt16LE(dir + 14);
    return Array.from({ length: count }, (_, i) => ({
      id: image.readUInt32LE(dir + 16 + i * 8),
      target: image.readUInt32LE(dir + 20 + i * 8),
    }));
  };
  const leaves = (target: number): Buffer[] =>
    target & 0x80000000
      ? entries(root + (target & 0x7fffffff)).flatMap((e) => leaves(e.target))
      : [
          image.subarray(
            offsetOf(image.readUInt32LE(root + target)),
            offsetOf(image.readUInt32LE(root + target)) + image.readUInt32LE(root + target + 4),
          ),
        ];
  return new Map(entries(root).map((type) => [type.id, leaves(type.target)]));
}

/**
 * The string values of a VS_VERSIONINFO resource: its StringFileInfo holds key/value pairs as NUL-terminated
 * UTF-16LE strings on 4-byte boundaries; read here as the text between the keys, enough to check what it says.
 */
export function versionStrings(
  resource: Buffer,
  keys: readonly string[],
): Record<string, string | undefined> {
  const text = resource.toString('utf16le');
  return Object.fromEntries(
    keys.map((key) => {
      const match = new RegExp(`${key}\0+([^\0]*)\0`).exec(text);
      return [key, match?.[1]];
    }),
  );
}

/** Offsets of PE images inside `file` other than the one at its start (an `MZ` whose header points at `PE\0\0`). */
export function embeddedImages(file: Buffer): number[] {
  const found: number[] = [];
  for (let at = file.indexOf('MZ', 1, 'latin1'); at !== -1; at = file.indexOf('MZ', at + 1, 'latin1')) {
    if (at + 0x40 > file.length) break;
    const pe = file.readUInt32LE(at + 0x3c);
    if (pe < 0x40 || pe > 0x1000 || at + pe + 4 > file.length) continue;
    if (file.toString('latin1', at + pe, at + pe + 4) === 'PE\0\0') found.push(at);
  }
  return found;
}
