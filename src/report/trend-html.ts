/**
 * `gemleak trend --format html`: one self-contained page (no scripts, fonts or anything fetched:
 * its Content-Security-Policy forbids it) with the verdict, each series' chart and numbers, and
 * the next steps. Pure; every text from the input is escaped.
 */
import { nextSteps } from '../trend/advice.js';
import type { TrendResult } from '../trend/types.js';
import { GROWTH_SOURCE_WORDS, VERDICT_WORDS, numberFacts } from './trend-format.js';
import { SVG_COLORS, escapeXml, renderSeriesSvg } from './trend-svg.js';

const VERDICT_COLOR: Record<string, string> = {
  LEAK: '#cf222e',
  BELOW_GC_GROWTH: '#cf222e',
  RESTARTS: '#9a6700',
  TOO_SHORT: '#9a6700',
  PLATEAU: '#1a7f37',
  NO_GROWTH: '#1a7f37',
};

export function renderTrendHtml(result: TrendResult, gemleakVersion: string): string {
  const sections = result.series.map((analysis) => {
    const limit = result.options.limitMib ?? analysis.series.quotaMiB;
    const facts =
      analysis.lives.length === 0
        ? `<p class="facts">${escapeXml(numberFacts(analysis, analysis.series, limit).join(' · '))}</p>`
        : `<ol class="lives">${analysis.lives.map((life) => `<li><strong>${escapeXml(life.verdict)}</strong> ${escapeXml(numberFacts(life, analysis.series, limit).join(' · '))}</li>`).join('')}</ol>`;
    return `<section class="series">
<h2>${escapeXml(analysis.series.name)} <span class="verdict" style="color:${VERDICT_COLOR[analysis.verdict]}">${escapeXml(analysis.verdict)}</span></h2>
<p class="reason">${escapeXml(analysis.reason)}</p>
${analysis.growthSource === null ? '' : `<p>Growth source: ${escapeXml(GROWTH_SOURCE_WORDS[analysis.growthSource])}</p>`}
${renderSeriesSvg(analysis)}
${facts}
</section>`;
  });
  const title = `gemleak trend: ${result.verdict}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: ${SVG_COLORS.text}; margin: 24px auto; max-width: 960px; padding: 0 16px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 4px; word-break: break-all; }
.verdict { font-weight: 700; }
.summary { font-size: 15px; }
.facts, .lives { font-size: 14px; }
svg.chart { max-width: 100%; height: auto; border: 1px solid #d0d7de; border-radius: 6px; }
.next { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 16px; }
code { font-family: ui-monospace, monospace; }
footer { color: #6e7781; font-size: 12px; margin-top: 32px; }
</style>
</head>
<body>
<h1 id="verdict">gemleak trend: <span class="verdict" style="color:${VERDICT_COLOR[result.verdict]}">${escapeXml(result.verdict)}</span></h1>
<p class="summary">${escapeXml(`${capitalize(VERDICT_WORDS[result.verdict])}${result.series.length > 1 ? ` (the worst of ${result.series.length} series: ${result.worst.series.name})` : ''}: ${result.worst.reason}.`)}</p>
<div class="next"><h2>Next steps</h2><ul>${nextSteps(result.worst)
    .map((step) => `<li>${escapeXml(step)}</li>`)
    .join('')}</ul></div>
${sections.join('\n')}
<footer>Written by gemleak ${escapeXml(gemleakVersion)}. Verdicts: LEAK, BELOW_GC_GROWTH, RESTARTS, PLATEAU, NO_GROWTH, TOO_SHORT.</footer>
</body>
</html>
`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
