import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { clampCrop, defaultCrop, type CropRect } from '../../core/preprocess';
import { preprocessSpec } from '../../state/slices/model-slice';
import { drawCropOverlay, hitTest, moveCrop, resizeCrop, type CropHit, type Placement } from '../render/crop';
import { drawFitted, rgbaSource } from '../render/rgba';
import { useApp, useAppState } from '../context';

const BOX = 280;

/**
 * The whole image with the model's crop on it: drag inside to move, drag the corner to resize, or use the
 * keyboard (arrows move, + and - zoom, 0 resets). The model runs again when the drag ends.
 */
export function CropEditor() {
  const { registry, store } = useApp();
  const image = useAppState((s) => s.images.find((i) => i.id === s.currentImageId) ?? null);
  const storedCrop = useAppState((s) => (s.currentImageId ? s.crops[s.currentImageId] : undefined));
  const inputDims = useAppState((s) => s.model?.inputDims ?? null);
  const preprocess = useAppState((s) => s.preprocess);
  const canvas = useRef<HTMLCanvasElement>(null);
  const placement = useRef<Placement>({ scale: 1, dx: 0, dy: 0 });
  const drag = useRef<{ mode: CropHit; x: number; y: number; start: CropRect } | null>(null);
  const [draft, setDraft] = useState<CropRect | null>(null);

  const source = useMemo(() => {
    const rgba = image && registry.image(image.id);
    return rgba ? rgbaSource(rgba) : null;
  }, [image, registry]);
  const spec = inputDims ? preprocessSpec(preprocess, inputDims) : null;
  const crop =
    image && spec
      ? clampCrop(
          draft ?? storedCrop ?? defaultCrop(image.width, image.height, spec),
          image.width,
          image.height,
        )
      : null;

  useEffect(() => {
    const c = canvas.current;
    if (!c || !image || !source || !crop) return;
    const aspect = image.width / image.height;
    c.width = aspect >= 1 ? BOX : Math.round(BOX * aspect);
    c.height = aspect >= 1 ? Math.round(BOX / aspect) : BOX;
    placement.current = drawFitted(c, source, image.width, image.height);
    drawCropOverlay(c, crop, placement.current, image.width, image.height);
  });

  if (!image || !crop || !spec) return null;
  const aspect = spec.width / spec.height;
  const commit = (c: CropRect | null) => store.getState().setCrop(image.id, c);
  const local = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) * e.currentTarget.width) / r.width,
      y: ((e.clientY - r.top) * e.currentTarget.height) / r.height,
    };
  };

  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    const p = local(e);
    let mode = hitTest(crop, placement.current, p.x, p.y);
    let start = crop;
    if (mode === 'outside') {
      // A click outside centres the crop there, then drags it.
      const s = placement.current.scale;
      start = moveCrop(
        crop,
        (p.x - placement.current.dx) / s - crop.x - crop.width / 2,
        (p.y - placement.current.dy) / s - crop.y - crop.height / 2,
        image.width,
        image.height,
      );
      mode = 'move';
      setDraft(start);
    }
    drag.current = { mode, x: p.x, y: p.y, start };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    if (!d) return;
    const p = local(e);
    const s = placement.current.scale;
    const dx = (p.x - d.x) / s;
    const dy = (p.y - d.y) / s;
    setDraft(
      d.mode === 'move'
        ? moveCrop(d.start, dx, dy, image.width, image.height)
        : resizeCrop(
            d.start,
            d.start.width + Math.max(dx, dy * aspect),
            aspect,
            image.width,
            image.height,
            'topleft',
          ),
    );
  };
  const onPointerUp = () => {
    if (drag.current && draft) commit(draft);
    drag.current = null;
    setDraft(null);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    const step = (e.shiftKey ? 0.1 : 0.02) * crop.width;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    let next: CropRect | null | undefined;
    if (moves[e.key]) next = moveCrop(crop, moves[e.key][0], moves[e.key][1], image.width, image.height);
    else if (e.key === '+' || e.key === '=')
      next = resizeCrop(crop, crop.width / 1.1, aspect, image.width, image.height, 'center');
    else if (e.key === '-')
      next = resizeCrop(crop, crop.width * 1.1, aspect, image.width, image.height, 'center');
    else if (e.key === '0') next = null;
    else return;
    e.preventDefault();
    e.stopPropagation();
    commit(next);
  };

  return (
    <figure className="crop-editor">
      <canvas
        ref={canvas}
        tabIndex={0}
        data-testid="crop-editor"
        aria-label="Model input crop: drag to move, drag the corner to resize; arrow keys move, + and - zoom, 0 resets"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onKeyDown={onKeyDown}
      />
      <figcaption className="caption">
        <span>
          {image.name} · {image.width} x {image.height}
          {image.note ? ` (${image.note})` : ''}
        </span>
        <span>
          crop {Math.round(crop.width)} x {Math.round(crop.height)} at {Math.round(crop.x)},{' '}
          {Math.round(crop.y)}
          {storedCrop && (
            <button type="button" className="link-button" onClick={() => commit(null)}>
              reset
            </button>
          )}
        </span>
      </figcaption>
    </figure>
  );
}
