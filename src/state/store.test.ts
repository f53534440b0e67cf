import { describe, expect, it } from 'vitest';
import { createAppStore } from './store';
import { currentLayerIndex } from './slices/view-slice';
import { stripImages } from './slices/image-slice';
import { defaultPreprocess, preprocessSpec } from './slices/model-slice';
import { BUILTIN_REF, modelInfo } from '../../tests/support/app-fixtures';

const info = (layers: string[]) => modelInfo(layers);

const entry = (id: string) => ({ id, name: id, width: 100, height: 80, source: { kind: 'user' as const } });

describe('app store', () => {
  it('adds images as a strip and selects the first of a batch', () => {
    const store = createAppStore();
    store.getState().addImages([entry('a'), entry('b')]);
    store.getState().addImages([entry('c')]);
    expect(store.getState().images.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(store.getState().currentImageId).toBe('c');
    store.getState().selectImage('nope');
    expect(store.getState().currentImageId).toBe('c');
  });

  it("shows a sender's link copy as the original in the strip", () => {
    const store = createAppStore();
    store.getState().addImages([entry('a'), entry('b')]);
    store.getState().addImages([{ ...entry('b2'), name: 'b', copyOf: 'b' }]);
    const strip = () => stripImages(store.getState());
    expect(strip()).toEqual([
      { id: 'a', selected: false },
      { id: 'b', selected: true },
    ]);
    store.getState().selectImage('a');
    expect(strip().map((i) => i.selected)).toEqual([true, false]);
    // A copy whose original is gone is an image of its own.
    store.getState().selectImage('b2');
    store.getState().removeImage('b');
    expect(strip()).toEqual([
      { id: 'a', selected: false },
      { id: 'b2', selected: true },
    ]);
  });

  it('keeps crops to 1/100 px so that a link prints them exactly', () => {
    const store = createAppStore();
    store.getState().addImages([entry('a')]);
    store.getState().setCrop('a', { x: 1 / 3, y: 2.005, width: 50.123456, height: 50.123456 });
    const crop = store.getState().crops.a;
    expect(crop).toEqual({ x: 0.33, y: 2.01, width: 50.12, height: 50.12 });
    expect(Number(String(crop.x))).toBe(crop.x);
    store.getState().setCrop('a', null);
    expect(store.getState().crops.a).toBeUndefined();
  });

  it('never removes the image on view', () => {
    const store = createAppStore();
    store.getState().addImages([entry('a')]);
    store.getState().addImages([entry('b')]);
    store.getState().removeImage('b');
    expect(store.getState().images).toHaveLength(2);
    store.getState().removeImage('a');
    expect(store.getState().images.map((i) => i.id)).toEqual(['b']);
  });

  it('steps layers within the model and resolves the current index', () => {
    const store = createAppStore();
    store.getState().stepLayer(1); // no model: nothing happens
    expect(store.getState().layer).toBeNull();
    store.getState().modelLoaded(BUILTIN_REF, info(['in', 'c1', 'c2', 'logits']), []);
    expect(currentLayerIndex(store.getState())).toBe(0);
    store.getState().stepLayer(2);
    expect(store.getState().layer).toBe('c2');
    store.getState().stepLayer(10);
    expect(store.getState().layer).toBe('logits');
    store.getState().stepLayer(-10);
    expect(currentLayerIndex(store.getState())).toBe(0);
    store.getState().setLayer('unknown');
    expect(currentLayerIndex(store.getState())).toBe(0);
  });

  it('goes back to the loaded model when a requested one fails', () => {
    const store = createAppStore();
    const good = { kind: 'builtin', id: 'squeezenet1.1' } as const;
    store.getState().modelLoaded(good, info(['in']), []);
    store.getState().requestModel({ kind: 'url', url: 'https://e.org/bad.onnx' });
    store.getState().modelFailed();
    expect(store.getState().modelRef).toEqual(good);
  });

  it('applies preprocessing from a link once the model loads, else the model defaults', () => {
    const store = createAppStore();
    const custom = { ...defaultPreprocess([1, 3, 224, 224]), channelOrder: 'bgr' as const };
    store.getState().requestModel({ kind: 'builtin', id: 'squeezenet1.1' }, custom);
    store.getState().modelLoaded(store.getState().modelRef, info(['in']), []);
    expect(store.getState().preprocess).toEqual(custom);
    store.getState().requestModel({ kind: 'builtin', id: 'squeezenet1.1' });
    store.getState().modelLoaded(store.getState().modelRef, info(['in']), []);
    expect(store.getState().preprocess).toEqual(defaultPreprocess([1, 3, 224, 224]));
  });

  it('takes preprocessing from the model metadata where it says something', () => {
    const meta = { 'panescope.mean': '0.5', 'panescope.scale': '1', 'panescope.crop_fraction': '1' };
    expect(defaultPreprocess([1, 3, 224, 224], meta)).toEqual({
      mean: [0.5, 0.5, 0.5],
      std: [0.229, 0.224, 0.225],
      channelOrder: 'rgb',
      scale: 1,
      resize: 224,
    });
    expect(defaultPreprocess([1, 3, 224, 224], { 'panescope.std': '-1' })).toEqual(
      defaultPreprocess([1, 3, 224, 224]),
    );
  });

  it('derives the ImageNet recipe (resize 256, crop 224) for a 224 input', () => {
    const spec = preprocessSpec(defaultPreprocess([1, 3, 224, 224]), [1, 3, 224, 224]);
    expect(spec.cropFraction).toBeCloseTo(224 / 256, 12);
    expect(defaultPreprocess([1, 3, 299, 299]).resize).toBe(342);
  });

  it('keeps the last few errors, newest last', () => {
    const store = createAppStore();
    for (let i = 0; i < 35; i++) store.getState().pushError(`e${i}`);
    const messages = store.getState().errors.map((e) => e.message);
    expect(messages).toHaveLength(30);
    expect([messages[0], messages.at(-1)]).toEqual(['e5', 'e34']);
    store.getState().dismissError(store.getState().errors[0].id);
    expect(store.getState().errors).toHaveLength(29);
  });

  it('clamps the opacity', () => {
    const store = createAppStore();
    store.getState().setOpacity(3);
    expect(store.getState().opacity).toBe(1);
  });
});
