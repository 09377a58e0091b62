// Renders a Vega-Lite spec to SVG with vega's headless SVG renderer, and SVG to PNG with resvg using the DejaVu
// Sans font shipped in this package (system fonts are not loaded), so PNG text is the same on every machine.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { chartFont } from './chart-specs.js';

/** The font file shipped with the package (fonts/DejaVuSans.ttf, Bitstream Vera license). */
export function shippedFontPath(): string {
  const path = fileURLToPath(new URL('../../fonts/DejaVuSans.ttf', import.meta.url));
  if (!existsSync(path)) throw new Error(`report: the shipped font is missing at ${path}`);
  return path;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: [shippedFontPath()],
      defaultFontFamily: chartFont,
      sansSerifFamily: chartFont,
    },
  });
  return resvg.render().asPng();
}
