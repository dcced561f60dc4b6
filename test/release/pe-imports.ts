/**
 * The DLLs a Windows executable or DLL imports, read from its PE headers (the import and delay-import directories),
 * and the Windows images embedded in a file (Bun embeds native addons in its executables). Enough of the PE/COFF
 * format for that, written for the release tests; `objdump -p` shows the same names.
 */

/** The @napi-rs/keyring build for Windows: it imports VCRUNTIME140.dll, so no release may carry it. */
export const windowsKeyringAddonPackage = '@napi-rs/keyring-win32-x64-msvc';

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

/** The names of the DLLs the image starting at `start` of `file` imports (normal and delay-loaded). */
export function importedDlls(file: Buffer, start = 0): string[] {
  const image = file.subarray(start);
  if (image.toString('latin1', 0, 2) !== 'MZ') throw new Error('not a PE image (no MZ)');
  const pe = image.readUInt32LE(0x3c);
  if (image.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE image (no PE signature)');
  const sectionCount = image.readUInt16LE(pe + 6);
  const optionalSize = image.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const magic = image.readUInt16LE(optional);
  const directories = optional + (magic === 0x20b ? 112 : 96);
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
  const offsetOf = (rva: number): number => {
    const section = sections.find(
      (s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize),
    );
    if (!section) throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
    return rva - section.virtualAddress + section.rawOffset;
  };
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
    const rva = image.readUInt32LE(directories + index * 8);
    if (rva === 0) continue;
    for (let at = offsetOf(rva); ; at += size) {
      const nameRva = image.readUInt32LE(at + nameField);
      if (nameRva === 0) break;
      names.push(nameAt(nameRva));
    }
  }
  return names;
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
