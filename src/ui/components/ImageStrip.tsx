import { memo, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { drawFitted, rgbaSource } from '../render/rgba';
import { useApp, useAppState } from '../context';

/** The images given so far (several dropped at once land here); click one to explain it. */
export function ImageStrip() {
  const ids = useAppState(useShallow((s) => s.images.map((i) => i.id)));
  if (ids.length < 2) return null;
  return (
    <div className="image-strip" role="group" aria-label="Images">
      {ids.map((id) => (
        <ImageThumb key={id} id={id} />
      ))}
    </div>
  );
}

const ImageThumb = memo(function ImageThumb({ id }: { id: string }) {
  const { registry, store } = useApp();
  const entry = useAppState((s) => s.images.find((i) => i.id === id));
  const selected = useAppState((s) => s.currentImageId === id);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const img = registry.image(id);
    if (canvas.current && img) drawFitted(canvas.current, rgbaSource(img), img.width, img.height);
  }, [registry, id]);
  if (!entry) return null;
  return (
    <button
      type="button"
      className="thumb-button"
      aria-pressed={selected}
      title={entry.note ? `${entry.name} (${entry.note})` : entry.name}
      onClick={() => store.getState().selectImage(id)}
    >
      <canvas ref={canvas} width={64} height={64} aria-label={entry.name} />
    </button>
  );
});
