import { useAppState } from '../context';

/** Which ops the double chain can traverse; the unsupported nodes by name when it cannot. */
export function CoverageReport() {
  const coverage = useAppState((s) => s.model?.coverage ?? null);
  if (!coverage) return null;
  const ops = Object.entries(coverage.opCounts).sort((a, b) => b[1] - a[1]);
  const total = ops.reduce((n, [, c]) => n + c, 0);
  return (
    <div className="coverage" data-testid="coverage" data-ok={coverage.unsupported.length === 0}>
      {coverage.unsupported.length === 0 ? (
        <p className="ok">The double chain traverses all {total} nodes.</p>
      ) : (
        <>
          <p className="bad">
            The double chain cannot traverse {coverage.unsupported.length} node
            {coverage.unsupported.length > 1 ? 's' : ''}; the model still classifies.
          </p>
          <ul className="unsupported">
            {coverage.unsupported.map((u) => (
              <li key={u.node}>
                <code>{u.node}</code> ({u.opType}): {u.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      <ul className="op-counts">
        {ops.map(([op, count]) => (
          <li key={op} className={coverage.unsupported.some((u) => u.opType === op) ? 'bad' : ''}>
            {op} × {count}
          </li>
        ))}
      </ul>
    </div>
  );
}
