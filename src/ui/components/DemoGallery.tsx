import { assetUrl, DEMO_IMAGES } from '../../state/catalog';
import { useApp, useAppState } from '../context';

/** The shipped CC0 / public-domain photos (licences in public/demo/LICENSES.md). */
export function DemoGallery() {
  const { actions } = useApp();
  const currentDemo = useAppState((s) => {
    const source = s.images.find((i) => i.id === s.currentImageId)?.source;
    return source?.kind === 'demo' ? source.id : null;
  });
  return (
    <div className="demo-gallery" data-testid="demo-gallery" role="group" aria-label="Demo images">
      {DEMO_IMAGES.map((d) => (
        <button
          key={d.id}
          type="button"
          className="thumb-button"
          data-demo={d.id}
          aria-pressed={currentDemo === d.id}
          title={`${d.title} (${d.licence})`}
          onClick={() => void actions.showDemo(d.id)}
        >
          <img src={assetUrl(`demo/${d.file}`)} alt={d.title} loading="lazy" />
        </button>
      ))}
    </div>
  );
}
