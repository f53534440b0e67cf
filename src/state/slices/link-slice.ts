import type { SliceCreator } from './slice';

/** One download a link asks for, as the confirmation names it. */
export interface LinkFetch {
  what: 'model' | 'image';
  url: string;
  host: string;
  path: string;
}

/** A link that names a remote model or image, waiting for the visitor's click before anything is fetched. */
export interface LinkToConfirm {
  fragment: string;
  fetches: LinkFetch[];
}

export interface LinkSlice {
  linkToConfirm: LinkToConfirm | null;
  setLinkToConfirm(link: LinkToConfirm | null): void;
}

export const createLinkSlice: SliceCreator<LinkSlice> = (set) => ({
  linkToConfirm: null,
  setLinkToConfirm: (linkToConfirm) => set({ linkToConfirm }),
});
