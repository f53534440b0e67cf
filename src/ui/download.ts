/** Saves a blob under a file name through a temporary link (the browser's download UI takes over). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke later: the download may start after this task.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe slug of free text. */
export function slug(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60) || 'view'
  );
}
