/** The app's name for the header reader that lives in core (the CLI reads the same headers). */
export { sniffImageSize, type SniffedImage } from '../core/image-header';
