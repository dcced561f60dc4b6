/** How long, in the two forms the messages use: free of any decision, so every floor above core may use it. */

/** "2:47" for a status line, "3 minutes" / "45 s" for a sentence. */
export function clockDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function spokenDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${seconds} s`;
}
