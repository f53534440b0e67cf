import { safeText } from '../../core/text';
import type { AppError } from '../../state/slices/status-slice';
import { useApp, useAppState } from '../context';

/** Messages shown in full; the rest wait behind "and N more". */
const BANNER_VISIBLE = 3;
/** The longest message shown (messages may quote untrusted text). */
const MAX_MESSAGE_CHARS = 600;

/** The latest problems in plain words; the rest of the app stays usable while they show. */
export function ErrorBanner() {
  const errors = useAppState((s) => s.errors);
  const { store } = useApp();
  if (errors.length === 0) return null;
  const shown = errors.slice(0, BANNER_VISIBLE);
  const more = errors.slice(BANNER_VISIBLE);
  return (
    <div className="error-banner" data-testid="error-banner" role="alert">
      <ul>
        {shown.map((e) => (
          <Message key={e.id} error={e} onDismiss={() => store.getState().dismissError(e.id)} />
        ))}
      </ul>
      {more.length > 0 && (
        <details data-testid="error-banner-more">
          <summary>and {more.length} more</summary>
          <ul>
            {more.map((e) => (
              <Message key={e.id} error={e} onDismiss={() => store.getState().dismissError(e.id)} />
            ))}
          </ul>
        </details>
      )}
      {errors.length > 1 && (
        <button type="button" className="link-button" onClick={() => store.getState().clearErrors()}>
          Dismiss all
        </button>
      )}
    </div>
  );
}

function Message({ error, onDismiss }: { error: AppError; onDismiss: () => void }) {
  return (
    <li>
      {/* Escaped again here: whatever reached the store, no control character or endless text is shown. */}
      <span>{safeText(error.message, MAX_MESSAGE_CHARS)}</span>
      <button type="button" className="icon-button" aria-label="Dismiss this message" onClick={onDismiss}>
        ×
      </button>
    </li>
  );
}
