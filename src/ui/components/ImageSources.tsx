import { useRef, useState } from 'react';
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
      <KeyboardDropTarget />
      <p className="hint">Or drop images anywhere, or paste one (Ctrl+V).</p>
    </div>
  );
}

/**
 * The page-wide drop zone for keyboards: a focusable target that Enter or Space opens as a file picker for
 * everything a drop takes (images, an .onnx model, a labels file). Its visible text is its accessible name
 * (a different aria-label would hide what sighted users see from speech input: axe label-content-name-mismatch).
 */
function KeyboardDropTarget() {
  const { actions } = useApp();
  const input = useRef<HTMLInputElement>(null);
  return (
    <div
      className="drop-target"
      role="button"
      tabIndex={0}
      data-testid="drop-target"
      onClick={() => input.current?.click()}
      onKeyDown={(e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        input.current?.click();
      }}
    >
      Drop images, an .onnx model or a labels file here (or press Enter to choose)
      <input
        ref={input}
        type="file"
        hidden
        multiple
        tabIndex={-1}
        data-testid="drop-target-input"
        accept="image/*,.onnx,.txt"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (files.length > 0) void actions.openFiles(files);
        }}
      />
    </div>
  );
}
