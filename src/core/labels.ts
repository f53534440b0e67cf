/**
 * Class names. The 1000 ImageNet-1k names in the standard order (index 0 = tench) are taken from the npm
 * package @tensorflow-models/mobilenet 2.1.1 (dist/imagenet_classes.js), Copyright 2019 Google LLC,
 * Apache-2.0 (see NOTICE). Other models bring their own names (JSON array or one name per line).
 */
import imagenet from './imagenet-classes.json';

export const IMAGENET_CLASSES: readonly string[] = imagenet;

/** Short display name: the first synonym ("tench, Tinca tinca" -> "tench"). */
export function shortLabel(name: string): string {
  const i = name.indexOf(',');
  return i < 0 ? name : name.slice(0, i);
}

/** Names for a model with `numClasses` outputs: ImageNet for 1000 classes, else "class k". */
export function defaultLabels(numClasses: number): string[] {
  if (numClasses === IMAGENET_CLASSES.length) return [...IMAGENET_CLASSES];
  return Array.from({ length: numClasses }, (_, k) => `class ${k}`);
}

/**
 * Parse a labels file: a JSON array of strings, or one name per line (blank lines ignored).
 * Throws with a message the UI can show as is.
 */
export function parseLabels(text: string, numClasses: number): string[] {
  const trimmed = text.trim();
  let names: string[];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error('labels file: not valid JSON');
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
      throw new Error('labels file: expected a JSON array of strings');
    }
    names = parsed as string[];
  } else {
    names = trimmed
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  }
  if (names.length !== numClasses) {
    throw new Error(`labels file has ${names.length} names; the model has ${numClasses} classes`);
  }
  return names;
}
