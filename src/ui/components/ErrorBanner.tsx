import { useApp, useAppState } from '../context';

/** The latest problems in plain words; the rest of the app stays usable while they show. */
export function ErrorBanner() {
  const errors = useAppState((s) => s.errors);
  const { store } = useApp();
  if (errors.length === 0) return null;
  return (
    <div className="error-banner" data-testid="error-banner" role="alert">
      <ul>
        {errors.map((e) => (
          <li key={e.id}>
            <span>{e.message}</span>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss this message"
              onClick={() => store.getState().dismissError(e.id)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {errors.length > 1 && (
        <button type="button" className="link-button" onClick={() => store.getState().clearErrors()}>
          Dismiss all
        </button>
      )}
    </div>
  );
}
