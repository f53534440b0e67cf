/**
 * What the user can hand the app (files, URLs, demo picks, a share link) turned into store updates. Every
 * input is checked before it reaches the store, so a bad one leaves the current view as it was and says
 * why in the error banner.
 */
import { parseLabels } from '../core/labels';
import { DEFAULT_DEMO_ID, DEFAULT_MODEL_ID, findDemoImage } from './catalog';
import { decodeImageBlob, fetchImage, fileNameOf } from './image-decode';
import { MAX_MODEL_BYTES, modelRefKey } from './model-source';
import type { PixelRegistry } from './registry';
import { addDecodedImage, createShareLink, loadLinkedImage, type ShareLink } from './share';
import { decodeShareState, parseHttpUrl } from './share-codec';
import type { AppStore } from './store';
import { describeError } from './user-error';
import { describeUrl } from './link-url';
import type { LinkFetch } from './slices/link-slice';
import { modelDefaultPreprocess, samePreprocess } from './slices/model-slice';
import type { ImageSource } from './types';
import { defaultViewSettings, VIEW_SETTING_NAMES, type ViewSettings } from './view-settings';

export type DroppedKind = 'image' | 'model' | 'labels' | 'unknown';

/** Sorted by what the file says it is: extension first (browsers leave .onnx untyped), then MIME type. */
function classifyFile(name: string, type: string): DroppedKind {
  const ext = name.toLowerCase().slice(name.lastIndexOf('.') + 1);
  if (ext === 'onnx') return 'model';
  if (ext === 'txt' || ext === 'json') return 'labels';
  if (type.startsWith('image/') || ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', 'avif'].includes(ext))
    return 'image';
  return 'unknown';
}

export class AppActions {
  constructor(
    private readonly store: AppStore,
    private readonly registry: PixelRegistry,
  ) {}

  /** Files from a drop, the file pickers or the clipboard. Several images become a strip. */
  async openFiles(files: readonly File[]): Promise<void> {
    const s = this.store.getState();
    const groups = { image: [] as File[], model: [] as File[], labels: [] as File[], unknown: [] as File[] };
    for (const f of files) groups[classifyFile(f.name, f.type)].push(f);
    for (const f of groups.unknown) {
      // An untyped file may still be an image (e.g. no extension): let the decoder decide.
      if (f.type === '' || f.type === 'application/octet-stream') groups.image.push(f);
      else s.pushError(`${f.name} is neither an image, an .onnx model nor a labels file (.txt, .json).`);
    }
    if (groups.model.length > 0) await this.openModelFile(groups.model[0]);
    for (const f of groups.labels) await this.openLabelsFile(f);
    await this.openImageFiles(groups.image);
  }

  async openImageFiles(files: readonly File[]): Promise<void> {
    const s = this.store.getState();
    let first: string | null = null;
    for (const file of files) {
      try {
        const decoded = await decodeImageBlob(file, file.name);
        s.setPhase('loading-image', `Loaded ${file.name}`);
        const entry = addDecodedImage(this.store, this.registry, decoded, file.name, { kind: 'user' });
        first ??= entry.id;
        if (decoded.note) s.setDetail(`${file.name}: ${decoded.note}`);
      } catch (e) {
        s.pushError(describeError(`${file.name} could not be opened`, e));
      }
    }
    // The strip grows by all of them; the view shows the first.
    if (first) s.selectImage(first);
  }

  async openModelFile(file: File): Promise<void> {
    const s = this.store.getState();
    if (file.size > MAX_MODEL_BYTES) {
      s.pushError(`${file.name} is over ${MAX_MODEL_BYTES / 2 ** 20} MB; that is too large to load here.`);
      return;
    }
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const key = this.registry.addModelFile(bytes);
      s.requestModel({ kind: 'file', name: file.name, key });
    } catch (e) {
      s.pushError(describeError(`${file.name} could not be read`, e));
    }
  }

  async openLabelsFile(file: File): Promise<void> {
    const s = this.store.getState();
    if (!s.model) {
      s.pushError('Load a model before its labels file.');
      return;
    }
    if (file.size > 4 * 1024 * 1024) {
      s.pushError(`${file.name} is too large for a labels file.`);
      return;
    }
    try {
      s.setLabels(parseLabels(await file.text(), s.model.numClasses), file.name);
    } catch (e) {
      s.pushError(describeError(`${file.name} is not a labels file`, e));
    }
  }

  loadModelFromUrl(text: string): void {
    const url = parseHttpUrl(text.trim());
    if (!url) {
      this.store
        .getState()
        .pushError('The model URL must be an http(s) address, e.g. https://example.org/model.onnx.');
      return;
    }
    this.store.getState().requestModel({ kind: 'url', url });
  }

  async loadImageFromUrl(text: string): Promise<void> {
    const s = this.store.getState();
    const url = parseHttpUrl(text.trim());
    if (!url) {
      s.pushError('The image URL must be an http(s) address.');
      return;
    }
    try {
      addDecodedImage(this.store, this.registry, await fetchImage(url), fileNameOf(url), {
        kind: 'url',
        url,
      });
    } catch (e) {
      s.pushError(describeError('The image could not be loaded', e));
    }
  }

  /** Shows a demo image, loading it the first time. */
  async showDemo(id: string): Promise<void> {
    const s = this.store.getState();
    const loaded = s.images.find((i) => i.source.kind === 'demo' && i.source.id === id);
    if (loaded) {
      s.selectImage(loaded.id);
      return;
    }
    if (!findDemoImage(id)) return;
    try {
      await loadLinkedImage(this.store, this.registry, { kind: 'demo', id }, null);
    } catch (e) {
      s.pushError(describeError('The demo image could not be loaded', e));
    }
  }

  /**
   * Applies a share link (the page's fragment) and loads its image; without one, or with a link that is
   * refused or waits for a click, the default demo image.
   */
  async start(fragment: string): Promise<void> {
    await this.applyLink(fragment);
    if (this.store.getState().images.length === 0) await this.showDemo(DEFAULT_DEMO_ID);
  }

  /**
   * Brings the app to the view a fragment describes: at start, and on Back, Forward or an edited address.
   * The fragment is the whole view: what it leaves out takes the default. A link with any problem is refused
   * whole (the view stays as it is). A link that would download a model or image waits for a click
   * (confirmLink) before anything is fetched; an image or model the app holds already is used again.
   */
  async applyLink(fragment: string, options: { confirmed?: boolean } = {}): Promise<void> {
    const s = this.store.getState();
    const { values, problems } = decodeShareState(fragment);
    if (problems.length > 0) {
      s.pushError('The link was refused: nothing of it was applied.');
      for (const p of problems) s.pushError(p);
      return;
    }
    const model = values.model ?? { kind: 'builtin', id: DEFAULT_MODEL_ID };
    const source = values.image ?? { kind: 'demo', id: DEFAULT_DEMO_ID };
    const held = s.images.find((i) => sameSource(i.source, source));
    const fetches: LinkFetch[] = [];
    if (model.kind === 'url' && modelRefKey(model) !== modelRefKey(s.modelRef)) {
      fetches.push({ what: 'model', url: model.url, ...describeUrl(model.url) });
    }
    if (source.kind === 'url' && !held)
      fetches.push({ what: 'image', url: source.url, ...describeUrl(source.url) });
    if (fetches.length > 0 && !options.confirmed) {
      s.setLinkToConfirm({ fragment, fetches });
      return;
    }
    s.setLinkToConfirm(null);
    if (modelRefKey(model) !== modelRefKey(s.modelRef) || !s.model) {
      // The link's class and layer belong to its model: they stay when it loads.
      s.requestModel(model, values.preprocess ?? null, true);
    } else if (values.preprocess) s.setPreprocess(values.preprocess);
    else if (!samePreprocess(s.preprocess, modelDefaultPreprocess(s.modelRef, s.model))) {
      s.resetPreprocess();
    }
    s.setTarget(values.target ?? null);
    s.setLayer(values.layer ?? null);
    s.setView({ ...defaultViewSettings(), ...pickLinkSettings(values) });
    s.setCompare(values.compare ?? null);
    if (held) {
      s.setCrop(held.id, values.crop ?? null);
      s.selectImage(held.id);
      return;
    }
    try {
      await loadLinkedImage(this.store, this.registry, source, values.crop ?? null);
    } catch (e) {
      s.pushError(describeError('The image of the link could not be loaded', e));
      if (values.image && values.image.kind !== 'demo') await this.showDemo(DEFAULT_DEMO_ID);
    }
  }

  /** The visitor clicked to load what the waiting link names. */
  async confirmLink(): Promise<void> {
    const link = this.store.getState().linkToConfirm;
    if (link) await this.applyLink(link.fragment, { confirmed: true });
  }

  /** The visitor declined the waiting link: nothing of it is fetched or applied. */
  declineLink(): void {
    this.store.getState().setLinkToConfirm(null);
  }

  async shareLink(base: string): Promise<ShareLink | null> {
    try {
      return await createShareLink(this.store, this.registry, base);
    } catch (e) {
      this.store.getState().pushError(describeError('The link could not be made', e));
      return null;
    }
  }
}

/** The view settings a decoded link holds (only those it names, or whose absence means something). */
function pickLinkSettings(values: Partial<ViewSettings>): Partial<ViewSettings> {
  const out: Partial<Record<keyof ViewSettings, unknown>> = {};
  for (const name of VIEW_SETTING_NAMES) if (values[name] !== undefined) out[name] = values[name];
  return out as Partial<ViewSettings>;
}

/** Whether two image sources name the same picture (a user's own images never match: each is its own). */
function sameSource(a: ImageSource, b: ImageSource): boolean {
  if (a.kind === 'demo' && b.kind === 'demo') return a.id === b.id;
  if (a.kind === 'url' && b.kind === 'url') return a.url === b.url;
  if (a.kind === 'embedded' && b.kind === 'embedded') return a.mime === b.mime && a.data === b.data;
  return false;
}
