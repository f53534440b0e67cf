import { useState } from 'react';
import { useApp } from '../context';

/** The ways to give an image besides dropping it: a file picker, a URL, the clipboard. */
export function ImageSources() {
  const { actions } = useApp();
  const [url, setUrl] = useState('');
  return (
    <div className="image-sources">
      <label className="button file-button">
        Open images…
        <input
          type="file"
          data-testid="file-input"
          accept="image/*"
          multiple
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            if (files.length > 0) void actions.openFiles(files);
          }}
        />
      </label>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void actions.loadImageFromUrl(url);
        }}
      >
        <input
          type="url"
          placeholder="https://… image URL"
          aria-label="Image URL"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button type="submit" disabled={url.trim() === ''}>
          Load
        </button>
      </form>
      <p className="hint">Or drop images anywhere, or paste one (Ctrl+V).</p>
    </div>
  );
}
