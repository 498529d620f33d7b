// Baseline for the render benchmark: the pipeline Node-based WeChat editors use —
// markdown-it to HTML, highlight.js for code, juice to inline a stylesheet.
// The stylesheet is Fanloop's default theme, mapped to ordinary CSS selectors, so both
// sides apply the same rules.
//
//   node baseline.mjs ARTICLE.md THEME.css RUNS   → prints "median_ms p90_ms bytes"
import { readFileSync } from 'node:fs';
import MarkdownIt from 'markdown-it';
import hljs from 'highlight.js';
import juice from 'juice';

const [file, themeFile, runsArg] = process.argv.slice(2);
const markdown = readFileSync(file, 'utf8');
const runs = Number(runsArg || 200);

// Fanloop's theme elements → CSS selectors for markdown-it's output.
const selectors = {
  'hl-keyword': '.hljs-keyword', 'hl-string': '.hljs-string', 'hl-comment': '.hljs-comment',
  'hl-number': '.hljs-number', 'hl-type': '.hljs-type, .hljs-title',
  caption: 'figcaption', sup: 'sup', footnotes: '.footnotes',
  'footnotes-title': '.footnotes-title', footnote: '.footnote',
};
const css = readFileSync(themeFile, 'utf8').replace(/([a-z0-9-]+)(\s*[{,])/g,
  (m, name, rest) => (selectors[name] ?? name) + rest);

const md = new MarkdownIt({
  html: false,
  linkify: true,
  highlight(code, lang) {
    if (lang && hljs.getLanguage(lang)) {
      return `<pre class="hljs"><code>${hljs.highlight(code, { language: lang }).value}</code></pre>`;
    }
    return '';
  },
});

function pipeline() {
  const html = `<style>${css}</style><section>${md.render(markdown)}</section>`;
  return juice(html);
}

let size = 0;
for (let i = 0; i < Math.floor(runs / 10) + 5; i++) size = Buffer.byteLength(pipeline());
const times = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  pipeline();
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const p90 = times[Math.floor(times.length * 0.9)];
console.log(`${median.toFixed(3)} ${p90.toFixed(3)} ${size}`);
