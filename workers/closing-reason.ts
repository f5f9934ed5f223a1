/** "What: note" as a closing reason, or just "What" without a note (the note as the clerk or customer wrote it). */
export const withNote = (what: string, note: string | null | undefined): string => (note?.trim() ? `${what}: ${note.trim()}` : what);
