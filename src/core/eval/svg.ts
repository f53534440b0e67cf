/** Mean curves as a small self-contained SVG line chart (no fonts or scripts beyond SVG text). */
import { METHOD_LABELS, type MethodId } from '../baselines/methods';
import type { MeanCurves } from './summary';

/** Distinct colours (Okabe-Ito, then Tableau) for up to 14 methods. */
const PALETTE = [
  '#d55e00',
  '#0072b2',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#f0e442',
  '#000000',
  '#8c564b',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#9467bd',
  '#e377c2',
];

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function curvesSvg(
  title: string,
  xLabel: string,
  curves: Partial<Record<MethodId, MeanCurves & { auc?: number }>>,
): string {
  const W = 720;
  const H = 420;
  const left = 56;
  const right = 200;
  const top = 36;
  const bottom = 48;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const x = (f: number) => left + f * pw;
  const y = (p: number) => top + (1 - p) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = t / 4;
    out.push(`<line x1="${x(0)}" y1="${y(v)}" x2="${x(1)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`);
    out.push(`<text x="${x(v)}" y="${top + ph + 16}" text-anchor="middle">${(v * 100).toFixed(0)}%</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${left + pw / 2}" y="${H - 10}" text-anchor="middle">${escape(xLabel)}</text>`);
  out.push(
    `<text x="14" y="${top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + ph / 2})">p(class)</text>`,
  );
  (Object.keys(curves) as MethodId[]).forEach((m, i) => {
    const c = curves[m]!;
    const colour = PALETTE[i % PALETTE.length];
    const pts = c.fractions.map((f, k) => `${x(f).toFixed(1)},${y(c.scores[k]).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="1.6"/>`);
    const ly = top + 8 + i * 18;
    out.push(
      `<line x1="${W - right + 12}" y1="${ly}" x2="${W - right + 32}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
    );
    const auc = c.auc === undefined ? '' : ` (${c.auc.toFixed(3)})`;
    out.push(`<text x="${W - right + 38}" y="${ly + 4}">${escape(METHOD_LABELS[m] + auc)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
