import { memo, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { drawFitted, rgbaSource } from '../render/rgba';
import { stripImages } from '../../state/slices/image-slice';
import { useApp, useAppState } from '../context';

/** The images given so far (several dropped at once land here); click one to explain it. */
export function ImageStrip() {
  const ids = useAppState(useShallow((s) => stripImages(s).map((i) => i.id)));
  const selected = useAppState((s) => stripImages(s).find((i) => i.selected)?.id ?? null);
  if (ids.length < 2) return null;
  return (
    <div className="image-strip" role="group" aria-label="Images">
      {ids.map((id) => (
        <ImageThumb key={id} id={id} selected={id === selected} />
      ))}
    </div>
  );
}

const ImageThumb = memo(function ImageThumb({ id, selected }: { id: string; selected: boolean }) {
  const { registry, store } = useApp();
  const entry = useAppState((s) => s.images.find((i) => i.id === id));
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
