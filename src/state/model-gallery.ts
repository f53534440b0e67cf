/**
 * Well-known ImageNet classifiers in ONNX from the ONNX Model Zoo, loaded by URL (they stay out of the
 * repository) and kept in the browser's Cache Storage (model-cache.ts). Each entry carries what a user must
 * know before a download: the size the zoo's README gives, the licence, the source, and the preprocessing
 * its weights expect (from the zoo's README for that model).
 *
 * The addresses are the zoo's documented `github.com/onnx/models/raw/main/validated/...` paths. They were
 * taken from the zoo's READMEs, not downloaded here (this project's CI has no internet); a browser can only
 * fetch them where the host answers cross-origin requests, and a download that fails says why.
 */
import { IMAGENET_SETTINGS, type PreprocessSettings } from '../core/preprocess';

export interface GalleryModel {
  id: string;
  title: string;
  url: string;
  /** Download size in MB as the zoo's README gives it. */
  sizeMb: number;
  licence: string;
  source: string;
  /** The preprocessing the weights were trained with; the model's default in this app. */
  preprocess: PreprocessSettings;
  /** What a user should know about running it here. */
  note?: string;
}

const ZOO = 'https://github.com/onnx/models/raw/main/validated/vision/classification';

export const GALLERY_MODELS: readonly GalleryModel[] = [
  {
    id: 'mobilenetv2',
    title: 'MobileNetV2 1.0',
    url: `${ZOO}/mobilenet/model/mobilenetv2-12.onnx`,
    sizeMb: 13.6,
    licence: 'Apache-2.0',
    source: 'ONNX Model Zoo (Gluon CV)',
    preprocess: IMAGENET_SETTINGS,
  },
  {
    id: 'resnet50',
    title: 'ResNet-50 v1',
    url: `${ZOO}/resnet/model/resnet50-v1-12.onnx`,
    sizeMb: 97.8,
    licence: 'Apache-2.0',
    source: 'ONNX Model Zoo (Gluon CV)',
    preprocess: IMAGENET_SETTINGS,
  },
  {
    id: 'vgg16',
    title: 'VGG16',
    url: `${ZOO}/vgg/model/vgg16-12.onnx`,
    sizeMb: 527.8,
    licence: 'Apache-2.0',
    source: 'ONNX Model Zoo (Gluon CV)',
    preprocess: IMAGENET_SETTINGS,
    note: 'a large download; the explanation needs a GPU with room for its 138 M weights',
  },
  {
    id: 'densenet121',
    title: 'DenseNet-121',
    url: `${ZOO}/densenet-121/model/densenet-12.onnx`,
    sizeMb: 32,
    licence: 'MIT',
    source: 'ONNX Model Zoo (Caffe2)',
    preprocess: IMAGENET_SETTINGS,
  },
  {
    id: 'googlenet',
    title: 'GoogLeNet (Inception v1)',
    url: `${ZOO}/inception_and_googlenet/googlenet/model/googlenet-12.onnx`,
    sizeMb: 27,
    licence: 'BSD-3-Clause',
    source: 'ONNX Model Zoo (BVLC Caffe via Caffe2)',
    // Caffe: BGR in [0, 255] minus the per-channel means (in the model's B, G, R order), no std.
    preprocess: {
      mean: [103.939, 116.779, 123.68],
      std: [1, 1, 1],
      channelOrder: 'bgr',
      scale: 1,
      resize: 256,
    },
  },
  {
    id: 'shufflenet-v2',
    title: 'ShuffleNet v2 1.0',
    url: `${ZOO}/shufflenet/model/shufflenet-v2-12.onnx`,
    sizeMb: 9.2,
    licence: 'BSD-3-Clause',
    source: 'ONNX Model Zoo (PyTorch torchvision)',
    preprocess: IMAGENET_SETTINGS,
  },
  {
    id: 'efficientnet-lite4',
    title: 'EfficientNet-Lite4',
    url: `${ZOO}/efficientnet-lite4/model/efficientnet-lite4-11.onnx`,
    sizeMb: 51.9,
    licence: 'MIT',
    source: 'ONNX Model Zoo (TensorFlow via tf2onnx)',
    // RGB in [0, 255], (x - 127) / 128, shorter side to 224 / 0.875 = 256, centre crop 224.
    preprocess: { mean: [127, 127, 127], std: [128, 128, 128], channelOrder: 'rgb', scale: 1, resize: 256 },
    // The engine finds the NHWC input behind tf2onnx's Transpose and feeds the image in that layout
    // (docs/bring-your-own-model.md, "TensorFlow models (NHWC)").
    note: 'NHWC input [1, 224, 224, 3]: the engine transposes the image for it; its output is a softmax',
  },
];

export function findGalleryModel(url: string): GalleryModel | undefined {
  return GALLERY_MODELS.find((m) => m.url === url);
}

/** "[0, 1] RGB, mean 0.485/0.456/0.406, std 0.229/0.224/0.225": the preprocessing as the gallery lists it. */
export function describePreprocess(p: PreprocessSettings): string {
  const range = p.scale === 1 ? '[0, 255]' : '[0, 1]';
  return `${range} ${p.channelOrder.toUpperCase()}, mean ${p.mean.join('/')}, std ${p.std.join('/')}, shorter side ${p.resize}`;
}
