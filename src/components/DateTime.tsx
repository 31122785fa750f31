const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-02 15:00:00" in the viewer's time zone, like the dates elsewhere (YYYY-MM-DD first). */
export function formatDateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  return `${date} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** A moment the server sent (ISO, UTC), shown in local time and machine-readable. */
export function DateTime({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}
