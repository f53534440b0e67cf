/**
 * The gallery's entries (model-gallery.ts): addresses a share link may name, and the preprocessing each
 * model starts with.
 */
import { describe, expect, it } from 'vitest';
import { checkLinkUrl } from './link-url';
import { decodeShareState } from './share-codec';
import { findGalleryModel, GALLERY_MODELS } from './model-gallery';
import { defaultPreprocess, modelDefaultPreprocess } from './slices/model-slice';

describe('the model gallery', () => {
  it('names each model once, by an https address a share link accepts as it is', () => {
    expect(new Set(GALLERY_MODELS.map((m) => m.id)).size).toBe(GALLERY_MODELS.length);
    for (const m of GALLERY_MODELS) {
      expect(checkLinkUrl(m.url)).toEqual({ url: m.url });
      expect(decodeShareState(`model=${m.url}`).values.model).toEqual({ kind: 'url', url: m.url });
      expect(m.url).toMatch(/^https:\/\/github\.com\/onnx\/models\/raw\/main\/validated\/.*\.onnx$/);
      expect(m.sizeMb).toBeGreaterThan(1);
    }
  });

  it('lists the ImageNet CNNs the issue asks for', () => {
    expect(GALLERY_MODELS.map((m) => m.id).sort()).toEqual([
      'densenet121',
      'efficientnet-lite4',
      'googlenet',
      'mobilenetv2',
      'resnet50',
      'shufflenet-v2',
      'vgg16',
    ]);
    expect(findGalleryModel(GALLERY_MODELS[1].url)).toBe(GALLERY_MODELS[1]);
    expect(findGalleryModel('https://example.org/resnet50-v1-12.onnx')).toBeUndefined();
  });

  it('starts a gallery model with its published recipe, any other model with what its file says', () => {
    const info = { inputDims: [1, 3, 224, 224], metadata: {} };
    const googlenet = GALLERY_MODELS.find((m) => m.id === 'googlenet')!;
    expect(modelDefaultPreprocess({ kind: 'url', url: googlenet.url }, info)).toEqual({
      mean: [103.939, 116.779, 123.68],
      std: [1, 1, 1],
      channelOrder: 'bgr',
      scale: 1,
      resize: 256,
    });
    // The entries trained on the ImageNet recipe (here Gluon CV's) start with the app's own default at 224.
    const resnet = GALLERY_MODELS.find((m) => m.id === 'resnet50')!;
    const imagenet = {
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      channelOrder: 'rgb',
      scale: 1 / 255,
      resize: 256,
    };
    expect(modelDefaultPreprocess({ kind: 'url', url: resnet.url }, info)).toEqual(imagenet);
    expect(defaultPreprocess(null)).toEqual(imagenet);
    const elsewhere = { kind: 'url', url: 'https://example.org/m.onnx' } as const;
    expect(modelDefaultPreprocess(elsewhere, info)).toEqual(defaultPreprocess([1, 3, 224, 224]));
    // A copy: editing the settings never changes the gallery's entry.
    const copy = modelDefaultPreprocess({ kind: 'url', url: googlenet.url }, info);
    copy.mean[0] = 0;
    expect(googlenet.preprocess.mean[0]).toBe(103.939);
  });
});
