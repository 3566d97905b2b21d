import { encode } from 'uqr';

/**
 * [INV1] A QR code of `text` as SVG rectangles built by Preact — never an HTML or SVG string. Each row's dark
 * run is one rectangle, so a long invite stays a few hundred elements.
 */
export function QrCode({ text, label, size = 176 }: { text: string; label: string; size?: number }) {
  const qr = encode(text, { ecc: 'M', border: 2 });
  const runs: { x: number; y: number; w: number }[] = [];
  qr.data.forEach((row, y) => {
    let start = -1;
    row.forEach((dark, x) => {
      if (dark && start < 0) start = x;
      if ((!dark || x === row.length - 1) && start >= 0) {
        runs.push({ x: start, y, w: (dark ? x + 1 : x) - start });
        start = -1;
      }
    });
  });
  return (
    <svg
      role="img"
      aria-label={label}
      data-testid="invite-qr"
      data-modules={qr.size}
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      width={size}
      height={size}
      shape-rendering="crispEdges"
      class="qr"
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      {runs.map((r) => (
        <rect key={`${r.x}-${r.y}`} x={r.x} y={r.y} width={r.w} height={1} fill="#000" />
      ))}
    </svg>
  );
}
