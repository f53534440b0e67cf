import { safeText } from '../../core/text';
import { useApp, useAppState } from '../context';

/**
 * A link that names a model or image by address waits here: it says what would be downloaded from where,
 * and nothing is requested until the visitor clicks Load (issue 12: links never fetch on their own).
 */
export function LinkConfirm() {
  const { actions } = useApp();
  const link = useAppState((s) => s.linkToConfirm);
  if (!link) return null;
  return (
    <div
      className="notice link-confirm"
      data-testid="link-confirm"
      role="region"
      aria-label="Link to confirm"
    >
      <p>This link asks to download, from outside this app:</p>
      <ul>
        {link.fetches.map((f) => (
          <li key={f.what} data-testid={`link-confirm-${f.what}`}>
            the {f.what} from <strong data-testid="link-confirm-host">{safeText(f.host, 120)}</strong>{' '}
            <code>{safeText(f.path, 120)}</code>
          </li>
        ))}
      </ul>
      <p className="hint">
        Until you choose, the default model and image are shown and nothing is requested.
      </p>
      <div className="row">
        <button type="button" data-testid="link-confirm-load" onClick={() => void actions.confirmLink()}>
          Load {link.fetches.length > 1 ? 'them' : 'it'}
        </button>
        <button
          type="button"
          className="link-button"
          data-testid="link-confirm-ignore"
          onClick={() => actions.declineLink()}
        >
          Ignore the link
        </button>
      </div>
    </div>
  );
}
