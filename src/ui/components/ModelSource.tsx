import { useState } from 'react';
import { modelRefName } from '../../state/model-source';
import { useApp, useAppState } from '../context';

/** Load another model: an .onnx file (drop or pick) or a URL; and its class names. */
export function ModelSource() {
  const { actions } = useApp();
  const [url, setUrl] = useState('');
  const name = useAppState((s) => (s.model ? s.model.name : modelRefName(s.modelRef)));
  const labelsSource = useAppState((s) => s.labelsSource);
  return (
    <div className="model-source stack">
      <div className="model-name truncate" title={name}>
        {name}
      </div>
      <div className="row">
        <label className="button file-button">
          Open .onnx…
          <input
            type="file"
            data-testid="model-input"
            accept=".onnx"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void actions.openModelFile(file);
            }}
          />
        </label>
        <label className="button file-button" title="JSON array of names, or one name per line">
          Labels…
          <input
            type="file"
            data-testid="labels-input"
            accept=".txt,.json"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void actions.openLabelsFile(file);
            }}
          />
        </label>
        {labelsSource && <span className="hint">names: {labelsSource}</span>}
      </div>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          actions.loadModelFromUrl(url);
        }}
      >
        <input
          type="url"
          placeholder="https://… model.onnx"
          aria-label="Model URL"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button type="submit" disabled={url.trim() === ''}>
          Load
        </button>
      </form>
    </div>
  );
}
